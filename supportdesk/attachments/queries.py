"""Attachment reads: the files of messages (one query for a page) and one file with its bytes."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from supportdesk.attachments.models import Attachment
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.storage import storage


def for_messages(organization_id: int, message_ids: list[int]) -> dict[int, list[Attachment]]:
    """Each message's attachments, in the order they were added, in one query."""
    result: dict[int, list[Attachment]] = defaultdict(list)
    if not message_ids:
        return result
    params = {"organization_id": organization_id, "message_ids": message_ids}
    for row in db.session.scalars(_for_messages_statement(), params):
        result[row.message_id].append(row)
    return result


def files_exist(organization_id, message_id) -> sa.Exists:
    """Whether a message has attachments: the ticket page reads it with each message and asks
    for_messages only about those that have some."""
    return sa.exists().where(
        Attachment.organization_id == organization_id, Attachment.message_id == message_id
    )


@functools.cache
def _for_messages_statement() -> sa.Select:
    # Built once: every ticket page runs it.
    return (
        sa.select(Attachment)
        .where(
            Attachment.organization_id == sa.bindparam("organization_id"),
            Attachment.message_id.in_(sa.bindparam("message_ids", expanding=True)),
        )
        .order_by(Attachment.id)
    )


def get_attachment(organization_id: int, attachment_id: int) -> Attachment:
    """One kept attachment of the organization; skipped ones and other tenants' are a 404."""
    row = db.session.scalar(
        sa.select(Attachment).where(
            Attachment.organization_id == organization_id,
            Attachment.id == attachment_id,
            Attachment.skipped_reason.is_(None),
        )
    )
    if row is None:
        raise NotFound("That attachment does not exist.")
    return row


def open_content(attachment: Attachment) -> BinaryIO | bytes:
    """The file's bytes: a stream from the storage, or the old row's own `data`."""
    if attachment.storage_key:
        return storage().open(attachment.storage_key)
    return attachment.data or b""


def read_content(attachment: Attachment) -> bytes:
    """The whole file (mail parts)."""
    if attachment.storage_key:
        return storage().read(attachment.storage_key)
    return attachment.data or b""


def for_outbound(message_ids: list[int]) -> dict[int, list[Attachment]]:
    """The kept files of these messages for the mail that carries them (any organization: the
    caller pairs each email row with its own message), old rows' bytes loaded too."""
    result: dict[int, list[Attachment]] = defaultdict(list)
    if not message_ids:
        return result
    for row in db.session.scalars(
        sa.select(Attachment)
        .where(Attachment.message_id.in_(message_ids), Attachment.skipped_reason.is_(None))
        .options(undefer(Attachment.data))
        .order_by(Attachment.id)
    ):
        result[row.message_id].append(row)
    return result
