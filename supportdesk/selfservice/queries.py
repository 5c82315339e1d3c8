"""What a signed-in customer may read: their tickets (or their company's) and the public
conversation. Every query is scoped to the customer's organization; internal notes never leave."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.queries import for_messages
from supportdesk.customers.models import Customer
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.selfservice.models import PortalSettings
from supportdesk.tickets.models import Message, MessageKind, Ticket

PAGE = 100


def _visible(customer: Customer, settings: PortalSettings) -> sa.ColumnElement[bool]:
    """The tickets this customer may see: their own, and their company's when allowed."""
    own = Ticket.customer_id == customer.id
    company = (customer.company or "").strip().lower()
    if not (settings.company_tickets and company):
        return own
    colleague = aliased(Customer)
    colleagues = sa.select(colleague.id).where(
        colleague.organization_id == customer.organization_id,
        sa.func.lower(sa.func.trim(colleague.company)) == company,
    )
    return sa.or_(own, Ticket.customer_id.in_(colleagues))


def list_tickets(customer: Customer, settings: PortalSettings) -> list[Ticket]:
    """The customer's visible tickets, latest activity first (merged ones left out)."""
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(
                Ticket.organization_id == customer.organization_id,
                Ticket.merged_into_id.is_(None),
                _visible(customer, settings),
            )
            .options(joinedload(Ticket.customer))
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(PAGE)
        )
    )


def get_ticket(customer: Customer, settings: PortalSettings, number: int) -> Ticket:
    """One visible ticket by number; anyone else's (or another organization's) is a 404."""
    ticket = db.session.scalar(
        sa.select(Ticket)
        .where(
            Ticket.organization_id == customer.organization_id,
            Ticket.number == number,
            _visible(customer, settings),
        )
        .options(joinedload(Ticket.customer))
    )
    if ticket is None:
        raise NotFound("That request does not exist.")
    return ticket


def conversation(ticket: Ticket) -> tuple[list[Message], dict[int, list[Attachment]]]:
    """The public messages of the ticket, oldest first, and their kept files (two queries)."""
    messages = list(
        db.session.scalars(
            sa.select(Message)
            .where(
                Message.organization_id == ticket.organization_id,
                Message.ticket_id == ticket.id,
                Message.kind == MessageKind.PUBLIC,
            )
            .options(joinedload(Message.author_user), joinedload(Message.author_customer))
            .order_by(Message.id)
        )
    )
    files = for_messages(ticket.organization_id, [m.id for m in messages])
    kept = {mid: [a for a in rows if a.skipped_reason is None] for mid, rows in files.items()}
    return messages, kept


def get_attachment(ticket: Ticket, attachment_id: int) -> Attachment:
    """A kept file of a public message of this ticket; anything else is a 404."""
    row = db.session.scalar(
        sa.select(Attachment)
        .join(Message, Message.id == Attachment.message_id)
        .where(
            Attachment.organization_id == ticket.organization_id,
            Attachment.id == attachment_id,
            Attachment.skipped_reason.is_(None),
            Message.ticket_id == ticket.id,
            Message.kind == MessageKind.PUBLIC,
        )
    )
    if row is None:
        raise NotFound("That file does not exist.")
    return row
