"""The bulk actions, one registry: what each is called, who may run it, how its parameters are
checked once for the whole selection, and which single-ticket service applies it to one ticket.

Adding an action (a macro, a merge) is one `register(BulkAction(...))` beside the service it
calls: the console toolbar, the API and the background job all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import Team, User
from supportdesk.errors import UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.macros.models import Macro
from supportdesk.macros.queries import get_macro
from supportdesk.macros.service import apply_macro
from supportdesk.tickets import service
from supportdesk.tickets.merge import MergeRefused, merge, survivor
from supportdesk.tickets.models import Priority, Status, Ticket, TicketTag
from supportdesk.tickets.tags import parse_tags

Params = dict[str, Any]


@dataclass(frozen=True)
class BulkAction:
    """One action: `check(organization_id, raw)` returns clean JSON parameters or raises
    ValidationFailed naming the field; `apply(actor, ticket, params)` changes one ticket through
    the single action's service (True when it changed); `describe(params)` says it in words."""

    name: str
    label: str
    permission: str
    check: Callable[[int, Params], Params]
    apply: Callable[[User, Ticket, Params], bool]
    describe: Callable[[Params], str]
    # The selected ticket the action leaves as it is, and why (a merge's target): (id, number,
    # reason). It is taken out of the selection before any ticket changes, never a failure.
    spares: Callable[[Params], tuple[int, int, str]] | None = None


ACTIONS: dict[str, BulkAction] = {}


def register(action: BulkAction) -> BulkAction:
    """Add an action to the registry (its name must be new)."""
    if action.name in ACTIONS:
        raise ValueError(f"bulk action {action.name!r} is already registered")
    ACTIONS[action.name] = action
    return action


def get_action(name: str | None) -> BulkAction:
    """The action named `name`, or a ValidationFailed naming the `action` field."""
    action = ACTIONS.get(name or "")
    if action is None:
        raise ValidationFailed("Choose an action.", {"action": "Choose an action."})
    return action


def _choice(enum_cls, field: str, raw: Params):
    value = raw.get(field)
    if isinstance(value, enum_cls):
        return value
    if value not in enum_cls._value2member_map_:
        raise ValidationFailed(f"Choose a {field}.", {field: f"Choose a {field}."})
    return enum_cls(value)


def _optional_id(raw: Params, field: str) -> int | None:
    value = raw.get(field)
    if value in (None, "", 0, "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"Choose a valid {field}.", {field: "Not a valid choice."}) from None


def _names(organization_id: int, model, ident: int | None, none: str) -> str:
    if ident is None:
        return none
    return (
        db.session.scalar(
            sa.select(model.name).where(model.organization_id == organization_id, model.id == ident)
        )
        or f"#{ident}"
    )


# -- status and priority --------------------------------------------------------------------


def _check_status(organization_id: int, raw: Params) -> Params:
    return {"status": _choice(Status, "status", raw).value}


def _check_priority(organization_id: int, raw: Params) -> Params:
    return {"priority": _choice(Priority, "priority", raw).value}


register(
    BulkAction(
        "status",
        "Change status",
        "ticket.status",
        _check_status,
        lambda actor, ticket, p: service.change_status(actor, ticket, Status(p["status"])),
        lambda p: f"Set status to {Status(p['status']).label.lower()}",
    )
)
register(
    BulkAction(
        "priority",
        "Change priority",
        "ticket.priority",
        _check_priority,
        lambda actor, ticket, p: service.change_priority(actor, ticket, Priority(p["priority"])),
        lambda p: f"Set priority to {Priority(p['priority']).label.lower()}",
    )
)


# -- assignee and team ----------------------------------------------------------------------


def _check_assignee(organization_id: int, raw: Params) -> Params:
    assignee_id = _optional_id(raw, "assignee_id")
    if assignee_id is not None:
        # The assignment rule itself (active agent of this organization), once for the selection.
        service._assignable_agent(organization_id, assignee_id)
    return {"assignee_id": assignee_id}


def _check_team(organization_id: int, raw: Params) -> Params:
    team_id = _optional_id(raw, "team_id")
    if team_id is not None:
        service._team(organization_id, team_id)
    return {"team_id": team_id}


register(
    BulkAction(
        "assign",
        "Assign",
        "ticket.assign",
        _check_assignee,
        lambda actor, ticket, p: service.assign(
            actor, ticket, assignee_id=p["assignee_id"], team_id=ticket.team_id
        ),
        lambda p: "Unassign" if p["assignee_id"] is None else "Assign",
    )
)
register(
    BulkAction(
        "team",
        "Change team",
        "ticket.assign",
        _check_team,
        lambda actor, ticket, p: service.assign(
            actor, ticket, assignee_id=ticket.assignee_id, team_id=p["team_id"]
        ),
        lambda p: "Remove the team" if p["team_id"] is None else "Set the team",
    )
)


# -- tags -----------------------------------------------------------------------------------


def _check_tags(organization_id: int, raw: Params) -> Params:
    tags = parse_tags(raw.get("tags") or "")
    if not tags:
        raise ValidationFailed("Name at least one tag.", {"tags": "Name at least one tag."})
    return {"tags": tags}


def _current_tags(ticket: Ticket) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(TicketTag.name)
            .where(TicketTag.ticket_id == ticket.id)
            .order_by(TicketTag.name)
        )
    )


