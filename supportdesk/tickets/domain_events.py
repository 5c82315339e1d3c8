"""Domain events of the tickets domain besides the TicketEvent history rows."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.tickets.models import Message


@dataclass(frozen=True)
class MessageCreated:
    """A message (reply, customer message or internal note) was added in this transaction.

    History rows do not carry the message's id (it is not known before the flush); this does.
    """

    message: Message
