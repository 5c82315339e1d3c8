"""Writes of canned replies and macros, and `apply_macro`: flush, never commit (callers commit).

Who may do what (supportdesk.accounts.permissions): every agent keeps personal canned replies;
senior agents and admins manage the shared ones and the macros; every agent applies macros,
and each action of a macro needs the role its single action needs.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import allowed, require
from supportdesk.customers.models import Customer
from supportdesk.db import touch_if_changed
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from supportdesk.macros import placeholders
from supportdesk.macros.models import CannedReply, Macro
from supportdesk.macros.queries import MacroNotFound, get_macro, get_reply
from supportdesk.tickets import service as tickets
from supportdesk.tickets.errors import InvalidTransition
from supportdesk.tickets.models import Message, MessageKind, Priority, Status, Ticket, TicketTag
from supportdesk.tickets.tags import MAX_TAGS, parse_tags
from supportdesk.tickets.transitions import can_move

MAX_TITLE = 200
MAX_NAME = 120
MAX_BODY = tickets.MAX_BODY


def _text(value: str, field: str, limit: int, *, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationFailed(f"{what} is required.", {field: f"Enter {what.lower()}."})
    if len(value) > limit:
        raise ValidationFailed(f"{what} is too long.", {field: f"Use at most {limit} characters."})
    return value


def _body(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed("The text is empty.", {field: "Write the reply's text."})
        return ""
    if len(value) > MAX_BODY:
        raise ValidationFailed(
            "The text is too long.", {field: f"Use at most {MAX_BODY:,} characters."}
        )
    return placeholders.check(value, field)


# -- canned replies --------------------------------------------------------------------------


def _require_reply_role(actor: User, shared: bool) -> None:
    require(actor, "canned_reply.manage_shared" if shared else "canned_reply.manage_own")


def may_manage_reply(actor: User, reply: CannedReply) -> bool:
    """Whether the actor may change or delete this (visible) reply."""
    return allowed(
        actor.role, "canned_reply.manage_shared" if reply.shared else "canned_reply.manage_own"
    )


def require_reply_manager(actor: User, reply: CannedReply) -> None:
    """PermissionDenied unless the actor may change or delete this (visible) reply."""
    _require_reply_role(actor, reply.shared)


def create_reply(actor: User, *, title: str, body: str, shared: bool = False) -> CannedReply:
    """A canned reply: shared with the organization, or the actor's own."""
    _require_reply_role(actor, shared)
    reply = CannedReply(
        organization_id=actor.organization_id,
        owner_id=None if shared else actor.id,
        title=_text(title, "title", MAX_TITLE, what="A title"),
        body=_body(body, "body", required=True),
    )
    db.session.add(reply)
    db.session.flush()
    return reply


def update_reply(actor: User, reply_id: int, *, title: str, body: str, shared: bool) -> CannedReply:
    """Change a reply the actor may manage (making it shared or personal needs a senior agent)."""
    reply = get_reply(actor.organization_id, actor.id, reply_id)
    _require_reply_role(actor, reply.shared)
    if shared != reply.shared:
        require(actor, "canned_reply.manage_shared")
    reply.title = _text(title, "title", MAX_TITLE, what="A title")
    reply.body = _body(body, "body", required=True)
    reply.owner_id = None if shared else (reply.owner_id or actor.id)
    touch_if_changed(reply)
    db.session.flush()
    return reply


def delete_reply(actor: User, reply_id: int) -> None:
    """Delete a reply the actor may manage."""
    reply = get_reply(actor.organization_id, actor.id, reply_id)
    _require_reply_role(actor, reply.shared)
    db.session.delete(reply)
    db.session.flush()


# -- macros ----------------------------------------------------------------------------------


def _tags(value: str | Iterable[str], field: str) -> list[str]:
    try:
        return parse_tags(value)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {field: exc.fields["tags"]}) from None


def _macro_values(actor: User, values: dict[str, Any]) -> dict[str, Any]:
    org = actor.organization_id
    assignee_id, team_id = values.get("assignee_id"), values.get("team_id")
    return {
        "name": _text(values.get("name", ""), "name", MAX_NAME, what="A name"),
        "reply_body": _body(values.get("reply_body", ""), "reply_body", required=False),
        "reply_kind": MessageKind(values.get("reply_kind") or MessageKind.INTERNAL),
        "status": Status(values["status"]) if values.get("status") else None,
        "priority": Priority(values["priority"]) if values.get("priority") else None,
        "assignee_id": tickets._assignable_agent(org, assignee_id).id if assignee_id else None,
        "team_id": tickets._team(org, team_id).id if team_id else None,
        "add_tags": _tags(values.get("add_tags") or (), "add_tags"),
        "remove_tags": _tags(values.get("remove_tags") or (), "remove_tags"),
    }


def _name_free(organization_id: int, name: str, macro_id: int | None = None) -> None:
    taken = db.session.scalar(
        sa.select(Macro.id).where(
            Macro.organization_id == organization_id,
            # Both sides lowered by the database: Python's lower() differs past ASCII.
            sa.func.lower(Macro.name) == sa.func.lower(name),
            Macro.id != (macro_id or 0),
        )
    )
    if taken is not None:
        raise Conflict("Another macro has that name.", {"name": "Choose another name."})


def create_macro(actor: User, **values: Any) -> Macro:
    """A macro (name, reply text and kind, status, priority, assignee, team, tags to add/remove);
    actions left empty are not applied."""
    require(actor, "macro.manage")
    columns = _macro_values(actor, values)
    _name_free(actor.organization_id, columns["name"])
    macro = Macro(organization_id=actor.organization_id, **columns)
    db.session.add(macro)
    db.session.flush()
    return get_macro(actor.organization_id, macro.id)


