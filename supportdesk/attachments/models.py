"""The Attachment row: a file on a message of a ticket, its bytes in the file storage.

It lived with inbound mail when only customers' mail brought files; agents' replies, notes and
new tickets carry files too, so it belongs to the conversation and moved here (table unchanged).
Rows written before the storage existed keep their bytes in `data` until
`flask attachments move-to-storage` moves them; new rows carry `storage_key` only.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from supportdesk.attachments.types import inline_image
from supportdesk.db import UTCDateTime, utcnow
from supportdesk.extensions import db


class Attachment(db.Model):
    """A file on a message; skipped files (too large) keep a row with the reason and no bytes."""

    __tablename__ = "attachments"
    __table_args__ = (sa.Index("ix_attachments_message_id", "message_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int]
    # The Content-ID of an inline image (without angle brackets), referenced as cid: in HTML.
    content_id: Mapped[str | None] = mapped_column(sa.String(255))
    # Bytes of rows from before the file storage (None once moved, and for every new row).
    data: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # The SHA-256 key of the bytes in supportdesk.storage (None: still in `data`, or skipped).
    storage_key: Mapped[str | None] = mapped_column(sa.String(64))
    skipped_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def stored(self) -> bool:
        return self.skipped_reason is None

    @property
    def inline(self) -> bool:
        """An image shown in the message (pasted, or cid: in mail) that a browser may display."""
        return self.content_id is not None and self.displayable

    @property
    def displayable(self) -> bool:
        """Whether the browser may show it inline: a raster image type, never SVG or HTML."""
        return self.stored and inline_image(self.content_type)

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.filename!r} {self.size}>"
