"""The outbox: rows of outgoing work (emails, webhook deliveries) that workers claim with a lease.

A service writes the row (state `queued`) in the same transaction as the change it reports.
After the commit a job is enqueued with the row's id. The job *claims* the row — one atomic
UPDATE that succeeds only if the row is due and not leased by another worker — sends, then
records the outcome. A worker killed mid-send leaves a lease that expires after
`lease_seconds`; the periodic sweep (`due_ids`) finds the row again and re-enqueues it, so
nothing is lost when Redis is down at commit time or a worker dies. Jobs that run twice send
once: the second claim fails because the row is no longer due.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk import jobs
from supportdesk.db import UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class OutboxState(enum.Enum):
    """Where an outgoing item is: waiting, sent, waiting for a retry, or given up."""

    QUEUED = "queued"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


PENDING_STATES = (OutboxState.QUEUED, OutboxState.DEFERRED)


class OutboxMixin:
    """Columns every outbox row has. Index (state, next_attempt_at) in the concrete table."""

    state: Mapped[OutboxState] = mapped_column(
        enum_column(OutboxState, "outbox_state"), default=OutboxState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(1000), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def claim(model: type, row_id: int, *, lease_seconds: int) -> bool:
    """Take a lease on a due row; False when it is not due, already sent, or leased elsewhere.

    One conditional UPDATE, committed at once so other workers see the lease immediately.
    """
    now = utcnow()
    claimed = db.session.execute(
        sa.update(model)
        .where(
            model.id == row_id,
            model.state.in_(PENDING_STATES),
            model.next_attempt_at <= now,
            sa.or_(model.locked_until.is_(None), model.locked_until < now),
        )
        .values(locked_until=now + dt.timedelta(seconds=lease_seconds))
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    return claimed is not None


@contextmanager
def released_on_stop(model: type, row_id: int, job_path: str, *, queue: str) -> Iterator[None]:
    """Around an attempt: if the worker is stopped cold inside it, free the row and re-enqueue it.

    RQ's cold shutdown raises SystemExit in the running job; without this the row would wait
    for its lease to expire. The attempt may have reached the receiver: at-least-once, as ever.
    """
    try:
        yield
    except (SystemExit, KeyboardInterrupt):
        db.session.rollback()
        db.session.execute(
            sa.update(model)
            .where(model.id == row_id, model.state.in_(PENDING_STATES))
            .values(locked_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if current_app.extensions.get("redis") is not None:  # never re-run in-process here
            jobs.enqueue(job_path, row_id, queue=queue)
        raise


def backoff(attempt: int, schedule: list[int], *, jitter: float = 0.1) -> dt.timedelta:
    """The wait before retry number `attempt` (1-based) from `schedule` seconds, with jitter."""
    base = schedule[min(attempt, len(schedule)) - 1]
    return dt.timedelta(seconds=base * (1 + random.uniform(-jitter, jitter)))  # noqa: S311


def due_ids(model: type, *, limit: int = 1000) -> list[int]:
    """Ids of rows that should be (re)sent now: queued or deferred, due, and not leased."""
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(model.id)
            .where(
                model.state.in_(PENDING_STATES),
                model.next_attempt_at <= now,
                sa.or_(model.locked_until.is_(None), model.locked_until < now),
            )
            .order_by(model.next_attempt_at)
            .limit(limit)
        )
    )


def oldest_due_age(model: type) -> int:
    """Seconds since the longest-waiting due row of `model` became due (0 when none is due).

    Reads the (state, next_attempt_at) index: one row, whatever the outbox size.
    """
    now = utcnow()
    oldest = db.session.execute(
        sa.select(sa.func.min(model.next_attempt_at)).where(
            model.state.in_(PENDING_STATES), model.next_attempt_at <= now
        )
    ).scalar()
    if oldest is None:
        return 0
    return max(0, int((now - oldest).total_seconds()))
