"""The account page lists the agent's live sessions; sign out one, or every other one."""

from __future__ import annotations

import pytest

from supportdesk.sessions.service import end_session, start_session
from tests.factories import UserFactory
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def laptop(app, agent):
    """The agent signed in on a second browser (Firefox on Windows, 203.0.113.7)."""
    browser = app.test_client()
    browser.environ_base.update(HTTP_USER_AGENT=FIREFOX_WINDOWS, REMOTE_ADDR="203.0.113.7")
    record = login_as(browser, agent)
    return browser, record


def _post(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client.get("/account"))})


def test_the_account_page_lists_live_sessions_and_marks_this_one(client, agent, laptop):
    client.environ_base.update(HTTP_USER_AGENT=CHROME_LINUX)
    login_as(client, agent)
    ended = start_session(agent, remember=False, ip_address="198.51.100.1", user_agent="")
    end_session(ended)
    colleague = UserFactory(organization=agent.organization)
    start_session(colleague, remember=False, ip_address="192.0.2.99", user_agent="")

    html = client.get("/account").get_data(as_text=True)

    assert "Chrome on Linux" in html and "Firefox on Windows" in html
    assert "203.0.113.7" in html
    assert html.count("This device") == 1
    assert "198.51.100.1" not in html  # signed out already
    assert "192.0.2.99" not in html  # someone else's
    assert "Sign out everywhere else" in html


def test_signing_out_another_session_ends_it_and_keeps_this_one(client, agent, laptop):
    browser, record = laptop
    login_as(client, agent)
    assert browser.get("/").status_code == 200

    response = _post(client, f"/account/sessions/{record.id}/revoke")

    assert response.status_code == 302
    assert browser.get("/").status_code == 302
    assert client.get("/").status_code == 200
    assert "203.0.113.7" not in client.get("/account").get_data(as_text=True)


def test_signing_out_this_session_from_the_list_signs_this_browser_out(client, agent):
    record = login_as(client, agent)

    response = _post(client, f"/account/sessions/{record.id}/revoke")

    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_sign_out_everywhere_else_ends_every_other_session(client, app, agent, laptop):
    browser, _record = laptop
    phone = app.test_client()
    login_as(phone, agent)
    login_as(client, agent)

    response = _post(client, "/account/sessions/revoke-others")

    assert response.status_code == 302
    assert "Signed out 2 other sessions." in client.get("/account").get_data(as_text=True)
    assert (browser.get("/").status_code, phone.get("/").status_code) == (302, 302)
    assert client.get("/").status_code == 200


def test_another_agents_session_cannot_be_signed_out(client, app, agent, other_org):
    login_as(client, agent)
    colleague_browser = app.test_client()
    colleague = login_as(colleague_browser, UserFactory(organization=agent.organization))
    stranger = login_as(app.test_client(), UserFactory(organization=other_org))

    for record in (colleague, stranger):
        assert _post(client, f"/account/sessions/{record.id}/revoke").status_code == 404
    assert colleague_browser.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/account/sessions/1/revoke", "/account/sessions/revoke-others"])
def test_session_sign_outs_need_a_csrf_token(client, agent, path):
    login_as(client, agent)

    assert client.post(path).status_code == 400


@pytest.mark.parametrize("path", ["/account/sessions/1/revoke", "/account/sessions/revoke-others"])
def test_session_sign_outs_need_a_signed_in_agent(client, path):
    token = csrf_token(client.get("/login"))

    response = client.post(path, data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signing_out_a_session_twice_keeps_its_first_sign_out_time(agent):
    from supportdesk.sessions.service import revoke_session

    record = start_session(agent, remember=False, ip_address="", user_agent="")
    first = revoke_session(agent, record.id).revoked_at

    assert revoke_session(agent, record.id).revoked_at == first
