"""Webhook jobs: the drain that delivers what is due, one named delivery, and the sweep.

The drain claims due deliveries in batches and posts them from a small thread pool, at most
WEBHOOKS_PER_ENDPOINT at a time to one endpoint, so a slow receiver holds only its own share of
the threads while others keep flowing. It records each answer as it comes and claims more as
threads free up, until nothing is due or DRAIN_SECONDS have passed (then it finishes what it
started, and the next wake-up carries on). The database is used from the job's own thread only;
the pool's threads do the HTTP and nothing else. Commits that queue deliveries wake the drain
(jobs.wake), each retry is scheduled for its time (jobs.defer at=), and the sweep takes back what
a dead worker left, logging that attempt as interrupted.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from supportdesk import jobs, outbox
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.webhooks import service, signing, transport
from supportdesk.webhooks.models import WebhookDelivery

DRAIN_JOB = service.DRAIN_JOB
DRAIN_SECONDS = 10.0  # stop claiming after this, so the worker's other queues get their turn
POLL_SECONDS = 0.2  # while answers are awaited, look for newly due deliveries this often


@dataclass(frozen=True)
class _Post:
    """What a pool thread needs for one attempt: primitives only, no database rows."""

    delivery_id: int
    endpoint_id: int
    url: str
    body: bytes
    headers: dict[str, str]


class _Drain:
    """One run: claimed deliveries waiting per endpoint, the ones in flight, and their outcomes."""

    def __init__(self) -> None:
        config = current_app.config
        self.size = int(config["WEBHOOKS_THREADS"])
        self.per_endpoint = int(config["WEBHOOKS_PER_ENDPOINT"])
        self.lease = int(config["WEBHOOKS_LEASE_SECONDS"])
        self.options = {
            "connect_timeout": float(config["WEBHOOKS_CONNECT_TIMEOUT"]),
            "total_timeout": float(config["WEBHOOKS_TIMEOUT"]),
            "allow_private": bool(config["WEBHOOKS_ALLOW_PRIVATE"]),
            "ca_bundle": config["WEBHOOKS_CA_BUNDLE"],
        }
        self.threads = jobs.threads("webhooks", self.size)
        self.waiting: dict[int, deque[_Post]] = defaultdict(deque)
        self.running: Counter[int] = Counter()
        self.in_flight: dict[Future, _Post] = {}
        self.outcomes: dict[int, bool] = {}
        self.found = False  # whether the last claim found anything
        self.claimed: set[int] = set()  # every delivery this run leased (freed on a cold stop)

    @property
    def busy(self) -> bool:
        return bool(self.in_flight) or any(self.waiting.values())

    def step(
        self, answers: dict[int, transport.Outcome], *, claim: bool, ids: list[int] | None = None
    ) -> None:
        """Record `answers`, lease (if `claim`) what fits in the free threads, commit once, and
        start the requests. Endpoints already at their limit get nothing more in this batch."""
        outbox.relaxed_commit()
        for delivery in _load(list(answers)):
            outcome = answers[delivery.id]
            service.record_attempt(delivery, delivery.endpoint, outcome)
            self.outcomes[delivery.id] = outcome.ok
        room = self.size - len(self.in_flight) - sum(len(q) for q in self.waiting.values())
        claimed = []
        if claim and room > 0:
            full = [
                endpoint_id
                for endpoint_id in set(self.running) | set(self.waiting)
                if self.running[endpoint_id] + len(self.waiting[endpoint_id]) >= self.per_endpoint
            ]
            claimed = outbox.claim_due(
                WebhookDelivery,
                lease_seconds=self.lease,
                limit=room,
                ids=ids,
                group=WebhookDelivery.endpoint_id,
                per_group=self.per_endpoint,
                skip_groups=full,
            )
            self.found = bool(claimed)
            self.claimed.update(claimed)
        for delivery in _load(claimed):
            if not delivery.endpoint.enabled:
                service.give_up(delivery, "The endpoint was disabled.")
                self.outcomes[delivery.id] = False
                continue
            body = delivery.payload.encode()
            headers = signing.headers(
                delivery.endpoint.secret, delivery.event_id, int(time.time()), body
            )
            post = _Post(delivery.id, delivery.endpoint_id, delivery.endpoint.url, body, headers)
            self.waiting[post.endpoint_id].append(post)
        db.session.commit()  # the leases are seen by other workers before any request goes out
        for endpoint_id, queue in self.waiting.items():
            while queue and self.running[endpoint_id] < self.per_endpoint:
                post = queue.popleft()
                self.running[endpoint_id] += 1
                future = self.threads.submit(
                    transport.post, post.url, post.body, post.headers, **self.options
                )
                self.in_flight[future] = post

    def answers(self, timeout: float | None) -> dict[int, transport.Outcome]:
        """Wait for at least one answer (or `timeout`) and return every answer that is in."""
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        answers = {}
        for future in done:
            post = self.in_flight.pop(future)
            self.running[post.endpoint_id] -= 1
            answers[post.delivery_id] = future.result()
        return answers


def _load(ids: list[int]) -> list[WebhookDelivery]:
    """The deliveries with their endpoints, fresh, in one query, oldest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .options(joinedload(WebhookDelivery.endpoint))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .execution_options(populate_existing=True)
        )
    )


def _run(ids: list[int] | None = None) -> dict[int, bool]:
    """Deliver what is due (only `ids`, if given); returns delivery id -> sent."""
    drain = _Drain()
    deadline = time.monotonic() + DRAIN_SECONDS
    with outbox.released_on_stop(
        WebhookDelivery, lambda: drain.claimed, DRAIN_JOB, queue="webhooks"
    ):
        drain.step({}, claim=True, ids=ids)
        while drain.busy:
            answers = drain.answers(POLL_SECONDS if ids is None else None)
            more = ids is None and time.monotonic() < deadline
            if answers or more:
                drain.step(answers, claim=more)
    if ids is None and drain.found:
        # Stopped by the deadline with work left: the next wake-up carries on.
        jobs.enqueue(DRAIN_JOB, queue="webhooks", wake=True)
    return drain.outcomes


@job
def deliver_webhooks() -> int:
    """The drain: deliver every due webhook (see the module docstring); returns how many tried."""
    jobs.woken(DRAIN_JOB, queue="webhooks")
    return len(_run())


@job
def deliver_webhook(delivery_id: int) -> bool | None:
    """Make one attempt at one due delivery, now (a failure schedules its own retry).

    Returns True when sent, False when it failed, None when there was nothing to do (not due,
    already sent, or leased by another worker).
    """
    return _run([delivery_id]).get(delivery_id)


@job
def sweep_webhooks() -> int:
    """The safety net: log attempts a dead worker left as interrupted, then wake the drain if
    anything is due (a lost job, Redis down at commit time); returns how many are due."""
    lost = outbox.expired_leases(WebhookDelivery)
    if lost:
        for delivery in _load(lost):
            service.record_interrupted(delivery, delivery.endpoint)
        db.session.commit()
    due = len(outbox.due_ids(WebhookDelivery))
    if due:
        jobs.enqueue(DRAIN_JOB, queue="webhooks")
    return due
