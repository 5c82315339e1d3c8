"""Domain events of the tickets domain besides the TicketEvent history rows."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.tickets.deletions import TicketDeletion
from supportdesk.tickets.models import Message, Ticket


@dataclass(frozen=True)
class MessageCreated:
    """A message (reply, customer message or internal note) was added in this transaction.

    History rows do not carry the message's id (it is not known before the flush); this does.
    """

    message: Message

    # What the mail rules and notifications read of any event.
    @property
    def organization_id(self) -> int:
        return self.message.organization_id

    @property
    def ticket_id(self) -> int:
        return self.message.ticket_id

    @property
    def actor_user_id(self) -> int | None:
        return self.message.author_user.id if self.message.author_user is not None else None


@dataclass(frozen=True)
class TicketDeleted:
    """A ticket was deleted in this transaction (`ticket.deleted`).

    Carries the ticket as it was loaded (its rows are gone by the time subscribers run), its
    tags, and the `TicketDeletion` row that records the deletion for good.
    """

    ticket: Ticket
    tags: tuple[str, ...]
    deletion: TicketDeletion
