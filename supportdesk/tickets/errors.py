"""Ticket domain errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportdesk.errors import DomainError, NotFound

if TYPE_CHECKING:
    from supportdesk.tickets.models import Status, TicketEvent


class TicketNotFound(NotFound):
    """No such ticket in this organization."""

    def __init__(self, number: int | str):
        super().__init__(f"Ticket #{number} does not exist.")


class InvalidTransition(DomainError):
    """The status change is not in the transition table."""

    status = 409
    code = "invalid_transition"

    def __init__(self, current: Status, target: Status):
        self.current = current
        self.target = target
        super().__init__(
            f"A ticket that is {current.label.lower()} cannot be moved to {target.label.lower()}.",
            fields={"status": f"Not allowed from {current.label.lower()}."},
        )


class StaleTicket(DomainError):
    """Someone changed the ticket after the agent opened it; saving would overwrite their work."""

    status = 409
    code = "stale_version"

    def __init__(self, number: int, changes: list[TicketEvent]):
        self.changes = changes
        super().__init__(
            f"Ticket #{number} was changed by someone else after you opened it. "
            "Your changes were not saved; review what changed below and try again.",
            fields={"version": "The ticket has changed since you loaded it."},
        )
