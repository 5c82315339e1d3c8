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


@dataclass(frozen=True)
class TicketDeleted:
    """A ticket was deleted in this transaction (`ticket.deleted`).

    Carries the ticket as it was loaded (its rows are gone by the time subscribers run), its
    tags, and the `TicketDeletion` row that records the deletion for good.
    """

    ticket: Ticket
    tags: tuple[str, ...]
    deletion: TicketDeletion
