"""Sign-out really signs out: the remember cookie goes, and cookies copied before it stop working."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest

from supportdesk.db import utcnow
from supportdesk.sessions.policy import REMEMBER_DAYS
from tests.factories import PASSWORD
from tests.fixtures.web import csrf_token

pytestmark = pytest.mark.integration

SESSION_COOKIE = "supportdesk_session"
REMEMBER_COOKIE = "remember_token"


def _sign_in(client, agent, *, remember: bool):
    page = client.get("/login")
    data = {"email": agent.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def _sign_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client.get("/"))})


def _cookies(client) -> dict[str, str]:
    return {
        name: client.get_cookie(name).value
        for name in (SESSION_COOKIE, REMEMBER_COOKIE)
        if client.get_cookie(name) is not None
    }


def _browser_with(app, cookies: dict[str, str]):
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


@pytest.mark.parametrize("remember", [False, True], ids=["session only", "keep me signed in"])
def test_after_sign_out_the_next_page_shows_the_sign_in_page(client, agent, remember):
    _sign_in(client, agent, remember=remember)
    assert client.get("/").status_code == 200

    response = _sign_out(client)

    assert response.headers["Location"] == "/login"
    assert client.get_cookie(REMEMBER_COOKIE) is None
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "replayed",
    [
        pytest.param({SESSION_COOKIE}, id="session cookie"),
        pytest.param({REMEMBER_COOKIE}, id="remember cookie"),
        pytest.param({SESSION_COOKIE, REMEMBER_COOKIE}, id="both cookies"),
    ],
)
def test_cookies_copied_before_sign_out_no_longer_work(app, client, agent, replayed):
    _sign_in(client, agent, remember=True)
    copied = {name: value for name, value in _cookies(client).items() if name in replayed}
    assert set(copied) == replayed
    assert _browser_with(app, copied).get("/").status_code == 200  # the copy worked before

    _sign_out(client)

    assert _browser_with(app, copied).get("/").status_code == 302


def test_a_remember_cookie_alone_signs_a_restarted_browser_back_in(app, client, agent):
    _sign_in(client, agent, remember=True)

    restarted = _browser_with(app, {REMEMBER_COOKIE: client.get_cookie(REMEMBER_COOKIE).value})

    assert restarted.get("/").status_code == 200


def test_a_refused_remember_cookie_is_deleted_from_the_browser(app, client, agent):
    _sign_in(client, agent, remember=True)
    copy = _browser_with(app, {REMEMBER_COOKIE: client.get_cookie(REMEMBER_COOKIE).value})
    _sign_out(client)

    copy.get("/")

    assert copy.get_cookie(REMEMBER_COOKIE) is None


def test_the_remember_cookie_lasts_what_the_form_says(client, agent):
    assert f"Keep me signed in for {REMEMBER_DAYS} days" in client.get("/login").get_data(True)

    response = _sign_in(client, agent, remember=True)

    header = next(
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith(REMEMBER_COOKIE + "=")
    )
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    lifetime = expires - utcnow()
    assert dt.timedelta(days=REMEMBER_DAYS - 1) < lifetime <= dt.timedelta(days=REMEMBER_DAYS)


def test_without_keep_me_signed_in_there_is_no_remember_cookie(client, agent):
    _sign_in(client, agent, remember=False)

    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_signing_out_without_a_session_just_shows_the_sign_in_page(client):
    token = csrf_token(client.get("/login"))

    response = client.post("/logout", data={"csrf_token": token})

    assert response.headers["Location"] == "/login"
