"""Admin page of the portal and survey settings: admins only, field errors, per organization;
the ticket page shows the customer's rating and comment."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.satisfaction import links
from supportdesk.satisfaction import service as satisfaction
from supportdesk.selfservice.service import settings_for
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

FORM = {"company_tickets": "y", "contact_form": "y", "csat_enabled": "y", "csat_delay_hours": "48"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("senior_agent", 403), ("agent", 403), ("viewer", 403)],
)
def test_only_admins_open_the_settings(client, request, role, status):
    login_as(client, request.getfixturevalue(role))
    assert client.get("/admin/portal").status_code == status


def test_an_admin_saves_the_settings_for_their_organization_only(client, admin, org, other_org):
    login_as(client, admin)
    page = client.get("/admin/portal")
    assert f"/help/{org.slug}/portal/contact/embed" in page.get_data(as_text=True)
    response = client.post("/admin/portal", data={"csrf_token": csrf_token(page), **FORM})
    assert response.status_code == 302
    saved, other = settings_for(org.id), settings_for(other_org.id)
    assert (saved.company_tickets, saved.csat_delay_hours) == (True, 48)
    assert (other.company_tickets, other.csat_delay_hours) == (False, 0)


@pytest.mark.parametrize("hours", ["-1", "9999", "soon", ""])
def test_a_bad_delay_comes_back_with_a_field_error(client, admin, hours):
    login_as(client, admin)
    page = client.get("/admin/portal")
    response = client.post(
        "/admin/portal", data={"csrf_token": csrf_token(page), **FORM, "csat_delay_hours": hours}
    )
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)


def test_an_agent_may_not_post_the_settings(client, agent):
    login_as(client, agent)
    token = csrf_token(client.get("/"))
    assert client.post("/admin/portal", data={"csrf_token": token, **FORM}).status_code == 403
    assert settings_for(agent.organization_id).csat_delay_hours == 0


def test_the_ticket_page_shows_the_rating_comment_and_history(client, org, agent, ticket):
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    token = links.sign(org.id, satisfaction.for_ticket(org.id, ticket.id)[0].id)
    satisfaction.rate(org.id, token, "bad")
    satisfaction.comment(org.id, token, "Nobody <em>answered</em> for days")
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-rating="bad"' in page
    assert "Nobody &lt;em&gt;answered&lt;/em&gt; for days" in page
    assert "rated the resolution" in page and "commented on their rating" in page
