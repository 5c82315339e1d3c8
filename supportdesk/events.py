"""Domain events in the transactional outbox, and SUBSCRIBERS: the only list of what runs at COMMIT.

A service appends a TicketEvent (or another domain event) and calls `record`. When the session
commits (`supportdesk.extensions.Session.commit`), every subscriber in SUBSCRIBERS sees the events
of that transaction, in the order of the list, *before* the COMMIT: the rows they add (outgoing
emails, webhook deliveries, SLA clocks, an assignment) are written atomically with the change
itself, all or nothing. Subscribers must not do I/O; they queue work as rows and `jobs.defer` the
job that sends. Events a subscriber records (an automatic assignment) are handed to every
subscriber again, from the top of the list, before the same COMMIT.

A subscriber that raises stops the commit: nothing of the transaction is written (the caller rolls
back; a web request answers with the 500 page), and the failure is logged once, naming the
subscriber, with the request id (supportdesk.logs). A subscriber that must not cost the agent their
change catches its own errors and records them on its rows instead.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from supportdesk.logs import current_request_id

Subscriber = Callable[[list[Any]], None]

# Every subscriber, in the order it runs; each entry is "module.function", imported on first use
# (the domains import the session this module serves). Order matters: see each reason.
SUBSCRIBERS: tuple[str, ...] = (
    # 1. Webhooks before assignment: each payload is a snapshot of the ticket as its own event
    #    left it, so ticket.created shows version 1 with no assignee and the automatic assignment
    #    follows as ticket.assigned with version 2 (receivers drop events whose version is not
    #    newer). Its place relative to notifications does not matter.
    "supportdesk.webhooks.service.queue_events",
    # 1b. Satisfaction surveys (supportdesk.satisfaction) before mail: a resolution's survey
    #     row must exist when the resolution email is written, which carries its rating links.
    "supportdesk.satisfaction.service.on_ticket_events",
    # 2. Mail (the rules table of supportdesk.mail.rules) before assignment: a new ticket that
    #    already has an assignee mails "assigned" with its "created" event; were assignment first,
    #    the automatic assignee would get that mail twice (from "created" and again from its own
    #    "assignee" event). It also mails SLA breaches, disabled endpoints and address checks.
    "supportdesk.mail.rules.on_events",
    # 2b. In-app notifications (supportdesk.notifications): the same rules table as mail, one row
    #     per recipient agent. Events recorded later (an automatic assignment) come round again,
    #     so its place is free; beside mail, as its twin.
    "supportdesk.notifications.service.on_events",
    # 3. Assignment picks an agent for tickets arriving in an automatic team. Its "assignee"
    #    events go round the whole list again (webhook, "assigned" mail) before the same COMMIT.
    "supportdesk.assignment.service.on_ticket_events",
    # 4. SLA clocks: they follow the clock events of the history (created, status, reply,
    #    priority), which no subscriber above writes, so their place is free; last, as the one
    #    that only computes.
    "supportdesk.sla.service.on_ticket_events",
    # 5. CRM sync rows (supportdesk.crm): contact upserts and timeline entries. Reads only what
    #    the events carry; its place is free.
    "supportdesk.crm.service.on_events",
    # 6. Reports: note the tickets whose history grew, for the refresh job to count again
    #    (supportdesk.reports.service). After every subscriber that adds events.
    "supportdesk.reports.service.on_ticket_events",
    # 7. Live events for the console (supportdesk.live): last, so it sees every round's events
    #    and the notification rows added above; it only notes them, and they are published to
    #    the agents' streams after the COMMIT (extensions.Session.commit).
    "supportdesk.live.messages.on_events",
)

log = logging.getLogger(__name__)
_resolved: dict[str, Subscriber] = {}
_PENDING = "supportdesk.pending_events"


def subscriber(name: str) -> Subscriber:
    """The function a SUBSCRIBERS entry names (imported once)."""
    if name not in _resolved:
        module, _, function = name.rpartition(".")
        _resolved[name] = getattr(importlib.import_module(module), function)
    return _resolved[name]


def subscribers() -> list[Subscriber]:
    """The subscribers in the order they run (create_app calls it: a bad entry stops the start)."""
    return [subscriber(name) for name in SUBSCRIBERS]


def record(session: Session, event: Any) -> None:
    """Remember `event` until the session commits (or forget it on rollback)."""
    session.info.setdefault(_PENDING, []).append(event)


def publish_pending(session: Session) -> None:
    """Hand the transaction's events to every subscriber in order; they may add rows and events.

    The change itself is flushed first, so an error of its own is not blamed on a subscriber. A
    subscriber's error is logged, naming it, and raised again: the COMMIT does not happen.
    """
    while session.info.get(_PENDING):
        session.flush()
        events = session.info.pop(_PENDING)
        for name in SUBSCRIBERS:
            try:
                subscriber(name)(events)
            except Exception:
                log.exception(
                    "Subscriber %s failed on %d event(s); nothing of this transaction is saved",
                    name,
                    len(events),
                    extra={"subscriber": name, "request_id": current_request_id()},
                )
                raise


def discard_pending(session: Session) -> None:
    """Forget the events of a transaction that was rolled back."""
    session.info.pop(_PENDING, None)


def mark(session: Session) -> int:
    """Where the transaction's recorded events end now (see `forget_since`)."""
    return len(session.info.get(_PENDING, []))


def forget_since(session: Session, position: int) -> None:
    """Forget the events recorded after `mark` returned `position`: their savepoint rolled back."""
    del session.info.get(_PENDING, [])[position:]
