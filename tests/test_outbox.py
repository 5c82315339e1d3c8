"""A worker stopped cold in the middle of an attempt gives the row back at once."""

from __future__ import annotations

import pytest
from rq import Queue

from supportdesk import outbox
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.mail.outbound.service import DRAIN_JOB
from supportdesk.outbox import OutboxState
from tests.mail.helpers import make_email


@pytest.mark.parametrize(
    ("redis_configured", "jobs_enqueued"),
    [
        pytest.param(True, 1, id="with-redis-enqueued-again"),
        pytest.param(False, 0, id="in-process-not-run-again"),
    ],
)
def test_a_cold_stop_frees_the_row_and_hands_it_on(
    app, org, redis_client, monkeypatch, redis_configured, jobs_enqueued
):
    email = make_email(org)
    db.session.commit()
    assert outbox.claim_due(EmailMessage, lease_seconds=120, limit=1, ids=[email.id]) == [email.id]
    with monkeypatch.context() as patch:
        if not redis_configured:
            patch.setitem(app.extensions, "redis", None)
        with (
            pytest.raises(SystemExit),
            outbox.released_on_stop(EmailMessage, lambda: [email.id], DRAIN_JOB, queue="emails"),
        ):
            raise SystemExit(0)  # what RQ's cold shutdown raises inside the running job
    db.session.expire_all()
    row = db.session.get(EmailMessage, email.id)
    assert (row.state, row.attempts, row.locked_until) == (OutboxState.QUEUED, 0, None)
    assert Queue("emails", connection=redis_client).count == jobs_enqueued


def test_an_ordinary_error_keeps_the_lease(app, org, redis_client):
    email = make_email(org)
    db.session.commit()
    assert outbox.claim_due(EmailMessage, lease_seconds=120, limit=1, ids=[email.id]) == [email.id]
    with (
        pytest.raises(RuntimeError),
        outbox.released_on_stop(EmailMessage, lambda: [email.id], DRAIN_JOB, queue="emails"),
    ):
        raise RuntimeError("a bug in the transport")
    db.session.expire_all()
    assert db.session.get(EmailMessage, email.id).locked_until is not None
    assert Queue("emails", connection=redis_client).count == 0
