"""The files an outgoing email carries: the customer's copy of an agent's reply carries its files."""

from __future__ import annotations

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.queries import for_outbound, read_content
from supportdesk.mail.outbound.compose import MimeFile
from supportdesk.mail.outbound.models import EmailMessage, Notification

# Acknowledgements, resolutions and agents' notifications never carry files (they quote).
CARRIES_FILES = {Notification.AGENT_REPLIED.value}


def mail_files(emails: list[EmailMessage]) -> dict[int, list[Attachment]]:
    """Email id -> the attachment rows it carries, for a batch of emails in one query."""
    carrying = [e for e in emails if e.kind in CARRIES_FILES and e.message_id is not None]
    rows = for_outbound([e.message_id for e in carrying])
    return {
        email.id: [
            a for a in rows.get(email.message_id, []) if a.organization_id == email.organization_id
        ]
        for email in carrying
    }


def mime_files(attachments: list[Attachment]) -> list[MimeFile]:
    """The MIME parts' contents, bytes read from the storage (StorageError if it fails)."""
    return [
        MimeFile(a.filename, a.content_type, read_content(a), a.content_id if a.inline else None)
        for a in attachments
    ]
