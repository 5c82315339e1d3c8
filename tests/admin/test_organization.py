"""The organization page: admins set the organization's time zone; nobody else may."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _post(client, zone):
    token = csrf_token(client.get("/account"))
    return client.post(
        "/admin/organization",
        data={"csrf_token": token, "time_zone": zone, "audit_retention_days": "365"},
    )


def test_an_admin_sees_the_organization_s_zone_selected(client, admin):
    admin.organization.time_zone = "Europe/Madrid"
    db.session.commit()
    login_as(client, admin)
    html = client.get("/admin/organization").get_data(as_text=True)

    assert '<option selected value="Europe/Madrid">Europe/Madrid</option>' in html
    assert 'href="/admin/organization"' in client.get("/admin/agents").get_data(as_text=True)


def test_an_admin_sets_the_organization_s_zone_and_agents_without_one_follow(client, admin, agent):
    login_as(client, admin)
    response = _post(client, "Australia/Perth")

    assert response.status_code == 302
    db.session.refresh(admin.organization)
    assert admin.organization.time_zone == "Australia/Perth"
    assert agent.shown_time_zone == "Australia/Perth"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", ""])
def test_an_unknown_or_empty_zone_is_refused_with_a_field_error(client, admin, zone):
    login_as(client, admin)
    response = _post(client, zone)

    assert response.status_code == 422
    assert 'id="time_zone-error"' in response.get_data(as_text=True)
    db.session.refresh(admin.organization)
    assert admin.organization.time_zone == "UTC"


@pytest.mark.parametrize("role", ["senior_agent", "agent", "viewer"])
def test_only_admins_may_open_or_change_it(client, request, role):
    user = request.getfixturevalue(role)
    login_as(client, user)

    assert client.get("/admin/organization").status_code == 403
    assert _post(client, "Europe/Berlin").status_code == 403
    db.session.refresh(user.organization)
    assert user.organization.time_zone == "UTC"
    assert 'href="/admin/organization"' not in client.get("/admin/agents").get_data(as_text=True)
