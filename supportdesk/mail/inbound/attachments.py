"""Keeping a message's attachments within the inbound size limits; what is too large is listed."""

from __future__ import annotations

from flask import current_app

from supportdesk.attachments import service as attachments
from supportdesk.attachments.service import Upload
from supportdesk.mail.inbound.parse import Part
from supportdesk.tickets.models import Message


def store_attachments(message: Message, parts: list[Part]) -> None:
    """Store each part in the file storage; parts over a limit get a row with the reason only."""
    per_file = int(current_app.config["INBOUND_MAX_ATTACHMENT_BYTES"])
    per_message = int(current_app.config["INBOUND_MAX_ATTACHMENTS_BYTES"])
    total = 0
    for part in parts:
        upload = Upload(part.filename, part.content_type, part.data)
        size = len(part.data)
        if size > per_file:
            reason = f"Not stored: {size:,} bytes is over the {per_file:,}-byte limit per file."
            attachments.add_skipped(message, upload, reason, part.content_id)
        elif total + size > per_message:
            reason = f"Not stored: the message's attachments exceed {per_message:,} bytes."
            attachments.add_skipped(message, upload, reason, part.content_id)
        else:
            total += size
            attachments.store(message, upload, part.content_id)
