"""GET /metrics: token-protected Prometheus text with request, attempt and database figures."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from supportdesk.extensions import db
from supportdesk.mail.outbound.models import AttemptOutcome, EmailAttempt
from tests.mail.helpers import make_email

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return {"Authorization": f"Bearer {TOKEN}"}


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the exposition")


def test_metrics_do_not_exist_without_a_token(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "header",
    [pytest.param({}, id="none"), pytest.param({"Authorization": "Bearer wrong"}, id="wrong")],
)
def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_token, header):
    response = client.get("/metrics", headers=header)
    assert response.status_code == 401


def test_each_request_is_timed_by_route_and_status(client, metrics_token):
    labels = {"route": "ops.healthz", "method": "GET", "status": "200"}
    name = "supportdesk_http_request_duration_seconds_count"
    before = REGISTRY.get_sample_value(name, labels) or 0
    client.get("/healthz")
    client.get("/healthz")
    assert REGISTRY.get_sample_value(name, labels) == before + 2
    text = client.get("/metrics", headers=metrics_token).get_data(as_text=True)
    assert 'supportdesk_http_request_sql_queries_count{route="ops.healthz"}' in text


def test_outbox_depth_is_read_from_the_database(org, client, metrics_token):
    make_email(org)
    make_email(org)
    db.session.commit()
    text = client.get("/metrics", headers=metrics_token).get_data(as_text=True)
    assert _sample(text, 'supportdesk_outbox_pending{kind="email"}') == 2
    assert _sample(text, 'supportdesk_outbox_pending{kind="webhook"}') == 0


def test_attempts_are_counted_by_kind_and_outcome(org):
    labels = {"kind": "email", "outcome": "deferred"}
    before = REGISTRY.get_sample_value("supportdesk_outbox_attempts_total", labels) or 0
    email = make_email(org)
    db.session.add(
        EmailAttempt(
            organization_id=org.id,
            email_id=email.id,
            server="smtp",
            outcome=AttemptOutcome.DEFERRED,
        )
    )
    db.session.flush()
    assert REGISTRY.get_sample_value("supportdesk_outbox_attempts_total", labels) == before + 1
