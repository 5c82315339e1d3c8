"""Every request checks its server-side session: revoked, idle, agent deactivated; activity noted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from supportdesk import create_app
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.sessions.models import AgentSession
from supportdesk.sessions.policy import REMEMBER_DAYS
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration

MINUTE = dt.timedelta(minutes=1)


def _last_seen(record: AgentSession) -> dt.datetime:
    db.session.expire(record)
    return record.last_seen_at


@pytest.mark.parametrize(
    ("remember", "later", "signed_in"),
    [
        pytest.param(False, dt.timedelta(minutes=719), True, id="idle 719 min"),
        pytest.param(False, dt.timedelta(minutes=721), False, id="idle 721 min"),
        pytest.param(True, dt.timedelta(days=REMEMBER_DAYS - 1), True, id="remembered 29 days"),
        pytest.param(
            True, dt.timedelta(days=REMEMBER_DAYS, minutes=1), False, id="remembered 30 d"
        ),
    ],
)
def test_an_idle_or_too_old_session_signs_the_browser_out(
    client, agent, remember, later, signed_in
):
    login_as(client, agent, remember=remember)

    with time_machine.travel(utcnow() + later, tick=False):
        status = client.get("/").status_code

    assert status == (200 if signed_in else 302)


@pytest.fixture
def app_idle_30(app):
    """A second app on the same database whose sessions end after 30 idle minutes."""
    second = create_app({**app.config, "SESSION_IDLE_MINUTES": 30})
    second.test_client_class = app.test_client_class
    yield second
    with second.app_context():
        db.engine.dispose()
    second.extensions["redis"].close()


def test_the_idle_timeout_follows_the_setting(client, app_idle_30, agent):
    login_as(client, agent)
    short = app_idle_30.test_client()
    login_as(short, agent)

    with time_machine.travel(utcnow() + dt.timedelta(minutes=31), tick=False):
        assert short.get("/").status_code == 302
        assert client.get("/").status_code == 200  # the default app keeps its 720 minutes


@pytest.mark.parametrize("minutes", ["0", "-5"])
def test_a_non_positive_idle_timeout_is_refused_at_start(app, minutes):
    with pytest.raises(ValueError, match="SESSION_IDLE_MINUTES"):
        create_app({**app.config, "SESSION_IDLE_MINUTES": minutes})


def test_last_seen_is_written_at_most_once_a_minute(client, agent):
    record = login_as(client, agent)
    signed_in = _last_seen(record)

    client.get("/")
    assert _last_seen(record) == signed_in  # within the minute: no write

    later = utcnow() + 2 * MINUTE
    with time_machine.travel(later, tick=False):
        client.get("/")
    assert _last_seen(record) == later


def test_activity_keeps_a_session_alive_past_the_idle_timeout(client, agent):
    login_as(client, agent)
    start = utcnow()

    for hours in (10, 20, 30):
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            assert client.get("/").status_code == 200


def test_a_deactivated_agents_session_is_refused(client, agent):
    login_as(client, agent)
    agent.active = False
    db.session.flush()

    assert client.get("/").status_code == 302


def test_a_session_moved_to_another_organization_is_refused(client, agent, other_org):
    record = login_as(client, agent)
    record.organization_id = other_org.id
    db.session.flush()

    assert client.get("/").status_code == 302


@pytest.mark.parametrize("key", ["", "x" * 101, "not-a-session-key"])
def test_an_unknown_session_key_is_anonymous(client, key):
    with client.session_transaction() as session:
        session["_user_id"] = key

    assert client.get("/").status_code == 302
