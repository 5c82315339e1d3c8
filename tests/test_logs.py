"""Structured logs: request ids from the request to its jobs, ids of who acted, no bodies."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from rq import Queue

from supportdesk import jobs
from supportdesk.logs import formatter, new_request_id
from tests.fixtures.web import login_as


def _record(message: str, **extra) -> logging.LogRecord:
    record = logging.LogRecord("supportdesk.test", logging.WARNING, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        pytest.param("abc-123", True, id="plain"),
        pytest.param("a" * 64, True, id="64-chars"),
        pytest.param("a" * 65, False, id="too-long"),
        pytest.param("bad id", False, id="space"),
        pytest.param("x\r\nSet-Cookie: a=b", False, id="header-injection"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="absent"),
    ],
)
def test_an_offered_request_id_is_kept_only_when_plain(offered, kept):
    result = new_request_id(offered)
    assert (result == offered) is kept
    assert 1 <= len(result) <= 64


def test_json_lines_carry_the_bound_context_and_extra_fields():
    with structlog.contextvars.bound_contextvars(request_id="req-1", job="send_email"):
        line = formatter("json").format(_record("Sent %s", email_id=7))
    data = json.loads(line)
    assert data["event"] == "Sent %s"
    assert data["request_id"] == "req-1"
    assert data["job"] == "send_email"
    assert data["email_id"] == 7
    assert data["level"] == "warning"
    assert data["timestamp"].endswith("Z")


def test_the_text_format_is_one_readable_line():
    line = formatter("text").format(_record("Something happened"))
    assert "Something happened" in line
    assert "\n" not in line.strip()


def test_an_unknown_log_format_is_refused_with_the_setting_named():
    with pytest.raises(ValueError, match="SUPPORTDESK_LOG_FORMAT must be one of text, json"):
        formatter("xml")


def test_every_response_carries_its_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-42"})
    assert response.headers["X-Request-ID"] == "lb-42"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 16


def test_the_error_page_shows_the_request_id(client):
    response = client.get("/no/such/page", headers={"X-Request-ID": "ref-for-admin-1"})
    assert response.status_code == 404
    assert "ref-for-admin-1" in response.get_data(as_text=True)


def test_request_lines_name_the_agent_and_organization(client, agent, caplog):
    login_as(client, agent)
    with caplog.at_level(logging.INFO, logger="supportdesk.request"):
        client.get("/", headers={"X-Request-ID": "req-agent"})
    [record] = [r for r in caplog.records if r.name == "supportdesk.request"]
    data = json.loads(formatter("json").format(record))
    assert data["request_id"] == "req-agent"
    assert data["user_id"] == agent.id
    assert data["organization_id"] == agent.organization_id
    assert data["status"] == 200
    assert data["route"] == "console.queue"


def test_a_job_enqueued_by_a_request_carries_its_request_id(app, redis_client):
    with app.test_request_context("/", headers={"X-Request-ID": "req-job-1"}):
        app.preprocess_request()
        jobs.enqueue("supportdesk.jobs.email.sweep_emails", queue="emails")
    [job] = Queue("emails", connection=app.extensions["redis"]).get_jobs()
    assert job.meta["request_id"] == "req-job-1"
