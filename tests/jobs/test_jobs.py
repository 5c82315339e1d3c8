"""The job platform: jobs start only after the commit, on RQ or in-process, and never get lost."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading

import pytest
from rq import Queue, SimpleWorker

from supportdesk import jobs, web
from supportdesk.extensions import db
from supportdesk.jobs.schedule import PERIODIC
from supportdesk.tickets.models import EventKind, Status, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.integration

CLOSE_JOB = "supportdesk.jobs.tickets.close_resolved_tickets"


def _resolved_long_ago(org, days=10):
    ticket = make_ticket(org, status=Status.RESOLVED)
    ticket.resolved_at = ticket.resolved_at - dt.timedelta(days=days)
    db.session.flush()
    return ticket


def _queued(queue: Queue, func_name: str) -> int:
    """Jobs of `func_name` waiting in `queue` (a commit may also wake other work: reports)."""
    return sum(1 for job in queue.get_jobs() if job.func_name == func_name)


def test_a_deferred_job_is_enqueued_only_when_the_commit_succeeds(app, org):
    queue = Queue("default", connection=app.extensions["redis"])
    _resolved_long_ago(org)
    jobs.defer(db.session, CLOSE_JOB, queue="default")
    assert _queued(queue, CLOSE_JOB) == 0
    db.session.commit()
    assert _queued(queue, CLOSE_JOB) == 1


def test_a_rolled_back_transaction_enqueues_nothing(app, org):
    queue = Queue("default", connection=app.extensions["redis"])
    jobs.defer(db.session, CLOSE_JOB, queue="default")
    db.session.rollback()
    db.session.commit()
    assert queue.count == 0


def test_a_worker_runs_the_job_inside_the_app(app, org):
    stale_id = _resolved_long_ago(org).id
    recent_id = _resolved_long_ago(org, days=1).id
    db.session.commit()
    redis = app.extensions["redis"]
    jobs.enqueue(CLOSE_JOB, queue="default")
    # The worker runs in this thread and ends each job with a fresh session: reload afterwards.
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)
    assert db.session.get(Ticket, stale_id).status is Status.CLOSED
    assert db.session.get(Ticket, recent_id).status is Status.RESOLVED
    event = db.session.scalars(
        db.select(TicketEvent).where(
            TicketEvent.ticket_id == stale_id, TicketEvent.kind == EventKind.STATUS
        )
    ).one()
    assert (event.actor_name, event.old_value, event.new_value) == ("System", "Resolved", "Closed")


def test_redis_down_at_commit_time_loses_nothing_and_says_so(app, org, caplog):
    from redis import Redis

    ticket = _resolved_long_ago(org)
    working, app.extensions["redis"] = (
        app.extensions["redis"],
        Redis.from_url("redis://127.0.0.1:1/0"),
    )
    try:
        jobs.defer(db.session, CLOSE_JOB, queue="default")
        with caplog.at_level(logging.WARNING, logger="supportdesk.jobs"):
            db.session.commit()  # does not raise: the change itself is saved
    finally:
        app.extensions["redis"].close()
        app.extensions["redis"] = working
    assert "will be retried by the sweep" in caplog.text
    assert db.session.get(Ticket, ticket.id) is not None


def test_a_job_no_sweep_would_find_runs_here_when_redis_is_down(app, org, caplog):
    """`here_if_redis_fails`: done in this process after the commit rather than lost; the
    other jobs of the commit stay left to the sweep, and Redis is asked only once."""
    from redis import Redis

    stale_id = _resolved_long_ago(org).id
    working, app.extensions["redis"] = (
        app.extensions["redis"],
        Redis.from_url("redis://127.0.0.1:1/0"),
    )
    try:
        jobs.defer(db.session, "supportdesk.jobs.reports.refresh_reports", queue="default")
        jobs.defer(db.session, CLOSE_JOB, queue="default", here_if_redis_fails=True)
        jobs.defer(db.session, "supportdesk.jobs.sla.sweep_sla", queue="default")
        with caplog.at_level(logging.WARNING, logger="supportdesk.jobs"):
            db.session.commit()
    finally:
        app.extensions["redis"].close()
        app.extensions["redis"] = working
    db.session.expire_all()
    assert db.session.get(Ticket, stale_id).status is Status.CLOSED  # ran here
    # Redis was asked once for this commit's jobs: the others are left to the sweep, said once.
    assert "refresh_reports will be retried by the sweep" in caplog.text
    assert "sweep_sla" not in caplog.text
    assert "more job(s) left to the sweep" in caplog.text


@pytest.mark.parametrize(
    "path", ["os.system", "tests.factories.make_ticket", "builtins.eval"], ids=str
)
def test_only_our_own_jobs_can_be_resolved(path):
    with pytest.raises(ValueError, match="not a supportdesk job"):
        jobs.resolve(path)


def test_an_unknown_queue_is_refused(app):
    with pytest.raises(ValueError, match="unknown queue"):
        jobs.defer(db.session, CLOSE_JOB, queue="nope")


def test_every_periodic_job_resolves_to_a_function():
    for func_path, queue, interval in PERIODIC:
        assert callable(jobs.resolve(func_path))
        assert queue in jobs.QUEUES and interval >= 60


def test_auto_close_can_be_switched_off(app, org):
    from supportdesk.jobs.tickets import close_resolved_tickets

    stale = _resolved_long_ago(org)
    app.config["AUTO_CLOSE_AFTER_DAYS"], saved = 0, app.config["AUTO_CLOSE_AFTER_DAYS"]
    try:
        assert close_resolved_tickets() == 0
    finally:
        app.config["AUTO_CLOSE_AFTER_DAYS"] = saved
    assert stale.status is Status.RESOLVED


def test_the_worker_command_runs_queued_jobs_in_burst_mode(app, org):
    stale_id = _resolved_long_ago(org).id
    db.session.commit()
    jobs.enqueue(CLOSE_JOB, queue="default")
    result = app.test_cli_runner().invoke(args=["worker", "default", "--burst"])
    assert result.exit_code == 0, result.output
    assert db.session.get(Ticket, stale_id).status is Status.CLOSED


def test_the_worker_command_refuses_unknown_queues(app):
    result = app.test_cli_runner().invoke(args=["worker", "mail"])
    assert result.exit_code == 1 and "Unknown queue(s): mail." in result.output


class _SilentRedis:
    """A TCP server that accepts connections and never answers, counting them: a Redis that
    hangs (paused, overloaded, or behind a dead network path)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"

    def _serve(self) -> None:
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for connection in self.accepted:
            connection.close()


def test_enqueueing_while_redis_hangs_gives_up_without_retrying(app, org, monkeypatch, caplog):
    silent = _SilentRedis()
    working = app.extensions["redis"]
    monkeypatch.setitem(app.config, "REDIS_URL", silent.url)
    try:
        web.init_redis(app)  # the app's own client, as create_app builds it
        ticket_id = _resolved_long_ago(org).id
        jobs.defer(db.session, CLOSE_JOB, queue="default")
        with caplog.at_level(logging.WARNING, logger="supportdesk.jobs"):
            # Returns: redis-py's default client would wait for an answer forever.
            db.session.commit()
    finally:
        app.extensions["redis"].close()
        app.extensions["redis"] = working
        silent.close()
    assert len(silent.accepted) == 1  # one try, no reconnecting
    assert "will be retried by the sweep" in caplog.text
    assert db.session.get(Ticket, ticket_id) is not None
