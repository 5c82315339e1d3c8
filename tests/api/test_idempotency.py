"""Idempotency-Key: a POST retried after a lost answer is done once and answered the same."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.api.idempotency import KEY_TTL_HOURS, IdempotencyKey, purge_expired_keys
from supportdesk.extensions import db
from supportdesk.jobs.api import purge_idempotency_keys
from supportdesk.tickets.models import Message, Ticket
from tests.api.test_race import (
    _waiting_on_locks,
    committed_app,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.integration

NEW_TICKET = {
    "subject": "Order never arrived",
    "body": "It has been two weeks.",
    "customer_email": "lee@example.com",
}


def _tickets() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))


def test_a_retried_create_makes_one_ticket_and_answers_the_same(api):
    before = _tickets()
    first = api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "k-1"})
    retry = api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "k-1"})

    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _tickets() == before + 1


def test_without_a_key_each_post_is_done(api):
    before = _tickets()
    api.post("/tickets", json=NEW_TICKET)
    api.post("/tickets", json=NEW_TICKET)
    assert _tickets() == before + 2


def test_a_retried_reply_reaches_the_customer_once(api, ticket):
    path = f"/tickets/{ticket.number}/messages"
    body = {"kind": "public", "body": "We have shipped a replacement."}
    first = api.post(path, json=body, headers={"Idempotency-Key": "reply-7"})
    retry = api.post(path, json=body, headers={"Idempotency-Key": "reply-7"})
    assert first.status_code == retry.status_code == 201
    assert retry.get_json()["id"] == first.get_json()["id"]
    replies = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.ticket_id == ticket.id, Message.body_text == body["body"])
    )
    assert replies == 1


@pytest.mark.parametrize(
    ("second_body", "second_path"),
    [
        ({**NEW_TICKET, "subject": "Another subject"}, "/tickets"),
        ({"email": "lee@example.com"}, "/customers"),
    ],
    ids=["other body", "other path"],
)
def test_the_same_key_with_another_request_is_refused(api, second_body, second_path):
    api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "same"})
    before = _tickets()
    refused = api.post(second_path, json=second_body, headers={"Idempotency-Key": "same"})
    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.get_json()["error"]["fields"]
    assert _tickets() == before


def test_keys_belong_to_the_token_that_sent_them(api_as, agent):
    first, second = api_as(agent), api_as(agent)
    before = _tickets()
    assert (
        first.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "x"}).status_code == 201
    )
    assert (
        second.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "x"}).status_code
        == 201
    )
    assert _tickets() == before + 2


def test_a_refused_request_does_not_keep_its_key(api):
    bad = {**NEW_TICKET, "customer_email": "not an address"}
    assert api.post("/tickets", json=bad, headers={"Idempotency-Key": "fix-me"}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0
    # The corrected request may not reuse the key (its body differs)... but the same bad body
    # retried runs again and is refused again, never replayed from a stored error.
    again = api.post("/tickets", json=bad, headers={"Idempotency-Key": "fix-me"})
    assert again.status_code == 422
    assert "Idempotent-Replayed" not in again.headers


@pytest.mark.parametrize(
    "key",
    ["", "   ", " padded", "x" * 256, "tab\tkey", "two words", "caf\u00e9"],
    ids=["empty", "blank", "leading space", "long", "control", "space", "not ascii"],
)
def test_a_malformed_key_is_refused_naming_the_header(api, key):
    before = _tickets()
    refused = api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": key})
    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.get_json()["error"]["fields"]
    assert _tickets() == before


def test_a_key_row_without_an_answer_is_409_in_progress(api, agent):
    api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "busy"})
    db.session.execute(sa.update(IdempotencyKey).values(response_status=None))
    retry = api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "busy"})
    assert retry.status_code == 409
    assert retry.get_json()["error"]["code"] == "idempotency_key_in_use"


def test_keys_expire_and_are_purged(api):
    api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "old"})
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=KEY_TTL_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        before = _tickets()
        again = api.post("/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "old"})
        assert again.status_code == 201
        assert "Idempotent-Replayed" not in again.headers
        assert _tickets() == before + 1
    with time_machine.travel(later + dt.timedelta(hours=KEY_TTL_HOURS, minutes=1), tick=False):
        assert purge_idempotency_keys() == 1
        assert purge_expired_keys() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0


def test_the_document_describes_the_header_on_every_post(api):
    document = api.client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            names = {p.get("name") for p in operation.get("parameters", [])}
            assert ("Idempotency-Key" in names) == (method == "post"), (method, path)


@pytest.mark.slow
def test_two_requests_with_the_same_key_at_once_make_one_ticket(committed_app):  # noqa: F811
    """The second waits at the key's unique index until the first commits, then replays it."""
    from supportdesk.accounts.models import Role
    from supportdesk.accounts.service import create_organization, register_agent
    from supportdesk.db import utcnow
    from supportdesk.tokens.models import Scope
    from supportdesk.tokens.service import create_token
    from tests.factories import PASSWORD

    with committed_app.app_context():
        org = create_organization("Retries")
        agent = register_agent(
            org, email="retry@example.com", name="Retry", password=PASSWORD, role=Role.AGENT
        )
        token, plain = create_token(agent, name="retry", scope=Scope.READ_WRITE)
        token.last_used_at = utcnow()
        db.session.commit()
        org_id = org.id
        engine = db.engine

    answers: list[tuple[int, dict, bool]] = []

    def post() -> None:
        response = committed_app.test_client().post(
            "/api/v1/tickets",
            json=NEW_TICKET,
            headers={"Authorization": f"Bearer {plain}", "Idempotency-Key": "together"},
        )
        answers.append(
            (response.status_code, response.get_json(), "Idempotent-Replayed" in response.headers)
        )

    with engine.connect() as blocker:
        # Hold the ticket-number counter's row, as a slow first request would hold its work.
        blocker.execute(
            sa.text("SELECT id FROM organizations WHERE id = :id FOR UPDATE"), {"id": org_id}
        )
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 15
        while _waiting_on_locks(engine) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=30)

    with committed_app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(Ticket).where(Ticket.organization_id == org_id)
        )
    assert count == 1
    statuses = sorted(status for status, _body, _replayed in answers)
    # The second either replays the first answer (201) or, caught between the first's two
    # commits, is told to retry (409); it never makes a second ticket.
    assert statuses in ([201, 201], [201, 409])
    created = [body for status, body, replayed in answers if status == 201 and not replayed]
    assert len(created) == 1
