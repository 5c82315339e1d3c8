"""An agent changes their own password; other sessions end, this one stays."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
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


# -- time zone -------------------------------------------------------------------------------


def _set_zone(client, zone):
    token = csrf_token(client.get("/account"))
    return client.post("/account/time-zone", data={"csrf_token": token, "time_zone": zone})


def test_the_account_page_offers_the_organization_s_zone_first_and_selects_it(client, agent):
    agent.organization.time_zone = "Europe/Lisbon"
    db.session.commit()
    login_as(client, agent)
    html = client.get("/account").get_data(as_text=True)

    assert '<option selected value="">The organization&#39;s zone (Europe/Lisbon)</option>' in html
    assert '<option value="America/New_York">America/New York</option>' in html
    # The browser's zone is offered by static/js/app.js, which reveals this button.
    assert 'data-browser-zone="time_zone" data-shown-zone="Europe/Lisbon"' in html


@pytest.mark.parametrize(
    ("zone", "stored"),
    [
        pytest.param("Europe/Berlin", "Europe/Berlin", id="a-zone"),
        pytest.param("", None, id="back-to-the-organization-s"),
    ],
)
def test_the_account_form_saves_the_time_zone(client, agent, zone, stored):
    agent.time_zone = "Asia/Tokyo"
    db.session.commit()
    login_as(client, agent)
    response = _set_zone(client, zone)

    assert response.status_code == 302
    db.session.refresh(agent)
    assert agent.time_zone == stored
    html = client.get("/account").get_data(as_text=True)
    assert f"Times now show in {agent.shown_time_zone}." in html
    assert f'<option selected value="{zone}">' in html


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "US/Eastern", "<b>UTC</b>"])
def test_the_account_form_refuses_an_unknown_time_zone_with_a_field_error(client, agent, zone):
    login_as(client, agent)
    response = _set_zone(client, zone)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="time_zone-error">' in html
    assert "is not a time zone from the list, such as Europe/Berlin." in html
    assert "<b>UTC</b>" not in html
    db.session.refresh(agent)
    assert agent.time_zone is None


def test_the_time_zone_form_needs_its_csrf_token(client, agent):
    login_as(client, agent)
    response = client.post("/account/time-zone", data={"time_zone": "Europe/Berlin"})

    assert response.status_code in (400, 422)
    db.session.refresh(agent)
    assert agent.time_zone is None
