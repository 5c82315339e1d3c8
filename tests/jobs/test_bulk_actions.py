"""Bulk jobs on real Redis: enqueued after the commit, run by an RQ worker in committed batches."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from rq import Queue, SimpleWorker

from supportdesk.bulk_actions import service
from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure, JobStatus
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.jobs.bulk_actions import resume_bulk_jobs
from supportdesk.tickets.models import EventKind, Status, Ticket, TicketEvent
from tests.factories import make_staff, make_ticket

pytestmark = pytest.mark.integration


def _run_default_queue(app) -> None:
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def _status_events(ids: list[int]) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TicketEvent)
        .where(TicketEvent.ticket_id.in_(ids), TicketEvent.kind == EventKind.STATUS)
    )


def _job(job_id: int) -> BulkJob:
    db.session.expire_all()
    return db.session.get(BulkJob, job_id)


@pytest.fixture
def selection(app, monkeypatch):
    """Seven tickets, one of them closed, and batches of three (so the job commits three times)."""
    monkeypatch.setattr(service, "BATCH", 3)
    staff = make_staff()
    tickets = [make_ticket(staff.org) for _ in range(6)]
    tickets.insert(4, make_ticket(staff.org, status=Status.CLOSED))
    # Plain values: the worker ends each job with a fresh session, detaching these rows.
    return staff, [t.id for t in tickets], tickets[4].number


def _queued(queue: Queue) -> int:
    """Bulk jobs waiting in `queue` (the commit may also wake other work, such as reports)."""
    return sum(1 for job in queue.get_jobs() if job.func_name == service.RUN_JOB)


def test_the_job_is_enqueued_at_commit_and_the_worker_runs_it_to_the_end(app, selection):
    staff, ids, closed_number = selection
    queue = Queue("default", connection=app.extensions["redis"])
    job_id = service.start_job(staff.agent, staff.org.id, ids, "status", {"status": "resolved"}).id
    assert _queued(queue) == 0
    db.session.commit()
    assert _queued(queue) == 1

    _run_default_queue(app)

    job = _job(job_id)
    assert (job.status, job.total, job.done, job.failed) == (JobStatus.COMPLETED, 7, 6, 1)
    assert job.started_at is not None and job.finished_at >= job.started_at
    [failure] = db.session.scalars(sa.select(BulkJobFailure)).all()
    assert failure.ticket_number == closed_number
    assert failure.reason == "A ticket that is closed cannot be moved to resolved."
    statuses = db.session.scalars(sa.select(Ticket.status).where(Ticket.id.in_(ids))).all()
    assert sorted(s.value for s in statuses) == ["closed"] + ["resolved"] * 6
    assert _status_events(ids) == 6


def test_a_job_run_again_goes_on_from_its_last_commit_and_changes_nothing_twice(app, selection):
    staff, ids, _ = selection
    job = service.start_job(staff.agent, staff.org.id, ids, "status", {"status": "pending"})
    db.session.commit()
    # A first worker commits one batch, then dies; the job is enqueued again (the sweep).
    assert service.run_batch(job.id) is True
    assert (_job(job.id).status, _job(job.id).processed) == (JobStatus.RUNNING, 3)
    Queue("default", connection=app.extensions["redis"]).enqueue(service.RUN_JOB, job.id)

    _run_default_queue(app)
    assert (_job(job.id).status, _job(job.id).processed) == (JobStatus.COMPLETED, 7)
    assert _status_events(ids) == 6

    Queue("default", connection=app.extensions["redis"]).enqueue(service.RUN_JOB, job.id)
    _run_default_queue(app)
    assert _status_events(ids) == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BulkJobFailure)) == 1


def test_a_job_whose_agent_lost_the_right_fails_saying_why(app, selection):
    staff, ids, _ = selection
    job_id = service.start_job(
        staff.agent, staff.org.id, [ids[0]], "status", {"status": "pending"}
    ).id
    db.session.commit()
    staff.agent.active = False
    db.session.commit()

    _run_default_queue(app)

    job = _job(job_id)
    assert job.status is JobStatus.FAILED
    assert "cannot do this" in job.error
    assert _status_events([ids[0]]) == 0


def test_a_long_job_runs_in_slices_each_enqueueing_the_rest(app, selection, monkeypatch):
    staff, ids, _ = selection
    monkeypatch.setattr(service, "SLICE_SECONDS", 0)  # one batch per RQ job
    job_id = service.start_job(staff.agent, staff.org.id, ids, "priority", {"priority": "low"}).id
    db.session.commit()
    queue = Queue("default", connection=app.extensions["redis"])
    worker = SimpleWorker([queue], connection=app.extensions["redis"])

    worker.work(burst=True, max_jobs=1)
    assert (_job(job_id).processed, _queued(queue)) == (3, 1)
    worker.work(burst=True)
    job = _job(job_id)
    assert (job.status, job.done, job.failed) == (JobStatus.COMPLETED, 7, 0)


def test_the_sweep_enqueues_a_job_whose_worker_was_lost(app, selection):
    staff, ids, _ = selection
    job_id = service.start_job(staff.agent, staff.org.id, ids, "status", {"status": "pending"}).id
    db.session.commit()
    Queue("default", connection=app.extensions["redis"]).empty()  # the job was lost
    assert service.run_batch(job_id) is True  # one batch, then the worker died
    assert resume_bulk_jobs() == 0  # it is not quiet for long yet
    db.session.execute(sa.update(BulkJob).values(updated_at=utcnow() - dt.timedelta(minutes=6)))
    db.session.commit()

    assert resume_bulk_jobs() == 1
    _run_default_queue(app)
    job = _job(job_id)
    assert (job.status, job.done, job.failed) == (JobStatus.COMPLETED, 6, 1)
    assert _status_events(ids) == 6
