"""An agent changes their own password; other sessions end, this one stays."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

NEW = "a brand new passphrase"


def _change(client, current, new, confirm=None):
    token = csrf_token(client.get("/account"))
    return client.post(
        "/account",
        data={
            "csrf_token": token,
            "current_password": current,
            "password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, app, agent):
    other_device = app.test_client()
    login_as(other_device, agent)
    login_as(client, agent)
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    page = client.get("/login")
    assert page.status_code == 302  # still signed in here


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        pytest.param("wrong", NEW, None, "This is not your current password.", id="wrong-current"),
        pytest.param(PASSWORD, "short", None, "Use at least 12 characters.", id="too-short"),
        pytest.param(PASSWORD, NEW, NEW + "x", "The two entries differ.", id="mismatch"),
    ],
)
def test_a_bad_password_change_re_renders_with_the_reason(
    client, agent, current, new, confirm, message
):
    login_as(client, agent)
    response = _change(client, current, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_account_page_needs_a_signed_in_agent(client):
    assert client.get("/account").status_code == 302
