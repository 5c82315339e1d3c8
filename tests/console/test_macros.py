"""The ticket page's canned replies (`#` search, JSON) and macro form."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.macros import service
from supportdesk.tickets.models import Status
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_the_search_returns_usable_replies_rendered_for_the_ticket(client, org, agent, admin):
    customer = factories.CustomerFactory(organization=org, name="Aisha Bianchi")
    ticket = factories.make_ticket(org, customer=customer)
    service.create_reply(
        admin,
        title="Refund approved",
        body="Hi {{ customer.first_name }}, #{{ ticket.number }}",
        shared=True,
    )
    service.create_reply(agent, title="My refund", body="{{ agent.name }} here.")
    service.create_reply(factories.UserFactory(organization=org), title="Their refund", body="x")
    login_as(client, agent)
    found = client.get(f"/tickets/{ticket.number}/canned-replies?q=ref").get_json()["replies"]
    assert [(r["title"], r["body"], r["shared"]) for r in found] == [
        ("My refund", "Alex Agent here.", False),
        ("Refund approved", f"Hi Aisha, #{ticket.number}", True),
    ]
    assert client.get(f"/tickets/{ticket.number}/canned-replies?q=zzz").get_json() == {
        "replies": []
    }


def test_the_search_on_another_tenants_ticket_is_404(client, other_org, agent):
    foreign = factories.make_ticket(other_org)
    login_as(client, agent)
    assert client.get(f"/tickets/{foreign.number + 1000}/canned-replies?q=a").status_code == 404


def test_the_ticket_page_offers_macros_and_the_canned_reply_search(client, agent, admin, ticket):
    service.create_macro(admin, name="Refund approved", status="pending")
    login_as(client, agent)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'data-canned-url="/tickets/{ticket.number}/canned-replies"' in html
    assert "Apply macro" in html and "Refund approved" in html


def test_applying_a_macro_from_the_ticket_page_shows_one_group_in_the_history(
    client, agent, admin, ticket
):
    macro = service.create_macro(
        admin, name="Refund approved", status="pending", add_tags=["refund"], reply_body="Noted."
    )
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    response = client.post(
        f"/tickets/{ticket.number}/macros",
        data={"csrf_token": token, "macro-version": ticket.version, "macro-macro_id": macro.id},
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.status is Status.PENDING
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    group = html.split('aria-label="Changes of the macro Refund approved"')[1].split("</ul>")[0]
    assert "changed the status" in group and "changed the tags" in group
    assert "added an internal note" in group
    assert "applied the macro <em>Refund approved</em>" in html


def test_a_refused_transition_shows_the_reason_and_applies_nothing(client, org, agent, admin):
    ticket = factories.make_ticket(org, status=Status.CLOSED)
    macro = service.create_macro(admin, name="Wait", status="pending", reply_body="Wait.")
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    response = client.post(
        f"/tickets/{ticket.number}/macros",
        data={"csrf_token": token, "macro-version": ticket.version, "macro-macro_id": macro.id},
    )
    assert response.status_code == 409
    assert "cannot be moved to pending" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status is Status.CLOSED


def test_a_stale_version_shows_what_changed(client, agent, admin, ticket):
    macro = service.create_macro(admin, name="Low", priority="low")
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    response = client.post(
        f"/tickets/{ticket.number}/macros",
        data={"csrf_token": token, "macro-version": ticket.version - 1, "macro-macro_id": macro.id},
    )
    assert response.status_code == 409
    assert "Changed since you opened it" in response.get_data(as_text=True)


def test_a_viewer_cannot_apply_a_macro_and_another_tenants_macro_is_refused(
    client, org, other_org, viewer, agent, admin, ticket
):
    macro = service.create_macro(admin, name="Low", priority="low")
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    foreign = service.create_macro(stranger, name="Theirs", priority="low")
    login_as(client, viewer)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    data = {"csrf_token": token, "macro-version": ticket.version, "macro-macro_id": macro.id}
    assert client.post(f"/tickets/{ticket.number}/macros", data=data).status_code == 403
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    data = {"csrf_token": token, "macro-version": ticket.version, "macro-macro_id": foreign.id}
    assert client.post(f"/tickets/{ticket.number}/macros", data=data).status_code == 422


def test_the_search_costs_a_constant_number_of_queries(client, org, agent, admin, query_counter):
    ticket = factories.make_ticket(org)
    login_as(client, agent)
    counts = []
    for n in (1, 8):
        for i in range(n):
            service.create_reply(
                admin, title=f"Refund {n}-{i}", body="{{ customer.name }}", shared=True
            )
        db.session.commit()
        with query_counter() as queries:
            found = client.get(f"/tickets/{ticket.number}/canned-replies?q={n}-").get_json()
        assert len(found["replies"]) == n
        counts.append(queries.count)
    # The session's; the ticket; the replies; the customer and organization for the placeholders.
    assert counts == [7, 7]
