"""Storing a message's attachments within the size limits; what is too large is listed, not kept."""

from __future__ import annotations

from flask import current_app

from supportdesk.extensions import db
from supportdesk.mail.inbound.models import Attachment
from supportdesk.mail.inbound.parse import Part
from supportdesk.tickets.models import Message


def store_attachments(message: Message, parts: list[Part]) -> list[Attachment]:
    """Add an Attachment row per part; parts over a limit get a row with the reason, no data."""
    per_file = int(current_app.config["INBOUND_MAX_ATTACHMENT_BYTES"])
    per_message = int(current_app.config["INBOUND_MAX_ATTACHMENTS_BYTES"])
    total = 0
    rows = []
    for part in parts:
        size = len(part.data)
        skipped = None
        if size > per_file:
            skipped = f"Not stored: {size:,} bytes is over the {per_file:,}-byte limit per file."
        elif total + size > per_message:
            skipped = f"Not stored: the message's attachments exceed {per_message:,} bytes."
        else:
            total += size
        row = Attachment(
            organization_id=message.organization_id,
            message_id=message.id,
            filename=part.filename,
            content_type=part.content_type,
            size=size,
            content_id=part.content_id,
            data=None if skipped else part.data,
            skipped_reason=skipped,
        )
        db.session.add(row)
        rows.append(row)
    return rows
