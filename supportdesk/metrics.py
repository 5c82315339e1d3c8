"""Prometheus metrics: request latency and SQL per route, jobs, attempts, outbox and SLA backlog.

Counters and histograms are recorded where things happen (request hooks, the job wrapper,
attempt rows as they are written). Outbox depth and age and the SLA backlog are read from the
database when Prometheus scrapes, so they are always true and cost nothing in between.

Under gunicorn, set PROMETHEUS_MULTIPROC_DIR to an empty directory shared by the workers (and
use the child_exit hook of deploy/gunicorn.conf.py): each process writes its own files and a
scrape aggregates them.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
QUERY_BUCKETS = (1, 2, 4, 6, 8, 12, 16, 24, 32, 64, 128)

REQUEST_SECONDS = Histogram(
    "supportdesk_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (endpoint name) and status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUEST_QUERIES = Histogram(
    "supportdesk_http_request_sql_queries",
    "SQL statements run to answer one HTTP request, by route.",
    ["route"],
    buckets=QUERY_BUCKETS,
)
JOB_SECONDS = Histogram(
    "supportdesk_job_duration_seconds",
    "Time a background job took, by job and outcome (ok, error).",
    ["job", "outcome"],
    buckets=LATENCY_BUCKETS,
)
ATTEMPTS = Counter(
    "supportdesk_outbox_attempts_total",
    "Delivery attempts recorded, by kind (email, webhook) and outcome.",
    ["kind", "outcome"],
)
SLA_SWEEP_SECONDS = Histogram(
    "supportdesk_sla_sweep_duration_seconds",
    "Time one SLA sweep took (warnings, breaches, escalations).",
    buckets=LATENCY_BUCKETS,
)


class DatabaseCollector:
    """Outbox depth and oldest due age per kind, and the SLA backlog, read at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from supportdesk import outbox
        from supportdesk.db import utcnow
        from supportdesk.extensions import db
        from supportdesk.mail.outbound.models import EmailMessage
        from supportdesk.sla.models import TicketSla
        from supportdesk.webhooks.models import WebhookDelivery

        depth = GaugeMetricFamily(
            "supportdesk_outbox_pending",
            "Rows queued or waiting for a retry, by kind.",
            labels=["kind"],
        )
        age = GaugeMetricFamily(
            "supportdesk_outbox_oldest_due_seconds",
            "Seconds the longest-waiting due row has been due, by kind (0: none due).",
            labels=["kind"],
        )
        backlog = GaugeMetricFamily(
            "supportdesk_sla_checks_due", "Ticket SLA clocks due for a check by the next sweep."
        )
        with self.app.app_context():
            try:
                for kind, model in (("email", EmailMessage), ("webhook", WebhookDelivery)):
                    pending = db.session.execute(
                        sa.select(sa.func.count()).where(model.state.in_(outbox.PENDING_STATES))
                    ).scalar_one()
                    depth.add_metric([kind], pending)
                    age.add_metric([kind], outbox.oldest_due_age(model))
                backlog.add_metric(
                    [],
                    db.session.execute(
                        sa.select(sa.func.count()).where(TicketSla.next_check_at <= utcnow())
                    ).scalar_one(),
                )
            finally:
                db.session.remove()
        yield depth
        yield age
        yield backlog


def record_attempt(kind: str, outcome: str) -> None:
    """Count one delivery attempt."""
    ATTEMPTS.labels(kind=kind, outcome=outcome).inc()


def _email_attempt(mapper, connection, target) -> None:
    record_attempt("email", target.outcome.value)


def _webhook_attempt(mapper, connection, target) -> None:
    record_attempt("webhook", "ok" if target.succeeded else "failed")


def init_metrics(app: Flask) -> None:
    """Time every request and count its SQL; count attempt rows as they are inserted."""
    from supportdesk.mail.outbound.models import EmailAttempt
    from supportdesk.webhooks.models import WebhookAttempt

    if not sa.event.contains(EmailAttempt, "after_insert", _email_attempt):
        sa.event.listen(EmailAttempt, "after_insert", _email_attempt)
        sa.event.listen(WebhookAttempt, "after_insert", _webhook_attempt)

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response):
        started = g.get("metrics_started")
        if started is not None:
            route = request.endpoint or "<unrouted>"
            REQUEST_SECONDS.labels(route, request.method, str(response.status_code)).observe(
                time.perf_counter() - started
            )
            REQUEST_QUERIES.labels(route).observe(g.get("sql_queries", 0))
        return response


def exposition(app: Flask) -> tuple[bytes, str]:
    """The text Prometheus scrapes: this process (or all gunicorn workers) plus database gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector(app))
    return output + generate_latest(database), CONTENT_TYPE_LATEST
