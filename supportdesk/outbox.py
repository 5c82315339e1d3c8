"""The outbox: rows of outgoing work (emails, webhook deliveries) that workers claim with a lease.

A service writes the row (state `queued`) in the same transaction as the change it reports.
After the commit a job is woken. The job *claims* rows — one atomic UPDATE that leases only rows
that are due and not leased (`claim_due`) — sends, then records the
outcome and clears the lease. A worker killed mid-send leaves a lease that expires after
`lease_seconds`; only the periodic sweep takes such a row back (`expired_leases`), so it can log
the attempt as interrupted before the row is sent again. Nothing is lost when Redis is down at
commit time or a worker dies, and jobs that run twice send once: the second claim finds the row
leased or no longer due.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from collections.abc import Callable, Iterable, Iterator
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


# Rows a batch claim looks at, oldest first, before capping each group: bounds the work of one
# claim whatever the backlog.
CLAIM_CANDIDATES = 2000


def claim_due(
    model: type,
    *,
    lease_seconds: int,
    limit: int,
    ids: list[int] | None = None,
    group: sa.ColumnElement | None = None,
    per_group: int = 0,
    skip_groups: list[int] | tuple[int, ...] = (),
) -> list[int]:
    """Lease up to `limit` due, unleased rows (oldest first) and return their ids.

    `ids` restricts the claim to those rows. With `group` (a column such as the endpoint), at
    most `per_group` rows of one group are taken, and none of `skip_groups`, so one busy group
    cannot fill a batch. One UPDATE; a row leased meanwhile by another worker fails the UPDATE's
    own conditions and is left out. The caller commits before it sends, so other workers see
    the leases (and may record earlier outcomes in the same transaction).
    """
    now = utcnow()
    due = [
        model.state.in_(PENDING_STATES),
        model.next_attempt_at <= now,
        model.locked_until.is_(None),
    ]
    if ids is not None:
        due.append(model.id.in_(ids))
    if group is not None and skip_groups:
        due.append(group.not_in(list(skip_groups)))
    oldest = (
        sa.select(
            model.id, model.next_attempt_at, *([group.label("grp")] if group is not None else [])
        )
        .where(*due)
        .order_by(model.next_attempt_at, model.id)
        .limit(CLAIM_CANDIDATES)
        .subquery()
    )
    if group is not None and per_group > 0:
        ranked = sa.select(
            oldest.c.id,
            oldest.c.next_attempt_at,
            sa.func.row_number()
            .over(partition_by=oldest.c.grp, order_by=(oldest.c.next_attempt_at, oldest.c.id))
            .label("rank"),
        ).subquery()
        chosen = (
            sa.select(ranked.c.id)
            .where(ranked.c.rank <= per_group)
            .order_by(ranked.c.next_attempt_at, ranked.c.id)
            .limit(limit)
        )
    else:
        chosen = sa.select(oldest.c.id).order_by(oldest.c.next_attempt_at, oldest.c.id).limit(limit)
    claimed = db.session.scalars(
        sa.update(model)
        .where(model.id.in_(chosen), *due)
        .values(locked_until=now + dt.timedelta(seconds=lease_seconds))
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).all()
    return list(claimed)


def relaxed_commit() -> None:
    """Let the current transaction's COMMIT return before its WAL is on disk (PostgreSQL only).

    For outbox bookkeeping only (leases, attempts, sent marks), never for users' data: a database
    crash may forget the last fraction of a second of it, and at worst an item is sent again,
    which delivery already allows (at least once; receivers de-duplicate by our ids). Waiting
    for a disk flush per batch would otherwise bound a worker's rate.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))


def expired_leases(model: type, *, limit: int = 1000) -> list[int]:
    """Ids of pending rows whose lease ran out: the worker holding them died mid-attempt."""
    return list(
        db.session.scalars(
            sa.select(model.id)
            .where(model.state.in_(PENDING_STATES), model.locked_until < utcnow())
            .order_by(model.id)
            .limit(limit)
        )
    )


@contextmanager
def released_on_stop(
    model: type, held: Callable[[], Iterable[int]], drain_job: str, *, queue: str
) -> Iterator[None]:
    """Around a batch's attempts: if the worker is stopped cold inside it, free the rows it holds
    (`held()`: the ids it claimed) and wake the drain, so the next worker sends them at once.

    RQ's cold shutdown raises SystemExit in the running job; without this the rows would wait
    for their leases to expire. An attempt may have reached the receiver: at-least-once, as ever.
    """
    try:
        yield
    except (SystemExit, KeyboardInterrupt):
        ids = list(held())
        db.session.rollback()
        if ids:
            db.session.execute(
                sa.update(model)
                .where(model.id.in_(ids), model.state.in_(PENDING_STATES))
                .values(locked_until=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            if current_app.extensions.get("redis") is not None:  # never re-run in-process here
                jobs.enqueue(drain_job, queue=queue)
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
