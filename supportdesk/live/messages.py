"""Live events from domain events: the subscriber that prepares them, and publishing after COMMIT.

`on_events` is the last entry of supportdesk.events.SUBSCRIBERS: it turns the transaction's
domain events into one small live event per ticket (what changed, the new version, which messages
were added) and one per agent who got an in-app notification. It does no I/O, like every
subscriber; the events wait in the session until `supportdesk.live.pending.dispatch_pending` publishes them right after
the COMMIT (supportdesk.extensions.Session.commit), so nobody hears of a change that rolled back.

A live event carries ids, numbers and kinds, never content: a page that hears of a change fetches
the fragment it shows through the ordinary, permission-checked routes. Events meant for one agent
carry `to`; the stream gives them to that agent only (supportdesk.live.broker.visible).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from supportdesk.extensions import db
from supportdesk.live.pending import PENDING as _PENDING
from supportdesk.notifications.models import AgentNotification
from supportdesk.sla.service import SlaBreached, SlaWarning
from supportdesk.tickets.domain_events import MessageCreated, TicketDeleted
from supportdesk.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)


def on_events(events: list[Any]) -> None:
    """The subscriber: add this batch's live events to those the COMMIT will publish.

    Live events are hints: a failure here is logged and never costs the agent their change.
    """
    try:
        _note(db.session.info.setdefault(_PENDING, {}), events)
    except Exception:
        log.exception("Live events of %d domain event(s) were not prepared", len(events))


def _note(pending: dict[tuple, dict[str, Any]], events: list[Any]) -> None:
    for event in events:
        if isinstance(event, TicketEvent):
            entry = _ticket_entry(pending, event.organization_id, event.ticket_id)
            entry["kinds"] = sorted({*entry["kinds"], event.kind.value})
            if event.actor_user_id is not None:
                entry["actor"] = event.actor_user_id
        elif isinstance(event, MessageCreated):
            entry = _ticket_entry(pending, event.organization_id, event.ticket_id)
            entry["messages"].append(
                {"id": event.message.id, "public": not event.message.is_internal}
            )
            if event.actor_user_id is not None:
                entry["actor"] = event.actor_user_id
        elif isinstance(event, SlaWarning | SlaBreached):
            entry = _ticket_entry(pending, event.organization_id, event.ticket_id)
            entry["sla"] = event.type
        elif isinstance(event, TicketDeleted):
            key = (event.ticket.organization_id, "ticket", event.ticket.id)
            pending[key] = {
                "type": "ticket",
                "ticket": event.ticket.number,
                "id": event.ticket.id,
                "deleted": True,
            }


@sa.event.listens_for(AgentNotification, "after_insert")
def _notification_added(mapper, connection, row: AgentNotification) -> None:
    """In-app notifications are rows, not events: each one inserted tells its agent's bell.

    A mapper event, because the rows are flushed by whichever query runs next, not by a round.
    """
    session = object_session(row)
    if session is not None:
        key = (row.organization_id, "notification", row.user_id)
        session.info.setdefault(_PENDING, {})[key] = {"type": "notification", "to": [row.user_id]}


def _ticket_entry(pending: dict, organization_id: int, ticket_id: int) -> dict[str, Any]:
    key = (organization_id, "ticket", ticket_id)
    entry = pending.get(key)
    ticket = db.session.get(Ticket, ticket_id)  # in the identity map already: no query
    if ticket is None:
        return {"kinds": [], "messages": []}  # deleted in this transaction (TicketDeleted says so)
    if entry is None:
        entry = pending[key] = {
            "type": "ticket",
            "ticket": ticket.number,
            "id": ticket_id,
            "version": ticket.version,
            "kinds": [],
            "messages": [],
        }
    if entry.get("deleted"):
        return {"kinds": [], "messages": []}  # a deleted ticket's last changes are moot
    # A later round (an automatic assignment) bumps the version again: keep the last one.
    entry["version"] = ticket.version
    return entry
