"""API views for the token's own agent: their notifications, marking them read, their preferences."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AliasChoices, Field, StrictBool

from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.api.schemas import MAX_ID, Input, Output
from supportdesk.extensions import db
from supportdesk.notifications import preferences, queries, service
from supportdesk.notifications.models import NotificationKind
from supportdesk.notifications.preferences import EMAIL_KINDS, Choice

TAG = "Notifications"
NOTIFICATION_ID = {"notification_id": "The notification's id (one of the token's agent)."}


class NotificationTicket(Output):
    """The ticket a notification is about."""

    number: int
    subject: str


class Notification(Output):
    """One notification of the token's agent."""

    id: int
    kind: NotificationKind
    text: str = Field(description="The line the console's notification list shows.")
    ticket: NotificationTicket | None = Field(
        description="The ticket it is about (null: it is about an export)."
    )
    export_id: int | None = Field(
        description="The export it is about (kind export_finished; GET /exports/{export_id})."
    )
    actor_id: int | None = Field(
        validation_alias=AliasChoices("actor_user_id", "actor_id"),
        description="The agent whose change it reports (null: the customer or the system).",
    )
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Output):
    """Newest first; pass `next_cursor` as `cursor` for older ones (null: no more)."""

    data: list[Notification]
    unread_count: int = Field(description="All unread notifications of the agent.")
    next_cursor: str | None


class NotificationListQuery(Input):
    """Which notifications, and paging (newest first)."""

    unread: bool = Field(default=False, description="Only the unread ones.")
    cursor: Annotated[str, Field(pattern=r"^[0-9]{1,10}$")] | None = Field(
        default=None, description="`next_cursor` of the previous page."
    )
    limit: int = Field(default=50, ge=1, le=200)


class MarkedRead(Output):
    """How many notifications were unread and are now read."""

    marked: int


class Preference(Output):
    """One kind's choice: in the console, and by email (`email_available`: false for kinds that
    are never mailed, SLA warnings)."""

    kind: NotificationKind
    in_app: bool
    email: bool
    email_available: bool


class PreferenceList(Output):
    """Every kind, in a fixed order."""

    data: list[Preference]


class PreferenceChange(Input):
    """A kind's new choice; a channel left out stays as it is."""

    in_app: bool | None = None
    email: bool | None = None


def _false(value: bool) -> bool:
    if value:
        raise ValueError("This kind is never emailed: leave it out or send false.")
    return value


# `false` only (a JSON boolean: 0 is not one).
NeverEmailed = Annotated[
    StrictBool, Field(json_schema_extra={"const": False}), AfterValidator(_false)
]


class InAppOnlyChange(Input):
    """The choice of a kind that is never emailed (SLA warnings): `email` may only be false."""

    in_app: bool | None = None
    email: NeverEmailed | None = Field(
        default=None, description="Always false: this kind is shown in the console only."
    )


class PreferenceUpdate(Input):
    """The kinds to change, by name; kinds left out keep their choice."""

    assigned: PreferenceChange | None = None
    customer_replied: PreferenceChange | None = None
    mentioned: PreferenceChange | None = None
    sla_warning: InAppOnlyChange | None = None
    sla_breached: PreferenceChange | None = None
    export_finished: PreferenceChange | None = None


NOTIFICATION = {
    "id": 42,
    "kind": "mentioned",
    "text": "Alex Agent mentioned you on #118 “Refund for order 5521”: “@maria can you check?”",
    "ticket": {"number": 118, "subject": "Refund for order 5521"},
    "export_id": None,
    "actor_id": 7,
    "created_at": "2026-11-27T09:30:00Z",
    "read_at": None,
}
PREFERENCES = {
    "data": [
        {
            "kind": k.value,
            "in_app": preferences.DEFAULTS[k].in_app,
            "email": preferences.DEFAULTS[k].email,
            "email_available": k in EMAIL_KINDS,
        }
        for k in NotificationKind
    ]
}


def _preferences(saved: dict[NotificationKind, Choice]) -> PreferenceList:
    return PreferenceList(
        data=[
            Preference(kind=k, in_app=c.in_app, email=c.email, email_available=k in EMAIL_KINDS)
            for k, c in saved.items()
        ]
    )


@operation(
    "GET",
    "/notifications",
    tag=TAG,
    summary="List my notifications",
    query=NotificationListQuery,
    response=NotificationPage,
    response_example={"data": [NOTIFICATION], "unread_count": 1, "next_cursor": None},
)
def notification_list(query: NotificationListQuery):
    """The token's agent's notifications, newest first: assignments, customer replies on their
    tickets, mentions in internal notes, SLA warnings and breaches, and their finished exports."""
    agent = actor()
    before = min(int(query.cursor), MAX_ID) if query.cursor else None
    rows = queries.list_for(
        organization_id(), agent.id, unread_only=query.unread, before=before, limit=query.limit + 1
    )
    page = rows[: query.limit]
    return NotificationPage(
        data=[Notification.model_validate(n) for n in page],
        unread_count=queries.unread_count(agent.id),
        next_cursor=str(page[-1].id) if len(rows) > query.limit else None,
    )


@operation(
    "POST",
    "/notifications/{notification_id}/read",
    tag=TAG,
    summary="Mark a notification read",
    response=Notification,
    response_example={**NOTIFICATION, "read_at": "2026-11-27T09:41:00Z"},
    path_params=NOTIFICATION_ID,
)
def notification_read(notification_id: int):
    """Mark one of the agent's notifications read (another agent's is a 404)."""
    row = service.mark_read(actor(), notification_id)
    out = Notification.model_validate(row)
    db.session.commit()
    return out


@operation(
    "POST",
    "/notifications/read-all",
    tag=TAG,
    summary="Mark all my notifications read",
    response=MarkedRead,
    response_example={"marked": 3},
)
def notification_read_all():
    """Mark every unread notification of the agent read."""
    marked = service.mark_all_read(actor())
    db.session.commit()
    return MarkedRead(marked=marked)


@operation(
    "GET",
    "/notification-preferences",
    tag=TAG,
    summary="Get my notification preferences",
    response=PreferenceList,
    response_example=PREFERENCES,
)
def notification_preferences_get():
    """Per kind, whether it reaches the agent in the console and by email."""
    return _preferences(preferences.choices(actor().id))


@operation(
    "PATCH",
    "/notification-preferences",
    tag=TAG,
    summary="Change my notification preferences",
    body=PreferenceUpdate,
    response=PreferenceList,
    request_example={"mentioned": {"email": False}, "sla_warning": {"in_app": True}},
    response_example=PREFERENCES,
)
def notification_preferences_update(body: PreferenceUpdate):
    """Change the agent's choice for the kinds named; SLA warnings cannot be mailed (422)."""
    agent = actor()
    current = preferences.choices(agent.id)
    changes: dict[NotificationKind, Choice] = {}
    for kind in NotificationKind:
        change = getattr(body, kind.value)
        if change is None:
            continue
        was = current[kind]
        changes[kind] = Choice(
            in_app=was.in_app if change.in_app is None else change.in_app,
            email=was.email if change.email is None else change.email,
        )
    out = _preferences(preferences.save(agent, changes))
    db.session.commit()
    return out
