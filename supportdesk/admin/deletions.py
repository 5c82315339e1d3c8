"""Admin page of deleted tickets: the records that outlive them (who deleted what, when, why)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.console.access import requires
from supportdesk.tickets.deletions import list_deletions


@bp.get("/deleted-tickets")
@requires("ticket.delete")
def deleted_ticket_list():
    """The organization's latest ticket deletions, newest first."""
    return render_template(
        "admin/deleted_tickets.html", deletions=list_deletions(current_user.organization_id)
    )
