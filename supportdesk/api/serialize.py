"""Response models for rows whose shape differs from the schema (authors and actors)."""

from __future__ import annotations

from flask import url_for

from supportdesk.accounts.models import User
from supportdesk.api import schemas
from supportdesk.attachments.models import Attachment
from supportdesk.customers.models import Customer
from supportdesk.tickets.models import Message, TicketEvent


def author_out(user: User | None, customer: Customer | None) -> schemas.Author:
    """An agent, a customer, or the system (neither)."""
    if user is not None:
        return schemas.Author(type="agent", id=user.id, name=user.name)
    if customer is not None:
        return schemas.Author(type="customer", id=customer.id, name=customer.display_name)
    return schemas.Author(type="system", id=None, name="System")


def attachment_out(attachment: Attachment) -> schemas.Attachment:
    """A file on a message, with the API address that downloads it."""
    return schemas.Attachment(
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        inline=attachment.inline,
        content_id=attachment.content_id,
        stored=attachment.stored,
        skipped_reason=attachment.skipped_reason,
        url=url_for("api.attachment_get", attachment_id=attachment.id),
    )


def message_out(
    message: Message, *, author: User | None = None, files: list[Attachment] = ()
) -> schemas.TicketMessage:
    """A message with its author (`author` given when the relationship is not loaded) and files."""
    if author is None:
        author_model = author_out(message.author_user, message.author_customer)
    else:
        author_model = author_out(author, None)
    return schemas.TicketMessage(
        id=message.id,
        kind=message.kind,
        author=author_model,
        body_text=message.body_text,
        body_html=message.body_html or "",
        body_format=message.body_format or "text",
        cc=[a.strip() for a in (message.cc or "").split(",") if a.strip()],
        time_spent_minutes=message.time_spent_minutes,
        created_at=message.created_at,
        attachments=[attachment_out(a) for a in files],
    )


def event_out(event: TicketEvent) -> schemas.Event:
    """A history entry with its actor."""
    return schemas.Event(
        id=event.id,
        kind=event.kind,
        actor=author_out(event.actor_user, event.actor_customer),
        old_value=event.old_value,
        new_value=event.new_value,
        data=event.data or {},
        ticket_version=event.ticket_version,
        created_at=event.created_at,
    )
