"""Sign-in and sign-out: credentials, throttling without lock-out, session renewal, safe redirects."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.db import utcnow
from supportdesk.sessions.queries import find_live_session
from supportdesk.sessions.service import end_session
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _sign_in(client, email, password, *, address="10.1.1.1", next_url=None):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url,
        data={"email": email, "password": password, "csrf_token": csrf_token(page)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_agent_signs_in_with_the_right_password(client, agent):
    response = _sign_in(client, agent.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_sentence(client, agent):
    response = _sign_in(client, agent.email, "not the password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, agent):
    response = _sign_in(client, "nobody@example.com", "whatever-password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)


def test_a_deactivated_agent_cannot_sign_in(client, org):
    former = UserFactory(organization=org, active=False)
    assert _sign_in(client, former.email, PASSWORD).status_code == 401


def test_an_empty_form_re_renders_with_field_errors(client):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_a_login_without_csrf_token_is_refused(client, agent):
    response = client.post("/login", data={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_repeated_failures_block_that_address_for_that_account(client, app, agent):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _sign_in(client, agent.email, "wrong password!!").status_code == 401
    blocked = _sign_in(client, agent.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.get_data(as_text=True)


def test_an_attacker_cannot_lock_a_colleague_out_from_another_address(client, app, agent):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        _sign_in(client, agent.email, "wrong password!!", address="203.0.113.9")
    assert _sign_in(client, agent.email, PASSWORD, address="198.51.100.7").status_code == 302


def test_one_address_failing_across_many_accounts_is_blocked(client, app, org):
    throttle = app.extensions["login_throttle"]
    throttle.per_address, saved = 3, throttle.per_address
    try:
        for n in range(3):
            _sign_in(client, f"guess{n}@example.com", "wrong password!!", address="203.0.113.5")
        victim = UserFactory(organization=org)
        assert _sign_in(client, victim.email, PASSWORD, address="203.0.113.5").status_code == 429
    finally:
        throttle.per_address = saved


def test_signing_in_starts_a_fresh_session(client, agent):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _sign_in(client, agent.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        key = session["_user_id"]
    record = find_live_session(key, utcnow(), dt.timedelta(minutes=1))
    assert record.user_id == agent.id


@pytest.mark.parametrize(
    "next_url, expected",
    [
        pytest.param("/customers", "/customers", id="same-site-path"),
        pytest.param("//evil.example/x", "/", id="protocol-relative"),
        pytest.param("https://evil.example/", "/", id="absolute-url"),
        pytest.param("/\\evil.example", "/", id="backslash-trick"),
    ],
)
def test_the_next_parameter_only_redirects_within_the_site(client, agent, next_url, expected):
    response = _sign_in(client, agent.email, PASSWORD, next_url=next_url)
    assert response.headers["Location"] == expected


def test_sign_out_needs_a_post_with_csrf_and_ends_the_session(client, agent):
    login_as(client, agent)
    page = client.get("/")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    response = client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_revoking_the_session_record_signs_the_browser_out(client, agent):
    record = login_as(client, agent)
    assert client.get("/").status_code == 200

    end_session(record)

    assert client.get("/").status_code == 302


def test_a_signed_in_agent_visiting_login_goes_to_the_queue(client, agent):
    login_as(client, agent)
    assert client.get("/login").headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite(client, agent):
    response = _sign_in(client, agent.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.fixture
def redis_down(app):
    """The app's login throttle pointed at a Redis that nobody answers (port 9 is discard)."""
    from supportdesk.auth.throttle import init_throttle

    saved = app.extensions["login_throttle"]
    init_throttle(app, "redis://127.0.0.1:9/0")
    yield
    app.extensions["login_throttle"] = saved


def test_sign_in_keeps_working_while_redis_is_down(client, agent, redis_down, caplog):
    response = _sign_in(client, agent.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert any(
        "failed sign-ins are counted in each process" in r.getMessage() for r in caplog.records
    )


def test_failures_still_block_while_redis_is_down(client, app, agent, redis_down):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _sign_in(client, agent.email, "wrong").status_code == 401
    assert _sign_in(client, agent.email, PASSWORD).status_code == 429
