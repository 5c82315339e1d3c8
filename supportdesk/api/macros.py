"""API views for canned replies and macros, and applying a macro to a ticket. The same services
and rules as the console (supportdesk.macros.service): personal replies for every agent, shared
ones and macros for senior agents and admins, a macro applied whole or not at all."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm.exc import StaleDataError

from supportdesk.api import macro_schemas as schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.errors import fields_renamed
from supportdesk.api.examples import TICKET
from supportdesk.api.operations import operation
from supportdesk.api.tickets import (
    FIELD_NAMES,
    NUMBER,
    TICKET_LINKS,
    _conflict,
    _expected_version,
    _ticket_response,
)
from supportdesk.api.tickets import schemas as ticket_schemas
from supportdesk.extensions import db
from supportdesk.macros import queries, service
from supportdesk.tickets import queries as tickets
from supportdesk.tickets.errors import StaleTicket

REPLIES, MACROS = "Canned replies", "Macros"
REPLY_ID = {"canned_reply_id": "The canned reply's id."}
MACRO_ID = {"macro_id": "The macro's id."}
_THE_REPLY = {"canned_reply_id": "$response.body#/id"}
REPLY_LINKS = {
    "GetCannedReply": ("canned_reply_get", _THE_REPLY),
    "UpdateCannedReply": ("canned_reply_update", _THE_REPLY),
    "DeleteCannedReply": ("canned_reply_delete", _THE_REPLY),
}
_THE_MACRO = {"macro_id": "$response.body#/id"}
MACRO_LINKS = {
    "GetMacro": ("macro_get", _THE_MACRO),
    "UpdateMacro": ("macro_update", _THE_MACRO),
    "DeleteMacro": ("macro_delete", _THE_MACRO),
}

REPLY_EXAMPLE = {
    "id": 12,
    "title": "Refund approved",
    "body": "Hi {{ customer.first_name }}, your refund for #{{ ticket.number }} is on its way.",
    "shared": True,
    "owner_id": None,
    "rendered": "Hi Dana, your refund for #118 is on its way.",
    "created_at": "2026-11-25T08:30:00Z",
    "updated_at": "2026-11-25T08:30:00Z",
}
REPLY_CREATE = {
    "title": "Refund approved",
    "body": "Hi {{ customer.first_name }}, your refund for #{{ ticket.number }} is on its way.",
    "shared": True,
}
MACRO_EXAMPLE = {
    "id": 4,
    "name": "Refund approved",
    "reply_body": "Hi {{ customer.first_name }}, your refund is on its way.",
    "reply_kind": "public",
    "status": "pending",
    "priority": None,
    "assignee": None,
    "team": {"id": 3, "name": "Billing"},
    "add_tags": ["refund"],
    "remove_tags": ["new"],
    "created_at": "2026-11-25T08:30:00Z",
    "updated_at": "2026-11-25T08:30:00Z",
}
MACRO_CREATE = {
    "name": "Refund approved",
    "reply_body": "Hi {{ customer.first_name }}, your refund is on its way.",
    "reply_kind": "public",
    "status": "pending",
    "team_id": 3,
    "add_tags": ["refund"],
    "remove_tags": ["new"],
}


def _reply_out(reply, rendered: str | None = None) -> schemas.CannedReply:
    out = schemas.CannedReply.model_validate(reply)
    out.rendered = rendered
    return out


# -- canned replies --------------------------------------------------------------------------


@operation(
    "GET",
    "/canned-replies",
    tag=REPLIES,
    summary="List or search canned replies",
    query=schemas.CannedReplyListQuery,
    response=schemas.CannedReplyPage,
    references=True,
    response_example={"data": [REPLY_EXAMPLE], "next_cursor": None},
)
def canned_reply_list(query: schemas.CannedReplyListQuery):
    """The shared canned replies and your own, oldest first; `q` keeps those whose title or text
    holds every word; `ticket` fills in `rendered` for that ticket (404 if it does not exist)."""
    values = None
    if query.ticket is not None:
        ticket = tickets.get_ticket(organization_id(), query.ticket)
        values = service.placeholder_values(ticket, actor())
    rows = queries.list_replies(
        organization_id(), actor().id, q=query.q, after_id=query.after_id,
        limit=query.limit + 1, by_title=False,
    )  # fmt: skip
    more, rows = len(rows) > query.limit, rows[: query.limit]
    return schemas.CannedReplyPage(
        data=[_reply_out(r, service.render_for(r.body, values) if values else None) for r in rows],
        next_cursor=str(rows[-1].id) if more else None,
    )


@operation(
    "POST",
    "/canned-replies",
    tag=REPLIES,
    summary="Create a canned reply",
    status=201,
    body=schemas.CannedReplyCreate,
    response=schemas.CannedReply,
    request_example=REPLY_CREATE,
    response_example=REPLY_EXAMPLE,
    links=REPLY_LINKS,
    headers=("Location",),
)
def canned_reply_create(body: schemas.CannedReplyCreate):
    """A personal canned reply (any agent), or a shared one (`shared: true`: senior agents and
    admins). Placeholders outside the table are refused (422 naming `body`)."""
    reply = service.create_reply(actor(), title=body.title, body=body.body, shared=body.shared)
    out = _reply_out(reply)
    db.session.commit()
    return out, {"Location": url_for("api.canned_reply_get", canned_reply_id=reply.id)}


@operation(
    "GET",
    "/canned-replies/{canned_reply_id}",
    tag=REPLIES,
    summary="Get a canned reply",
    response=schemas.CannedReply,
    response_example=REPLY_EXAMPLE,
    path_params=REPLY_ID,
)
def canned_reply_get(canned_reply_id: int):
    """One canned reply you may use (a colleague's personal one is a 404)."""
    return _reply_out(queries.get_reply(organization_id(), actor().id, canned_reply_id))


@operation(
    "PATCH",
    "/canned-replies/{canned_reply_id}",
    tag=REPLIES,
    summary="Update a canned reply",
    body=schemas.CannedReplyUpdate,
    response=schemas.CannedReply,
    request_example={"title": "Refund sent"},
    response_example=REPLY_EXAMPLE,
    path_params=REPLY_ID,
)
def canned_reply_update(canned_reply_id: int, body: schemas.CannedReplyUpdate):
    """Change your own reply, or a shared one (senior agents and admins, who may also move a
    reply between shared and personal)."""
    reply = queries.get_reply(organization_id(), actor().id, canned_reply_id)
    reply = service.update_reply(
        actor(),
        reply.id,
        title=body.title if body.title is not None else reply.title,
        body=body.body if body.body is not None else reply.body,
        shared=body.shared if body.shared is not None else reply.shared,
    )
    out = _reply_out(reply)
    db.session.commit()
    return out


@operation(
    "DELETE",
    "/canned-replies/{canned_reply_id}",
    tag=REPLIES,
    summary="Delete a canned reply",
    status=204,
    path_params=REPLY_ID,
)
def canned_reply_delete(canned_reply_id: int):
    """Delete your own reply, or a shared one (senior agents and admins)."""
    service.delete_reply(actor(), canned_reply_id)
    db.session.commit()


# -- macros ----------------------------------------------------------------------------------


@operation(
    "GET",
    "/macros",
    tag=MACROS,
    summary="List macros",
    query=schemas.MacroListQuery,
    response=schemas.MacroPage,
    response_example={"data": [MACRO_EXAMPLE], "next_cursor": None},
)
def macro_list(query: schemas.MacroListQuery):
    """The organization's macros, oldest first."""
    rows = queries.list_macros(
        organization_id(), after_id=query.after_id, limit=query.limit + 1, by_name=False
    )
    more, rows = len(rows) > query.limit, rows[: query.limit]
    return schemas.MacroPage(
        data=[schemas.Macro.model_validate(m) for m in rows],
        next_cursor=str(rows[-1].id) if more else None,
    )


@operation(
    "POST",
    "/macros",
    tag=MACROS,
    summary="Create a macro",
    status=201,
    body=schemas.MacroCreate,
    response=schemas.Macro,
    conflicts=True,
    references=True,
    request_example=MACRO_CREATE,
    response_example=MACRO_EXAMPLE,
    links=MACRO_LINKS,
    headers=("Location",),
)
def macro_create(body: schemas.MacroCreate):
    """A macro (senior agents and admins); its name is unique in the organization (409)."""
    with fields_renamed(FIELD_NAMES):
        macro = service.create_macro(actor(), **body.model_dump())
    out = schemas.Macro.model_validate(macro)
    db.session.commit()
    return out, {"Location": url_for("api.macro_get", macro_id=macro.id)}


@operation(
    "GET",
    "/macros/{macro_id}",
    tag=MACROS,
    summary="Get a macro",
    response=schemas.Macro,
    response_example=MACRO_EXAMPLE,
    path_params=MACRO_ID,
)
def macro_get(macro_id: int):
    """One macro and its actions."""
    return schemas.Macro.model_validate(queries.get_macro(organization_id(), macro_id))


@operation(
    "PATCH",
    "/macros/{macro_id}",
    tag=MACROS,
    summary="Update a macro",
    body=schemas.MacroUpdate,
    response=schemas.Macro,
    conflicts=True,
    references=True,
    request_example={"status": "resolved", "add_tags": ["refund", "done"]},
    response_example=MACRO_EXAMPLE,
    path_params=MACRO_ID,
)
def macro_update(macro_id: int, body: schemas.MacroUpdate):
    """Change a macro (senior agents and admins); fields left out stay, `null` clears."""
    macro = queries.get_macro(organization_id(), macro_id)
    current = schemas.MacroCreate(
        name=macro.name, reply_body=macro.reply_body, reply_kind=macro.reply_kind,
        status=macro.status, priority=macro.priority, assignee_id=macro.assignee_id,
        team_id=macro.team_id, add_tags=macro.add_tags, remove_tags=macro.remove_tags,
    ).model_dump()  # fmt: skip
    values = {**current, **body.model_dump(exclude_unset=True)}
    with fields_renamed(FIELD_NAMES):
        macro = service.update_macro(actor(), macro.id, **values)
    out = schemas.Macro.model_validate(macro)
    db.session.commit()
    return out


@operation(
    "DELETE",
    "/macros/{macro_id}",
    tag=MACROS,
    summary="Delete a macro",
    status=204,
    path_params=MACRO_ID,
)
def macro_delete(macro_id: int):
    """Delete a macro (senior agents and admins); tickets' history keeps its name."""
    service.delete_macro(actor(), macro_id)
    db.session.commit()


@operation(
    "POST",
    "/tickets/{number}/macros/{macro_id}",
    tag="Tickets",
    summary="Apply a macro to a ticket",
    body=schemas.MacroApply,
    response=ticket_schemas.Ticket,
    conflicts=True,
    if_match=True,
    request_example={"version": 4},
    response_example=TICKET,
    path_params={**NUMBER, **MACRO_ID},
    links=TICKET_LINKS,
    headers=("ETag",),
)
def ticket_macro_apply(number: int, macro_id: int, body: schemas.MacroApply):
    """Apply every action of the macro through the ticket's own rules, as one group in its
    history, or none: a status the ticket cannot move to is a 409 naming `status`, a stale
    `version` (or `If-Match`) a 409 naming `version`. Mail and webhooks go out as for the single
    changes."""
    expected = _expected_version(body.version)
    ticket = tickets.get_ticket(organization_id(), number)
    macro = queries.get_macro(organization_id(), macro_id)
    try:
        with fields_renamed(FIELD_NAMES):
            service.apply_macro(ticket, macro, actor(), expected_version=expected)
        db.session.commit()
    except (StaleTicket, StaleDataError):
        raise _conflict(number) from None
    return _ticket_response(number)
