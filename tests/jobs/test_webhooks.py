"""Delivering webhooks to real receivers: signed, retried on a schedule, logged, never blocking."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import threading
import time

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from werkzeug import Response

from supportdesk import outbox
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.jobs import webhooks as webhook_jobs
from supportdesk.jobs.webhooks import DRAIN_JOB, deliver_webhook, sweep_webhooks
from supportdesk.outbox import OutboxState
from supportdesk.tickets import service as tickets
from supportdesk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.factories import make_ticket
from tests.fixtures.webhooks import (
    KeepAliveReceiver,
    deliveries,
    make_due,
    make_endpoint,
    payload,
    run_webhook_jobs,
    verify,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def endpoint(org, httpserver):
    """An endpoint of `org` on the test receiver, subscribed to ticket.created only."""
    return make_endpoint(org, httpserver.url_for("/hooks"), ["ticket.created"])


def _attempts(delivery_id: int) -> list[WebhookAttempt]:
    return list(
        db.session.scalars(
            db.select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        )
    )


def _wait_for_log(httpserver, count: int) -> None:
    for _ in range(100):
        if len(httpserver.log) >= count:
            return
        time.sleep(0.02)


def _one_event(org) -> WebhookDelivery:
    make_ticket(org)
    db.session.commit()
    [delivery] = deliveries()
    return delivery


def test_a_receiver_that_fails_three_times_then_accepts_gets_one_delivery_in_four_attempts(
    app, org, endpoint, httpserver
):
    secret, received = endpoint.secret, []

    def receiver(request):
        received.append((request.headers["webhook-id"], verify(request, secret)))
        return Response("busy", status=500) if len(received) <= 3 else Response("thanks")

    httpserver.expect_request("/hooks", method="POST").respond_with_handler(receiver)
    delivery_id = _one_event(org).id
    run_webhook_jobs(app)
    for _ in range(3):
        make_due()
        assert sweep_webhooks() == 1
        run_webhook_jobs(app)

    [delivery] = deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        OutboxState.SENT,
        4,
        200,
    )
    assert [a.status_code for a in _attempts(delivery_id)] == [500, 500, 500, 200]
    assert _attempts(delivery_id)[-1].response_excerpt == "thanks"
    assert {webhook_id for webhook_id, _ in received} == {delivery.event_id}
    assert all(body["type"] == "ticket.created" for _, body in received)
    assert sweep_webhooks() == 0


def test_a_failed_attempt_waits_on_the_backoff_schedule_and_returns_at_once(
    app, org, endpoint, httpserver
):
    httpserver.expect_request("/hooks").respond_with_data("no", status=502)
    delivery = _one_event(org)
    assert deliver_webhook(delivery.id) is False
    db.session.expire_all()
    [attempt] = _attempts(delivery.id)
    assert delivery.state is OutboxState.DEFERRED and delivery.locked_until is None
    wait = (delivery.next_attempt_at - attempt.attempted_at).total_seconds()
    assert 4.5 <= wait <= 5.5  # the first step of the schedule, with jitter
    assert delivery.last_error == "HTTP 502"
    assert deliver_webhook(delivery.id) is None  # not due yet: nothing is sent
    assert len(httpserver.log) == 1


def test_a_receiver_that_times_out_is_retried_later(app, org, endpoint, httpserver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_TIMEOUT", 0.2)
    release = threading.Event()

    def slow(request):
        release.wait(5)
        return Response("too late")

    httpserver.expect_request("/hooks").respond_with_handler(slow)
    delivery = _one_event(org)
    try:
        assert deliver_webhook(delivery.id) is False
    finally:
        release.set()
        _wait_for_log(httpserver, 1)  # the receiver finishes inside this test, not the next
    db.session.expire_all()
    [attempt] = _attempts(delivery.id)
    assert attempt.status_code is None and attempt.error == "Timed out after 0.2 s."
    assert delivery.state is OutboxState.DEFERRED


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/elsewhere")}
    )
    httpserver.expect_request("/elsewhere").respond_with_data("followed")
    delivery = _one_event(org)
    assert deliver_webhook(delivery.id) is False
    db.session.expire_all()
    assert [request.path for request, _ in httpserver.log] == ["/hooks"]
    assert delivery.state is OutboxState.DEFERRED
    assert _attempts(delivery.id)[0].error == "Redirects are not followed (HTTP 302)."


def test_410_gone_disables_the_endpoint_at_once(app, org, endpoint, httpserver, caplog):
    httpserver.expect_request("/hooks").respond_with_data("gone", status=410)
    delivery = _one_event(org)
    with caplog.at_level(logging.WARNING, logger="supportdesk.webhooks"):
        deliver_webhook(delivery.id)
    db.session.expire_all()
    assert delivery.state is OutboxState.FAILED
    assert endpoint.enabled is False and "410 Gone" in endpoint.disabled_reason
    assert "disabled" in caplog.text and endpoint.secret not in caplog.text
    make_ticket(org)
    db.session.commit()
    assert len(deliveries()) == 1  # nothing queued for a disabled endpoint


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        pytest.param(429, "120", 120, id="429-seconds"),
        pytest.param(503, "7", 7, id="503-seconds"),
        pytest.param(429, "in-a-while", None, id="unreadable-uses-backoff"),
        pytest.param(503, "date+2h", 3600, id="http-date-capped"),
        pytest.param(500, "120", None, id="ignored-on-500"),
    ],
)
def test_retry_after_is_honoured_on_429_and_503(
    app, org, endpoint, httpserver, status, retry_after, expected
):
    if retry_after == "date+2h":
        retry_after = email.utils.format_datetime(utcnow() + dt.timedelta(hours=2), usegmt=True)
    httpserver.expect_request("/hooks").respond_with_data(
        "slow down", status=status, headers={"Retry-After": retry_after}
    )
    delivery = _one_event(org)
    deliver_webhook(delivery.id)
    db.session.expire_all()
    wait = (delivery.next_attempt_at - _attempts(delivery.id)[0].attempted_at).total_seconds()
    if expected is None:
        assert 4.5 <= wait <= 5.5
    else:
        assert wait == pytest.approx(expected, abs=1)


def test_a_delivery_gives_up_after_the_last_retry(app, org, endpoint, httpserver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_RETRY_SCHEDULE", [5, 10])
    httpserver.expect_request("/hooks").respond_with_data("no", status=500)
    delivery = _one_event(org)
    deliver_webhook(delivery.id)
    for _ in range(2):
        make_due()
        deliver_webhook(delivery.id)
    db.session.expire_all()
    assert (delivery.state, delivery.attempts) == (OutboxState.FAILED, 3)
    assert endpoint.consecutive_failures == 1 and endpoint.enabled
    make_due()
    assert deliver_webhook(delivery.id) is None


def test_repeated_failed_deliveries_disable_the_endpoint_with_the_reason(
    app, org, endpoint, httpserver, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOKS_RETRY_SCHEDULE", "")  # no retries
    monkeypatch.setitem(app.config, "WEBHOOKS_DISABLE_AFTER_FAILURES", 2)
    httpserver.expect_request("/hooks").respond_with_data("no", status=500)
    make_ticket(org)
    make_ticket(org)
    db.session.commit()
    endpoint_id = endpoint.id
    run_webhook_jobs(app)
    assert [d.state for d in deliveries()] == [OutboxState.FAILED] * 2
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    assert endpoint.enabled is False
    assert endpoint.disabled_reason == "2 deliveries in a row failed."


def test_failures_spanning_more_than_a_day_disable_the_endpoint(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("no", status=500)
    endpoint.failing_since = utcnow() - dt.timedelta(days=1, minutes=1)
    delivery = _one_event(org)
    deliver_webhook(delivery.id)
    db.session.expire_all()
    assert endpoint.enabled is False
    assert endpoint.disabled_reason.startswith("Every delivery has failed since ")


def test_a_success_forgets_earlier_failures(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint.failing_since, endpoint.consecutive_failures = utcnow(), 3
    deliver_webhook(_one_event(org).id)
    db.session.expire_all()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)


def test_a_pending_retry_to_an_endpoint_disabled_meanwhile_is_dropped_unsent(
    app, org, endpoint, httpserver
):
    delivery = _one_event(org)
    endpoint.enabled = False
    db.session.commit()
    assert deliver_webhook(delivery.id) is False
    db.session.expire_all()
    assert (
        delivery.state is OutboxState.FAILED and delivery.last_error == "The endpoint was disabled."
    )
    assert httpserver.log == []


def test_a_dead_endpoint_does_not_delay_the_others(app, org, httpserver):
    dead = make_endpoint(org, "http://127.0.0.1:9/unreachable", ["ticket.created"])
    alive = make_endpoint(org, httpserver.url_for("/hooks"), ["ticket.created"])
    httpserver.expect_request("/hooks").respond_with_data("ok")
    dead_id, alive_id = dead.id, alive.id
    make_ticket(org)
    db.session.commit()
    run_webhook_jobs(app)
    [to_dead] = deliveries(dead_id)
    [to_alive] = deliveries(alive_id)
    assert to_alive.state is OutboxState.SENT
    assert to_dead.state is OutboxState.DEFERRED
    assert _attempts(to_dead.id)[0].error.startswith("Connection failed")
    assert to_dead.event_id == to_alive.event_id  # one event, one webhook-id everywhere


def test_a_delivery_whose_worker_died_is_picked_up_again_after_the_lease(
    app, org, endpoint, httpserver
):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    delivery = _one_event(org)
    # A worker claimed it, then died before recording anything.
    leased = outbox.claim_due(WebhookDelivery, lease_seconds=60, limit=1, ids=[delivery.id])
    db.session.commit()
    assert leased == [delivery.id]
    assert sweep_webhooks() == 0 and deliver_webhook(delivery.id) is None
    db.session.execute(
        db.update(WebhookDelivery).values(locked_until=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()
    assert sweep_webhooks() == 1
    run_webhook_jobs(app)
    assert deliveries()[0].state is OutboxState.SENT
    assert len(httpserver.log) == 1


def test_the_answer_is_stored_capped(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("x" * 100_000)
    delivery = _one_event(org)
    assert deliver_webhook(delivery.id) is True
    assert len(_attempts(delivery.id)[0].response_excerpt) == 4096


def test_the_request_is_signed_json_with_our_user_agent(app, org, endpoint, httpserver):
    secret = endpoint.secret
    seen = []

    def receiver(request):
        seen.append((dict(request.headers), verify(request, secret)))
        return Response("ok")

    httpserver.expect_request("/hooks", method="POST").respond_with_handler(receiver)
    delivery = _one_event(org)
    deliver_webhook(delivery.id)
    [(headers, body)] = seen
    assert headers["User-Agent"] == "supportdesk-webhooks/1"
    assert headers["Content-Type"] == "application/json"
    assert body == payload(delivery)


def test_without_redis_the_delivery_runs_in_process_after_the_commit(
    app, org, endpoint, httpserver
):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    redis, app.extensions["redis"] = app.extensions["redis"], None
    try:
        make_ticket(org)
        db.session.commit()
    finally:
        app.extensions["redis"] = redis
    assert deliveries()[0].state is OutboxState.SENT


def test_an_unknown_delivery_is_nothing_to_do(app):
    assert deliver_webhook(0) is None


def test_a_slow_receiver_holds_only_its_own_share_of_the_threads(app, org, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_THREADS", 4)
    monkeypatch.setitem(app.config, "WEBHOOKS_PER_ENDPOINT", 2)
    with KeepAliveReceiver() as receiver:
        slow_gate = receiver.hold("/slow")
        slow = make_endpoint(org, receiver.url("/slow"), ["ticket.created"])
        fast = make_endpoint(org, receiver.url("/fast"), ["ticket.created"])
        slow_id, fast_id = slow.id, fast.id
        for _ in range(6):
            make_ticket(org)
        db.session.commit()
        released_by_fast = []

        def open_the_slow_receiver_once_the_fast_one_has_everything() -> None:
            for _ in range(1000):
                if len(receiver.ports("/fast")) >= 6:
                    released_by_fast.append(True)
                    break
                time.sleep(0.02)
            slow_gate.set()  # after 20 s regardless, so a failing run ends

        watcher = threading.Thread(target=open_the_slow_receiver_once_the_fast_one_has_everything)
        watcher.start()
        run_webhook_jobs(app)
        watcher.join()
    assert released_by_fast == [True]  # every fast delivery arrived while the slow ones hung
    assert receiver.peak["/slow"] == 2  # the per-endpoint bound, reached and not passed
    assert [d.state for d in deliveries(fast_id)] == [OutboxState.SENT] * 6
    assert [d.state for d in deliveries(slow_id)] == [OutboxState.SENT] * 6


def test_a_failed_attempt_schedules_the_drain_for_its_retry_time(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("no", status=502)
    delivery_id = _one_event(org).id
    run_webhook_jobs(app)
    [delivery] = deliveries()
    registry = ScheduledJobRegistry("webhooks", connection=app.extensions["redis"])
    [job_id] = registry.get_job_ids()
    when = registry.get_scheduled_time(job_id)
    assert delivery.next_attempt_at <= when <= delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert Job.fetch(job_id, connection=app.extensions["redis"]).func_name == DRAIN_JOB
    assert [a.status_code for a in _attempts(delivery_id)] == [502]


def test_commits_while_a_drain_waits_wake_no_second_one(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    queue, org_id = Queue("webhooks", connection=app.extensions["redis"]), org.id
    for _ in range(3):
        make_ticket(org)
        db.session.commit()
    assert queue.count == 1
    run_webhook_jobs(app)
    assert [d.state for d in deliveries()] == [OutboxState.SENT] * 3
    make_ticket(db.session.get(type(org), org_id))
    db.session.commit()
    assert queue.count == 1  # the drain that ran cleared the mark: a new commit wakes a new one


def test_a_drain_that_reaches_its_time_limit_wakes_the_next(app, org, endpoint, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    make_ticket(org)
    make_ticket(org)
    db.session.commit()
    app.extensions["redis"].flushdb()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(webhook_jobs, "DRAIN_SECONDS", 0)
        patch.setitem(app.config, "WEBHOOKS_THREADS", 1)
        assert webhook_jobs.deliver_webhooks() == 1
    assert Queue("webhooks", connection=app.extensions["redis"]).count == 1
    run_webhook_jobs(app)
    assert [d.state for d in deliveries()] == [OutboxState.SENT] * 2


def test_a_deleted_ticket_reaches_a_real_receiver_signed(app, org, admin, httpserver):
    hook = make_endpoint(org, httpserver.url_for("/deleted"), ["ticket.deleted"])
    hook_id, secret, received = hook.id, hook.secret, []
    httpserver.expect_request("/deleted", method="POST").respond_with_handler(
        lambda request: received.append(verify(request, secret)) or Response("ok")
    )
    ticket = make_ticket(org, subject="Win a prize")
    db.session.commit()
    number = ticket.number

    tickets.delete_ticket(admin, ticket, reason="Spam")
    db.session.commit()
    run_webhook_jobs(app)

    [body] = received  # verify() raised if the signature were wrong
    assert body["type"] == "ticket.deleted"
    assert (body["data"]["ticket"]["number"], body["data"]["ticket"]["subject"]) == (
        number,
        "Win a prize",
    )
    [delivery] = deliveries(hook_id)
    assert delivery.state is OutboxState.SENT