def _add_tags(actor: User, ticket: Ticket, p: Params) -> bool:
    current = _current_tags(ticket)
    return service.edit(actor, ticket, tags=current + [t for t in p["tags"] if t not in current])


def _remove_tags(actor: User, ticket: Ticket, p: Params) -> bool:
    current = _current_tags(ticket)
    return service.edit(actor, ticket, tags=[t for t in current if t not in p["tags"]])


register(
    BulkAction(
        "add_tags",
        "Add tags",
        "ticket.edit",
        _check_tags,
        _add_tags,
        lambda p: "Add tags " + ", ".join(p["tags"]),
    )
)
register(
    BulkAction(
        "remove_tags",
        "Remove tags",
        "ticket.edit",
        _check_tags,
        _remove_tags,
        lambda p: "Remove tags " + ", ".join(p["tags"]),
    )
)


# -- macro ---------------------------------------------------------------------------------


def _check_macro(organization_id: int, raw: Params) -> Params:
    macro_id = _optional_id(raw, "macro_id")
    if macro_id is None:
        raise ValidationFailed("Choose a macro.", {"macro_id": "Choose a macro."})
    if not db.session.scalar(
        sa.select(sa.exists().where(Macro.organization_id == organization_id, Macro.id == macro_id))
    ):
        raise UnknownReference("That macro does not exist.", {"macro_id": "No such macro."})
    return {"macro_id": macro_id}


def _apply_macro(actor: User, ticket: Ticket, p: Params) -> bool:
    # Read again for each ticket: a macro deleted or changed while a job runs is seen as it is.
    apply_macro(ticket, get_macro(ticket.organization_id, p["macro_id"]), actor)
    return True


register(
    BulkAction(
        "macro",
        "Apply macro",
        "macro.apply",
        _check_macro,
        _apply_macro,
        lambda p: "Apply macro",
    )
)


# -- merge ----------------------------------------------------------------------------------


def _check_merge(organization_id: int, raw: Params) -> Params:
    number = _optional_id(raw, "into")
    if number is None:
        raise ValidationFailed(
            "Name the ticket to merge into.", {"into": "Enter the number of a ticket."}
        )
    named = db.session.scalar(
        sa.select(Ticket).where(Ticket.organization_id == organization_id, Ticket.number == number)
    )
    if named is None:
        raise UnknownReference(
            f"No such ticket: #{number}.", {"into": f"No such ticket: #{number}."}
        )
    # A ticket merged already hands on to the one holding its conversation, as merge() does.
    target = survivor(named)
    return {"into": target.number, "into_id": target.id}


def _merge_into(actor: User, ticket: Ticket, p: Params) -> bool:
    target = db.session.scalar(
        sa.select(Ticket).where(
            Ticket.organization_id == ticket.organization_id, Ticket.id == p["into_id"]
        )
    )
    if target is None:
        message = f"Ticket #{p['into']} no longer exists."
        raise MergeRefused(message, {"into": message})
    merge(actor, ticket, target)
    return True


register(
    BulkAction(
        "merge",
        "Merge into a ticket",
        "ticket.merge",
        _check_merge,
        _merge_into,
        lambda p: f"Merge into #{p['into']}",
        spares=lambda p: (p["into_id"], p["into"], "it is the ticket the others merge into"),
    )
)


def describe(organization_id: int, name: str, params: Params) -> str:
    """The action in words, naming the agent or team it sets (for flashes and the job page)."""
    action = ACTIONS.get(name)
    if action is None:
        return name
    words = action.describe(params)
    if name == "assign" and params.get("assignee_id") is not None:
        words += " to " + _names(organization_id, User, params["assignee_id"], "nobody")
    if name == "team" and params.get("team_id") is not None:
        words += " to " + _names(organization_id, Team, params["team_id"], "no team")
    if name == "macro":
        words += f" “{_names(organization_id, Macro, params['macro_id'], '')}”"
    return words
