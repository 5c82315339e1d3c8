"""Console views for inbound mail on tickets: the original message as received."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.mail.inbound import queries
from supportdesk.mail.inbound.parse import decode_bytes


@bp.get("/mail/<int:inbound_id>/original")
def inbound_original(inbound_id: int):
    """The raw message as received, shown as escaped text (never rendered as HTML)."""
    inbound = queries.get_inbound(current_user.organization_id, inbound_id)
    return render_template(
        "console/mail_original.html",
        inbound=inbound,
        raw=decode_bytes(inbound.raw or b"", "utf-8"),
        ticket_number=queries.ticket_number(current_user.organization_id, inbound.ticket_id),
    )
