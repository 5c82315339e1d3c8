"""Domain events in the transactional outbox: services record them, subscribers react before commit.

A service appends a TicketEvent (or another domain event) and calls `record`. When the session
commits, every subscriber sees the events of that transaction *before* the COMMIT, so the rows it
adds (outgoing emails, webhook deliveries) are written atomically with the change itself: all or
nothing. Subscribers must not do I/O; they queue work as rows and `jobs.defer` the job that sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Subscriber = Callable[[list[Any]], None]

_subscribers: list[Subscriber] = []
_PENDING = "supportdesk.pending_events"


def subscribe(handler: Subscriber) -> Subscriber:
    """Register `handler(events)`; registering the same function twice has no effect."""
    if handler not in _subscribers:
        _subscribers.append(handler)
    return handler


def record(session: Session, event: Any) -> None:
    """Remember `event` until the session commits (or forget it on rollback)."""
    session.info.setdefault(_PENDING, []).append(event)


def publish_pending(session: Session) -> None:
    """Hand the transaction's events to every subscriber; they may add rows to the session."""
    while session.info.get(_PENDING):
        events = session.info.pop(_PENDING)
        for handler in _subscribers:
            handler(events)


def discard_pending(session: Session) -> None:
    """Forget the events of a transaction that was rolled back."""
    session.info.pop(_PENDING, None)
