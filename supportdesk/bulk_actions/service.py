"""Apply a bulk action: to a page of tickets inside the request, or to any number in the
background (a `BulkJob` the worker runs in committed batches).

Every ticket goes through `_apply_one`: its own savepoint, the ticket read fresh and locked, the
single action's service (the same rules, history, and at COMMIT the same webhooks and mail), and
a flush. A ticket the rules refuse is rolled back to its savepoint and reported in words; the
others proceed. The background job commits every BATCH tickets, so it never holds more than a
batch of row locks, and it records its progress with each batch: a job run again (a worker
died, the sweep re-enqueued it) goes on from where the last commit left it, never twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from supportdesk import events, jobs
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.bulk_actions.actions import Params, get_action
from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure, JobStatus
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, DomainError, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import QueueFilter, queue_conditions

log = logging.getLogger(__name__)

# Tickets per committed batch of a background job: row locks held at most this many at a time.
BATCH = 100
# The most tickets one bulk action may select (a job's id list stays a few hundred kilobytes).
MAX_SELECTION = 50_000
RUN_JOB = "supportdesk.jobs.bulk_actions.run_bulk_job"
# One RQ job runs batches for about this long, then hands the rest to a new job: no run comes
# near RQ's job timeout, and other jobs of the queue take turns with a long bulk job.
SLICE_SECONDS = 60
# A queued or running job with no committed batch for this long has lost its worker (the sweep
# enqueues it again; it goes on from its last commit).
STALLED_AFTER = dt.timedelta(minutes=5)
STALE = "It was changed by someone else at the same moment; apply the action to it again."
GONE = "It no longer exists (deleted meanwhile)."


@dataclass
class Outcome:
    """What a bulk action did: how many tickets it went through, and those it refused, why."""

    params: Params
    done: int = 0
    failures: list[tuple[int | None, str]] = field(default_factory=list)  # (number, reason)
    spared: list[tuple[int, str]] = field(default_factory=list)  # left as meant: (number, why)


# -- selecting the tickets ------------------------------------------------------------------


def ids_for_numbers(organization_id: int, numbers: list[int]) -> list[int]:
    """The ids of these ticket numbers in the organization; an unknown number is refused."""
    wanted = sorted(set(numbers))
    if not wanted:
        raise ValidationFailed("Select at least one ticket.", {"tickets": "Select tickets."})
    if len(wanted) > MAX_SELECTION:
        raise ValidationFailed(
            "Too many tickets.", {"tickets": f"Select at most {MAX_SELECTION:,} tickets."}
        )
    found = dict(
        db.session.execute(
            sa.select(Ticket.number, Ticket.id).where(
                Ticket.organization_id == organization_id, Ticket.number.in_(wanted)
            )
        ).all()
    )
    missing = [n for n in wanted if n not in found]
    if missing:
        listed = ", ".join(f"#{n}" for n in missing[:10])
        raise UnknownReference(
            f"No such ticket: {listed}.", {"tickets": f"No such ticket: {listed}."}
        )
    return [found[n] for n in wanted]


def ids_matching(organization_id: int, user_id: int, f: QueueFilter) -> list[int]:
    """The ids of every ticket the queue filter matches now (one query on the queue's indexes);
    more than MAX_SELECTION is refused (409: the filter is fine, the stored tickets too many)."""
    ids = list(
        db.session.scalars(
            sa.select(Ticket.id)
            .where(*queue_conditions(organization_id, user_id, f))
            .order_by(Ticket.id)
            .limit(MAX_SELECTION + 1)
        )
    )
    if len(ids) > MAX_SELECTION:
        raise Conflict(
            f"More than {MAX_SELECTION:,} tickets match; narrow the filter.",
            {"tickets": f"Select at most {MAX_SELECTION:,} tickets."},
        )
    return ids


# -- one ticket -----------------------------------------------------------------------------


def _apply_one(
    actor: User, organization_id: int, ticket_id: int, name: str, params: Params
) -> tuple[int | None, str | None]:
    """Apply the action to one ticket in a savepoint: (its number, the reason it was refused).

    The ticket is read fresh and locked (FOR UPDATE, until the batch commits), so a save of
    someone else's waits for us or we for it; a stale version all the same is retried once.
    """
    action = get_action(name)
    number = None
    for attempt in (1, 2):
        mark = events.mark(db.session)
        savepoint = db.session.begin_nested()
        try:
            ticket = db.session.scalar(
                sa.select(Ticket)
                .where(Ticket.organization_id == organization_id, Ticket.id == ticket_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if ticket is None:
                savepoint.rollback()
                return None, GONE
            number = ticket.number
            with db.session.no_autoflush:
                action.apply(actor, ticket, params)
            db.session.flush()
            savepoint.commit()
            return number, None
        except DomainError as exc:
            savepoint.rollback()
            events.forget_since(db.session, mark)
            return number, exc.message
        except StaleDataError:
            savepoint.rollback()
            events.forget_since(db.session, mark)
            if attempt == 2:
                return number, STALE
    return number, STALE  # pragma: no cover - the loop always returns


def _check(actor: User, organization_id: int, name: str, raw: Params) -> Params:
    action = get_action(name)
    require(actor, "ticket.bulk")  # the right to work in bulk, then the action's own
    require(actor, action.permission)
    if actor.organization_id != organization_id:
        raise ValidationFailed("You cannot change tickets of another organization.")
    return action.check(organization_id, raw)


def _spare(name: str, params: Params, ticket_ids: list[int]) -> tuple[list[int], list]:
    """The selection without the ticket the action leaves as it is (a merge's target), and that
    ticket as (number, why) when it was selected."""
    spares = get_action(name).spares
    if spares is None:
        return ticket_ids, []
    spared_id, number, reason = spares(params)
    if spared_id not in ticket_ids:
        return ticket_ids, []
    return [i for i in ticket_ids if i != spared_id], [(number, reason)]


def apply_now(
    actor: User, organization_id: int, ticket_ids: list[int], name: str, raw: Params
) -> Outcome:
    """Apply the action to a few tickets inside the caller's transaction (the caller commits)."""
    params = _check(actor, organization_id, name, raw)
    ticket_ids, spared = _spare(name, params, ticket_ids)
    outcome = Outcome(params, spared=spared)
    for ticket_id in ticket_ids:
        number, reason = _apply_one(actor, organization_id, ticket_id, name, params)
        if reason is None:
            outcome.done += 1
        else:
            outcome.failures.append((number, reason))
    return outcome


# -- the background job ---------------------------------------------------------------------


def start_job(
    actor: User,
    organization_id: int,
    ticket_ids: list[int],
    name: str,
    raw: Params,
    *,
    selection: dict | None = None,
) -> BulkJob:
    """Record a bulk job on these tickets; it runs after the caller's COMMIT (RQ or in-process).
    A ticket the action spares (a merge's target) is left out of the job and its total."""
    params = _check(actor, organization_id, name, raw)
    ticket_ids, _spared = _spare(name, params, ticket_ids)
    job = BulkJob(
        organization_id=organization_id,
        created_by_user_id=actor.id,
        action=name,
        params=params,
        selection=selection or {},
        ticket_ids=list(ticket_ids),
        total=len(ticket_ids),
        status=JobStatus.QUEUED,
    )
    db.session.add(job)
    db.session.flush()
    jobs.defer(db.session, RUN_JOB, job.id, queue="default")
    return job


def _locked_job(job_id: int) -> BulkJob | None:
    return db.session.scalar(
        sa.select(BulkJob)
        .where(BulkJob.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def run_batch(job_id: int) -> bool:
    """Apply the job to its next BATCH tickets and commit; False when there is nothing left.

    The job's row is locked for the batch, so two runs of one job (a re-enqueued job) take
    turns and each goes on from the other's committed progress.
    """
    job = _locked_job(job_id)
    if job is None or job.status.finished:
        db.session.rollback()
        return False
    actor = db.session.get(User, job.created_by_user_id)
    if job.status is JobStatus.QUEUED:
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        try:
            require(actor, get_action(job.action).permission)
        except DomainError as exc:
            job.status, job.finished_at, job.error = JobStatus.FAILED, utcnow(), exc.message
            db.session.commit()
            return False
    batch = job.ticket_ids[job.processed : job.processed + BATCH]
    done = failed = 0  # counted apart: the job row is written once per batch, not per flush
    for ticket_id in batch:
        number, reason = _apply_one(actor, job.organization_id, ticket_id, job.action, job.params)
        if reason is None:
            done += 1
        else:
            failed += 1
            db.session.add(
                BulkJobFailure(
                    organization_id=job.organization_id,
                    bulk_job_id=job.id,
                    ticket_id=ticket_id,
                    ticket_number=number,
                    reason=reason[:500],
                )
            )
    job.done, job.failed, job.updated_at = job.done + done, job.failed + failed, utcnow()
    if job.processed >= job.total:
        job.status, job.finished_at = JobStatus.COMPLETED, utcnow()
    db.session.commit()
    return not job.status.finished


def run_job(job_id: int, *, seconds: float | None = None) -> bool:
    """Run a job's batches for about `seconds` (SLICE_SECONDS): True when some are left.

    An unexpected error fails the job, saying how far it got (and is raised again).
    """
    deadline = time.monotonic() + (SLICE_SECONDS if seconds is None else seconds)
    try:
        while run_batch(job_id):
            if time.monotonic() >= deadline:
                return True
        return False
    except Exception:
        db.session.rollback()
        job = _locked_job(job_id)
        if job is not None and not job.status.finished:
            job.status, job.finished_at = JobStatus.FAILED, utcnow()
            job.error = (
                f"An unexpected error stopped the job after {job.processed} of {job.total} "
                "tickets; the tickets before it are changed."
            )
            db.session.commit()
        raise


def stalled_jobs(*, quiet_for: dt.timedelta = STALLED_AFTER) -> list[int]:
    """Ids of queued or running jobs with no batch committed for `quiet_for` (worker lost)."""
    return list(
        db.session.scalars(
            sa.select(BulkJob.id)
            .where(
                BulkJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
                BulkJob.updated_at < utcnow() - quiet_for,
            )
            .order_by(BulkJob.id)
        )
    )
