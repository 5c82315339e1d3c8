"""Ticket domain errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


class TicketMerged(DomainError):
    """The ticket was merged: its conversation continues on the survivor, not here."""

    status = 409
    code = "ticket_merged"

    def __init__(self, number: int):
        super().__init__(
            f"Ticket #{number} was merged into another ticket; write on that ticket instead.",
            fields={"ticket": "Merged: its conversation moved to the ticket it was merged into."},
        )


# History entries that change a property, by event kind, and the property they change.
_PROPERTY_OF_EVENT = {
    "status": "status",
    "priority": "priority",
    "assignee": "assignee_id",
    "team": "team_id",
    "subject": "subject",
    "tags": "tags",
}


class ReplyCollision(DomainError):
    """A public message arrived after the agent last looked: sending now would answer the
    customer twice. `messages` are the newer public messages, oldest first; sending again with
    the newest one's id as `last_seen_message_id` confirms."""

    status = 409
    code = "newer_messages"

    def __init__(self, number: int, messages: list):
        self.messages = messages
        many = len(messages) > 1
        super().__init__(
            f"{'New messages were' if many else 'A new message was'} added to ticket #{number} "
            "since you opened it. Read it, then send your reply again if it still fits.",
            fields={"last_seen_message_id": "Newer public messages exist on this ticket."},
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

    def values_seen(self) -> dict[str, Any]:
        """The properties changed since, as the agent saw them: before the first of the changes.

        Status and priority are enum values, people and teams ids (None for nobody), tags a
        sorted list; properties nobody changed since are left out (they are as they are now).
        """
        seen: dict[str, Any] = {}
        for event in self.changes:
            name = _PROPERTY_OF_EVENT.get(event.kind.value)
            if event.kind.value == "custom_field":
                name = f"custom_fields.{event.data.get('field')}"
            if name is not None and name not in seen:
                seen[name] = event.old_value if name == "subject" else event.data.get("old")
        return seen
