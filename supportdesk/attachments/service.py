"""Attachment writes: check files against the limits, store their bytes, add the rows. Flush only.

The bytes go to the file storage before the COMMIT (content-addressed: storing the same file
again is a no-op). A transaction that then rolls back leaves a stored file no row names; it is
harmless (the same upload later reuses it) and never served, since downloads go through rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import undefer

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.types import clean_type, inline_image, safe_filename
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.storage import storage
from supportdesk.tickets.models import Message

FIELD = "attachments"


@dataclass(frozen=True)
class Upload:
    """One file an agent sent: its name, its declared type, its bytes; `inline` when pasted."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass(frozen=True)
class Limits:
    """The ATTACHMENT_* settings."""

    per_file: int
    per_message: int
    files: int

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            int(config["ATTACHMENT_MAX_FILE_BYTES"]),
            int(config["ATTACHMENT_MAX_MESSAGE_BYTES"]),
            int(config["ATTACHMENT_MAX_FILES"]),
        )


def check(uploads: list[Upload], limits: Limits | None = None) -> list[Upload]:
    """The uploads with clean names and types, or ValidationFailed naming the `attachments` field.

    Empty file inputs (no name, no bytes) are dropped; an empty named file is refused. A file
    asked to be shown inline that is not a PNG, JPEG, GIF or WebP image is simply attached.
    """
    limits = limits or Limits.from_config()
    cleaned: list[Upload] = []
    for index, upload in enumerate(u for u in uploads if u.filename or u.data):
        content_type = clean_type(upload.content_type, upload.filename, upload.data[:16])
        name = safe_filename(upload.filename, content_type, index + 1)
        if not upload.data:
            _refuse(f"{name} is empty.")
        if len(upload.data) > limits.per_file:
            _refuse(f"{name} is {_size(len(upload.data))}; a file may be at most "
                    f"{_size(limits.per_file)}.")  # fmt: skip
        # Only a safe raster image is shown in the message; any other file asked to be shown
        # is attached like the others (never refused: the API's document allows it).
        inline = upload.inline and inline_image(content_type)
        cleaned.append(Upload(name, content_type, upload.data, inline))
    if len(cleaned) > limits.files:
        _refuse(f"Attach at most {limits.files} files to one message.")
    total = sum(len(u.data) for u in cleaned)
    if total > limits.per_message:
        _refuse(f"These files come to {_size(total)}; one message may carry at most "
                f"{_size(limits.per_message)}.")  # fmt: skip
    return cleaned


def _refuse(sentence: str) -> None:
    raise ValidationFailed(
        f"The files were not accepted: {sentence}",
        {FIELD: f"{sentence} Choose the files again (nothing was sent)."},
    )


def _size(count: int) -> str:
    """A size as the pages print it (Jinja's filesizeformat: 1 kB = 1,000 bytes)."""
    if count < 1000:
        return f"{count:,} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"


def attach(message: Message, uploads: Iterable[Upload]) -> list[Attachment]:
    """Store checked uploads (see `check`) and add their rows to the (flushed) message."""
    rows = []
    for upload in uploads:
        row = Attachment(
            organization_id=message.organization_id,
            message_id=message.id,
            filename=upload.filename,
            content_type=upload.content_type,
            size=len(upload.data),
            content_id=_content_id() if upload.inline else None,
            storage_key=storage().put(upload.data),
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def add_skipped(message: Message, upload: Upload, reason: str, content_id: str | None) -> None:
    """List a file that was not kept (inbound mail over its limits), with the reason."""
    db.session.add(
        Attachment(
            organization_id=message.organization_id, message_id=message.id,
            filename=upload.filename, content_type=upload.content_type,
            size=len(upload.data), content_id=content_id, skipped_reason=reason,
        )
    )  # fmt: skip


def store(message: Message, upload: Upload, content_id: str | None) -> Attachment:
    """Keep one file of inbound mail under the Content-ID the mail gave it."""
    row = Attachment(
        organization_id=message.organization_id, message_id=message.id,
        filename=upload.filename, content_type=upload.content_type, size=len(upload.data),
        content_id=content_id, storage_key=storage().put(upload.data),
    )  # fmt: skip
    db.session.add(row)
    return row


def _content_id() -> str:
    """A Content-ID for a pasted image (the email's HTML part refers to it as cid:)."""
    return f"{secrets.token_hex(12)}@{current_app.config['MAIL_DOMAIN']}"


def move_to_storage(batch: int = 100) -> tuple[int, int]:
    """Move one batch of old rows' bytes from `data` to the storage; (moved, left) counts.

    Each row is updated only after its bytes are stored; the caller commits per batch, so an
    interrupted run loses nothing and the next run carries on.
    """
    pending = sa.select(Attachment).where(
        Attachment.storage_key.is_(None), Attachment.data.is_not(None)
    )
    rows = db.session.scalars(
        pending.options(undefer(Attachment.data)).order_by(Attachment.id).limit(batch)
    ).all()
    for row in rows:
        row.storage_key = storage().put(row.data)
        row.data = None
    db.session.flush()
    left = db.session.scalar(sa.select(sa.func.count()).select_from(pending.subquery()))
    return len(rows), left