def update_macro(actor: User, macro_id: int, **values: Any) -> Macro:
    """Replace a macro's name and actions (values as for `create_macro`)."""
    require(actor, "macro.manage")
    macro = get_macro(actor.organization_id, macro_id)
    columns = _macro_values(actor, values)
    _name_free(actor.organization_id, columns["name"], macro.id)
    for name, value in columns.items():
        setattr(macro, name, value)
    touch_if_changed(macro)
    db.session.flush()
    db.session.refresh(macro, attribute_names=["assignee", "team"])
    return macro


def delete_macro(actor: User, macro_id: int) -> None:
    """Delete a macro (the history of tickets it changed keeps its name)."""
    require(actor, "macro.manage")
    db.session.delete(get_macro(actor.organization_id, macro_id))
    db.session.flush()


# -- rendering and applying ------------------------------------------------------------------


def placeholder_values(ticket: Ticket, agent: User) -> dict[str, Any]:
    """What the placeholders say on this ticket, written by this agent (two small reads)."""
    customer = db.session.execute(
        sa.select(Customer.name, Customer.email).where(Customer.id == ticket.customer_id)
    ).one()
    org_name = db.session.scalar(
        sa.select(Organization.name).where(Organization.id == ticket.organization_id)
    )
    return {
        "customer": placeholders.person(customer.name, customer.email),
        "ticket": placeholders.TicketFacts(ticket.number, ticket.subject),
        "agent": placeholders.person(agent.name),
        "organization": placeholders.OrganizationFacts(org_name),
    }


def render_for(text: str, values: dict[str, Any]) -> str:
    """Canned text with the placeholders of `placeholder_values` filled in."""
    return placeholders.render(text, **values)


@dataclass(frozen=True)
class Applied:
    """What `apply_macro` did: its run id (in the data of its history entries) and its message."""

    run: str
    message: Message | None


def _check(ticket: Ticket, macro: Macro, actor: User) -> list[str] | None:
    """Everything that could refuse the macro, checked before anything changes: permissions,
    the transition, the people it names, the tag count. Returns the tags it leaves (None: same)."""
    require(actor, "macro.apply")
    if (
        macro.organization_id != ticket.organization_id
        or actor.organization_id != ticket.organization_id
    ):
        raise MacroNotFound()
    if macro.status is not None and macro.status is not ticket.status:
        require(actor, "ticket.status")
        if not can_move(ticket.status, macro.status):
            raise InvalidTransition(ticket.status, macro.status)
        if ticket.status is Status.CLOSED:
            require(actor, "ticket.reopen_closed")
    if macro.priority is not None:
        require(actor, "ticket.priority")
    if macro.assignee_id is not None or macro.team_id is not None:
        require(actor, "ticket.assign")
        if macro.assignee_id is not None and macro.assignee_id != ticket.assignee_id:
            tickets._assignable_agent(ticket.organization_id, macro.assignee_id)
    if macro.reply_body:
        require(actor, "ticket.reply" if macro.reply_kind is MessageKind.PUBLIC else "ticket.note")
    if not (macro.add_tags or macro.remove_tags):
        return None
    require(actor, "ticket.edit")
    current = sorted(
        db.session.scalars(sa.select(TicketTag.name).where(TicketTag.ticket_id == ticket.id))
    )
    wanted = [t for t in current if t not in macro.remove_tags]
    wanted += [t for t in macro.add_tags if t not in wanted]
    if len(wanted) > MAX_TAGS:
        raise ValidationFailed(
            f"The ticket would have more than {MAX_TAGS} tags.",
            {"tags": f"Use at most {MAX_TAGS} tags."},
        )
    return None if sorted(wanted) == current else wanted


def apply_macro(
    ticket: Ticket, macro: Macro, actor: User, *, expected_version: int | None = None
) -> Applied:
    """Apply a macro to a ticket through the ticket services (same rules, history, mail and
    webhooks as the single actions), as one group in the history.

    Everything that could refuse it is checked first (role, transition, assignee, tags, the
    rendered text, a stale `expected_version`): a refusal raises before anything changed, so a
    caller applying it to many tickets in one transaction may go on with the next ticket. The history gets a `macro`
    entry, and every change it makes carries `{"macro": {"id", "name", "run"}}` in its data.
    """
    tags = _check(ticket, macro, actor)
    tickets.ensure_current(ticket, expected_version)
    run = secrets.token_hex(8)
    mark = {"id": macro.id, "name": macro.name, "run": run}
    text = ""
    if macro.reply_body:  # rendered and checked before any change (a long subject may overflow)
        values = placeholder_values(ticket, actor)
        text = tickets._clean_body(render_for(macro.reply_body, values), "reply_body")
    message = None
    with tickets.history_data(macro=mark):
        tickets.record_macro(actor, ticket, macro.name)
        with db.session.no_autoflush:
            if macro.status is not None:
                tickets.change_status(actor, ticket, macro.status)
            if macro.priority is not None:
                tickets.change_priority(actor, ticket, macro.priority)
            if macro.assignee_id is not None or macro.team_id is not None:
                tickets.assign(
                    actor,
                    ticket,
                    assignee_id=macro.assignee_id or ticket.assignee_id,
                    team_id=macro.team_id or ticket.team_id,
                )
            if tags is not None:
                tickets.edit(actor, ticket, tags=tags)
        if text:
            write = tickets.reply if macro.reply_kind is MessageKind.PUBLIC else tickets.add_note
            message = write(actor, ticket, text)
    db.session.flush()
    return Applied(run, message)
