"""API views for tickets, their conversation and their history. Tickets are addressed by their
per-organization number, as in the console (`/tickets/118` is ticket #118)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm.exc import StaleDataError

from supportdesk.api import examples, schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.attachments import uploads
from supportdesk.api.errors import VersionMismatch, fields_renamed
from supportdesk.api.operations import if_match_version, operation
from supportdesk.api.serialize import event_out, message_out
from supportdesk.attachments.queries import for_messages as files_for_messages
from supportdesk.composer import service as composer
from supportdesk.errors import UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.replica import replica_reads
from supportdesk.tickets import merge, queries, service
from supportdesk.tickets.errors import ReplyCollision, StaleTicket, TicketNotFound
from supportdesk.tickets.models import Channel, MessageKind
from supportdesk.tickets.tags import filter_tag

TAG = "Tickets"
NUMBER = {"number": "The ticket's number in your organization (as in #118)."}
# From an answer carrying a ticket to what can be done with it next (OpenAPI links).
_THE_TICKET = {"number": "$response.body#/number"}
_AT_ITS_VERSION = {**_THE_TICKET, "header.If-Match": "$response.header.ETag"}
TICKET_LINKS = {
    "GetTicket": ("ticket_get", _THE_TICKET),
    "UpdateTicket": ("ticket_update", _AT_ITS_VERSION),
    "ReplyToTicket": ("message_create", _THE_TICKET),
    "ListMessages": ("message_list", _THE_TICKET),
    "ListEvents": ("event_list", _THE_TICKET),
    "DeleteTicket": ("ticket_delete", _AT_ITS_VERSION),
    "MergeTicket": ("ticket_merge", _THE_TICKET),
}
# The services name fields as the console does; the API names ids explicitly.
FIELD_NAMES = {"assignee": "assignee_id", "team": "team_id", "email": "customer_email"}


def _org() -> int:
    return organization_id()


def _conflict(number: int) -> StaleTicket:
    """A 409 that tells the client which version to read again (the console's says "below")."""
    db.session.rollback()
    current = queries.get_ticket(_org(), number).version
    error = StaleTicket(number, [])
    error.message = (
        f"Ticket #{number} was changed by someone else since you read it; nothing was saved. "
        f"Read it again (it is now at version {current}) and retry."
    )
    error.fields = {"version": f"The ticket is now at version {current}."}
    return error


def _expected_version(body_version: int | None) -> int | None:
    """The version a write was made against: the body's or If-Match's, refused if they differ."""
    header = if_match_version()
    if body_version is not None and header is not None and body_version != header:
        raise VersionMismatch(
            f"If-Match says version {header} but the body says {body_version}; "
            "nothing was saved. Send the version you read, once.",
            {
                "version": f"Differs from If-Match ({header}).",
                "If-Match": f"Differs from the body's version ({body_version}).",
            },
        )
    return body_version if body_version is not None else header


def _ticket_response(number: int, status_headers: dict | None = None):
    ticket = queries.get_ticket_detail(_org(), number)
    headers = {"ETag": f'"{ticket.version}"', **(status_headers or {})}
    return schemas.Ticket.model_validate(ticket), headers


@operation(
    "GET",
    "/tickets",
    tag=TAG,
    summary="List tickets",
    query=schemas.TicketListQuery,
    response=schemas.TicketPage,
    response_example=examples.TICKET_PAGE,
)
def ticket_list(query: schemas.TicketListQuery):
    """Tickets matching every filter given, newest activity first unless `sort`/`order` say
    otherwise, with keyset pagination: pass `next_cursor` back as `cursor`."""
    tag = filter_tag(query.tag) if query.tag is not None else None
    if query.tag is not None and tag is None:
        return schemas.TicketPage(data=[], next_cursor=None)  # no ticket carries a non-tag
    f = queries.QueueFilter(
        queue="all",
        statuses=query.status,
        priorities=query.priority,
        assignee_id=0 if query.assignee == "none" else query.assignee,
        team_id=query.team,
        tag=tag,
        customer_id=query.customer,
        updated_since=query.updated_since,
        sort=query.sort,
        descending=query.order == "desc",
    )
    with replica_reads(actor().id):  # a moment stale for others; the caller's writes are in
        page = queries.list_queue(
            _org(), actor().id, f, per_page=query.limit, after=query.cursor, before=None
        )
        return schemas.TicketPage(
            data=[schemas.Ticket.model_validate(t) for t in page.tickets],
            next_cursor=page.next_cursor,
        )


@operation(
    "POST",
    "/tickets",
    tag=TAG,
    summary="Open a ticket",
    status=201,
    body=schemas.TicketCreate,
    response=schemas.Ticket,
    conflicts=True,
    references=True,
    request_example=examples.TICKET_CREATE,
    response_example=examples.TICKET,
    links=TICKET_LINKS,
    headers=("Location", "ETag"),
    uploads=True,
)
def ticket_create(body: schemas.TicketCreate):
    """Open a ticket for a customer (found by email, or created), with the body as its first
    message; the channel is `api`."""
    with fields_renamed(FIELD_NAMES):
        ticket = service.open_ticket(
            _org(),
            actor=actor(),
            customer_email=body.customer_email,
            customer_name=body.customer_name,
            subject=body.subject,
            body=body.body,
            priority=body.priority,
            channel=Channel.API,
            assignee_id=body.assignee_id,
            team_id=body.team_id,
            tags=body.tags,
            attachments=uploads(body.attachments),
            custom_fields=body.custom_fields,
        )
    db.session.commit()
    location = url_for("api.ticket_get", number=ticket.number)
    return _ticket_response(ticket.number, {"Location": location})


@operation(
    "GET",
    "/tickets/{number}",
    tag=TAG,
    summary="Get a ticket",
    response=schemas.Ticket,
    response_example=examples.TICKET,
    path_params=NUMBER,
    links=TICKET_LINKS,
    headers=("ETag",),
)
def ticket_get(number: int):
    """One ticket with its customer, assignee, team and tags; `ETag` carries its version."""
    return _ticket_response(number)


@operation(
    "PATCH",
    "/tickets/{number}",
    tag=TAG,
    summary="Update a ticket",
    body=schemas.TicketUpdate,
    response=schemas.Ticket,
    conflicts=True,
    references=True,
    if_match=True,
    request_example=examples.TICKET_UPDATE,
    response_example=examples.TICKET,
    path_params=NUMBER,
    links=TICKET_LINKS,
    headers=("ETag",),
)
def ticket_update(number: int, body: schemas.TicketUpdate):
    """Change subject, status, priority, assignee, team, tags or custom fields in one save (one
    version); resolving refuses (422) while a field required on resolve has no value.
    Send the version you read (`If-Match: "4"` or `"version": 4`): if the ticket changed
    since, nothing is saved and the answer is 409. Sending both with different versions is
    also a 409 (`version_mismatch`, naming both): nothing is saved. Without a version the last
    save wins."""
    expected = _expected_version(body.version)
    ticket = queries.get_ticket(_org(), number)
    given = body.model_fields_set
    try:
        with fields_renamed(FIELD_NAMES):
            service.update_ticket(
                actor(),
                ticket,
                expected_version=expected,
                subject=body.subject,
                status=body.status,
                priority=body.priority,
                assignee_id=body.assignee_id if "assignee_id" in given else ...,
                team_id=body.team_id if "team_id" in given else ...,
                tags=body.tags,
                custom_fields=body.custom_fields,
            )
        db.session.commit()
    except (StaleTicket, StaleDataError):
        # StaleDataError: another save committed between our version check and our UPDATE.
        raise _conflict(number) from None
    return _ticket_response(number)


@operation(
    "DELETE",
    "/tickets/{number}",
    tag=TAG,
    summary="Delete a ticket (admins)",
    status=204,
    conflicts=True,
    if_match=True,
    path_params=NUMBER,
)
def ticket_delete(number: int):
    """Delete the ticket with its conversation and history; admins only. Resolve or close
    tickets instead: deleting is for spam and mistakes. Honours `If-Match`. The deletion is
    kept for admins (who, when, the ticket as it was) and sent as the webhook `ticket.deleted`."""
    ticket = queries.get_ticket(_org(), number)
    try:
        service.delete_ticket(actor(), ticket, expected_version=if_match_version())
        db.session.commit()
    except (StaleTicket, StaleDataError):
        raise _conflict(number) from None
    return None


@operation(
    "POST",
    "/tickets/{number}/merge",
    tag=TAG,
    summary="Merge a ticket into another",
    body=schemas.TicketMerge,
    response=schemas.Ticket,
    conflicts=True,
    references=True,
    if_match=True,
    request_example=examples.TICKET_MERGE,
    response_example=examples.TICKET,
    path_params=NUMBER,
    links=TICKET_LINKS,
    headers=("ETag",),
)
def ticket_merge(number: int, body: schemas.TicketMerge):
    """Move this ticket's conversation (messages with their attachments, in time order) to the
    ticket `into`, which gains this one's tags; this ticket closes and shows `merged_into`, and
    mail to it keeps landing on the survivor. Answers the survivor. 409 `merge_refused`: into
    itself, or this ticket was already merged; 409 `stale_version` for a stale version. The
    webhook `ticket.merged` follows."""
    expected = _expected_version(body.version)
    source = queries.get_ticket(_org(), number)
    try:
        target = queries.get_ticket(_org(), body.into)
    except TicketNotFound:
        raise UnknownReference(
            f"Ticket #{body.into} does not exist.", {"into": "No ticket has this number."}
        ) from None
    try:
        merged = merge.merge(
            actor(), source, target, expected_version=expected, target_version=body.into_version
        )
        survivor = merged.target.number
        db.session.commit()
    except (StaleTicket, StaleDataError):
        raise _conflict(number) from None
    return _ticket_response(survivor)


@operation(
    "POST",
    "/tickets/{number}/split",
    tag=TAG,
    summary="Split a message off into a new ticket",
    status=201,
    body=schemas.TicketSplit,
    response=schemas.Ticket,
    conflicts=True,
    references=True,
    request_example=examples.TICKET_SPLIT,
    response_example=examples.TICKET,
    path_params=NUMBER,
    links=TICKET_LINKS,
    headers=("Location", "ETag"),
)
def ticket_split(number: int, body: schemas.TicketSplit):
    """Move one public message into a new ticket for its customer, with this ticket's priority,
    team and assignee; answers the new ticket. The subject is the one given or the message's
    first line. 409 `merge_refused` for an internal note or a ticket's only message; 404 for a
    message of another ticket. Webhooks `ticket.created` and `ticket.split` follow."""
    ticket = queries.get_ticket(_org(), number)
    try:
        new = merge.split(
            actor(),
            ticket,
            body.message_id,
            subject=body.subject or "",
            expected_version=body.version,
        )
        created = new.number
        db.session.commit()
    except (StaleTicket, StaleDataError):
        raise _conflict(number) from None
    location = url_for("api.ticket_get", number=created)
    return _ticket_response(created, {"Location": location})


@operation(
    "GET",
    "/tickets/{number}/messages",
    tag=TAG,
    summary="List a ticket's messages",
    query=schemas.PageQuery,
    response=schemas.MessagePage,
    response_example=examples.MESSAGE_PAGE,
    path_params=NUMBER,
)
def message_list(number: int, query: schemas.PageQuery):
    """The conversation, oldest first: public replies, internal notes and customer messages."""
    ticket = queries.get_ticket(_org(), number)
    rows, more = queries.list_messages(
        _org(), ticket.id, after_id=query.after_id, limit=query.limit
    )
    files = files_for_messages(_org(), [m.id for m in rows])
    return schemas.MessagePage(
        data=[message_out(m, files=files.get(m.id, [])) for m in rows],
        next_cursor=str(rows[-1].id) if more else None,
    )


@operation(
    "POST",
    "/tickets/{number}/messages",
    tag=TAG,
    summary="Reply or add a note",
    status=201,
    body=schemas.MessageCreate,
    response=schemas.TicketMessage,
    conflicts=True,
    request_example=examples.MESSAGE_CREATE,
    response_example=examples.MESSAGE,
    path_params=NUMBER,
    uploads=True,
)
def message_create(number: int, body: schemas.MessageCreate):
    """Add a public reply (`kind: public`, the customer sees it) or an internal note
    (`kind: internal`), with files in `attachments` (base64; a public reply's files are sent
    to the customer as attachments, `inline` images in the HTML part). A merged ticket takes
    none (409 `ticket_merged`): write on the ticket named by its `merged_into`. A reply with
    `last_seen_message_id` older than the newest public message is not sent (409
    `newer_messages`, the newer messages in `error.messages`), so the customer is not answered
    twice."""
    ticket = queries.get_ticket(_org(), number)
    extras = {"body_format": body.body_format, "time_spent_minutes": body.time_spent_minutes}
    files = uploads(body.attachments)
    if body.kind is MessageKind.INTERNAL:
        if body.cc:
            raise ValidationFailed(
                "An internal note is never sent, so it has no Cc.",
                {"cc": "Internal notes are never emailed: remove cc, or send kind public."},
            )
        message = service.add_note(actor(), ticket, body.body, files, **extras)
    else:
        try:
            message = service.reply(
                actor(), ticket, body.body, files, cc=body.cc,
                last_seen_message_id=body.last_seen_message_id, **extras,
            )  # fmt: skip
        except ReplyCollision as collision:
            collision.details = {
                "messages": [message_out(m).model_dump(mode="json") for m in collision.messages]
            }
            raise
    stored = files_for_messages(_org(), [message.id]).get(message.id, [])
    out = message_out(message, author=actor(), files=stored)
    db.session.commit()
    return out


@operation(
    "GET",
    "/tickets/{number}/time-spent",
    tag=TAG,
    summary="Time spent on a ticket",
    response=schemas.TimeSpent,
    response_example=examples.TIME_SPENT,
    path_params=NUMBER,
)
def time_spent_get(number: int):
    """Minutes agents recorded on the ticket's replies and notes (time tracking), in total and
    per agent."""
    ticket = queries.get_ticket(_org(), number)
    shares = composer.agent_minutes(_org(), ticket.id)
    return schemas.TimeSpent(
        total_minutes=sum(minutes for _, minutes in shares),
        by_agent=[
            schemas.AgentMinutes(agent=schemas.AgentRef.model_validate(agent), minutes=minutes)
            for agent, minutes in shares
        ],
    )


@operation(
    "GET",
    "/tickets/{number}/events",
    tag=TAG,
    summary="List a ticket's history",
    query=schemas.PageQuery,
    response=schemas.EventPage,
    response_example=examples.EVENT_PAGE,
    path_params=NUMBER,
)
def event_list(number: int, query: schemas.PageQuery):
    """Every change to the ticket, oldest first: who, what, old → new, and on which version."""
    ticket = queries.get_ticket(_org(), number)
    rows, more = queries.list_events(_org(), ticket.id, after_id=query.after_id, limit=query.limit)
    return schemas.EventPage(
        data=[event_out(e) for e in rows], next_cursor=str(rows[-1].id) if more else None
    )
