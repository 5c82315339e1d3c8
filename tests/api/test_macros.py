"""The API's canned replies and macros: CRUD, search, role checks, tenancy, field-naming 4xx, and
applying a macro to a ticket."""

from __future__ import annotations

import pytest

from supportdesk.macros import service
from supportdesk.tickets.models import Status
from tests import factories

pytestmark = pytest.mark.integration


def test_an_agent_creates_searches_updates_and_deletes_a_personal_reply(api, org, customer):
    customer.name = "Dana Scully"
    ticket = factories.make_ticket(org, customer=customer)
    created = api.post(
        "/canned-replies", json={"title": "Refund", "body": "Hi {{ customer.first_name }}"}
    )
    assert created.status_code == 201
    reply = created.get_json()
    assert (reply["shared"], reply["rendered"]) == (False, None)
    assert created.headers["Location"].endswith(f"/canned-replies/{reply['id']}")

    found = api.get(f"/canned-replies?q=refund&ticket={ticket.number}").get_json()["data"]
    assert [(r["id"], r["rendered"]) for r in found] == [(reply["id"], "Hi Dana")]
    assert api.get("/canned-replies?q=nothing").get_json()["data"] == []

    patched = api.patch(f"/canned-replies/{reply['id']}", json={"title": "Refund sent"})
    assert patched.status_code == 200 and patched.get_json()["title"] == "Refund sent"
    assert api.delete(f"/canned-replies/{reply['id']}").status_code == 204
    assert api.get(f"/canned-replies/{reply['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"title": "t", "body": "Hi {{ customer.age }}"}, "body", id="placeholder"),
        pytest.param({"title": "t", "body": "{{ ''.__class__ }}"}, "body", id="unsafe"),
        pytest.param({"title": "t", "body": "   "}, "body", id="blank"),
        pytest.param({"title": "", "body": "x"}, "title", id="no-title"),
        pytest.param({"title": "t", "body": "x", "owner": 1}, "owner", id="unknown-field"),
    ],
)
def test_a_refused_reply_names_the_field(api, body, field):
    response = api.post("/canned-replies", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_an_agent_cannot_share_a_reply_or_change_a_shared_one(api, admin):
    assert (
        api.post("/canned-replies", json={"title": "t", "body": "x", "shared": True}).status_code
        == 403
    )
    shared = service.create_reply(admin, title="Refund", body="Done.", shared=True)
    assert api.get(f"/canned-replies/{shared.id}").status_code == 200
    assert api.patch(f"/canned-replies/{shared.id}", json={"title": "x"}).status_code == 403
    assert api.delete(f"/canned-replies/{shared.id}").status_code == 403


def test_other_tenants_and_colleagues_personal_replies_are_404(api, org, other_org):
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    foreign = service.create_reply(stranger, title="F", body="F.", shared=True)
    colleague = service.create_reply(factories.UserFactory(organization=org), title="C", body="C.")
    for reply in (foreign, colleague):
        assert api.get(f"/canned-replies/{reply.id}").status_code == 404
    assert api.get("/canned-replies").get_json()["data"] == []
    assert api.get("/canned-replies?ticket=2147483647").status_code == 404


def test_macros_are_written_by_senior_agents_only(api, api_as, senior_agent, org):
    team = factories.TeamFactory(organization=org, name="Billing")
    body = {
        "name": "Refund approved",
        "status": "pending",
        "team_id": team.id,
        "add_tags": ["Refund"],
    }
    assert api.post("/macros", json=body).status_code == 403
    senior = api_as(senior_agent)
    created = senior.post("/macros", json=body)
    assert created.status_code == 201
    macro = created.get_json()
    assert (macro["team"]["name"], macro["add_tags"], macro["assignee"]) == (
        "Billing",
        ["refund"],
        None,
    )
    assert api.get("/macros").get_json()["data"][0]["id"] == macro["id"]
    taken = senior.post("/macros", json={"name": "refund approved"})
    assert taken.status_code == 409 and "name" in taken.get_json()["error"]["fields"]
    patched = senior.patch(f"/macros/{macro['id']}", json={"status": None, "priority": "high"})
    assert (patched.get_json()["status"], patched.get_json()["priority"]) == (None, "high")
    assert patched.get_json()["team"]["id"] == team.id  # left out: kept
    assert api.delete(f"/macros/{macro['id']}").status_code == 403
    assert senior.delete(f"/macros/{macro['id']}").status_code == 204


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        pytest.param({"assignee_id": 2_000_000_000}, 404, "assignee_id", id="unknown-agent"),
        pytest.param({"team_id": 2_000_000_000}, 404, "team_id", id="unknown-team"),
        pytest.param({"reply_body": "{% raw %}"}, 422, "reply_body", id="jinja"),
        pytest.param({"add_tags": ["no way"]}, 422, "add_tags.0", id="tag"),
        pytest.param({"status": "gone"}, 422, "status", id="status"),
    ],
)
def test_a_refused_macro_names_the_field(api_as, admin, body, status, field):
    response = api_as(admin).post("/macros", json={"name": "M", **body})
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]


def test_applying_a_macro_answers_the_ticket_at_its_new_version(api, admin, ticket):
    macro = service.create_macro(
        admin, name="Refund approved", status="pending", add_tags=["refund"], reply_body="Sent."
    )
    response = api.post(
        f"/tickets/{ticket.number}/macros/{macro.id}", json={"version": ticket.version}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["tags"]) == ("pending", ["refund"])
    assert response.headers["ETag"] == f'"{body["version"]}"'
    events = api.get(f"/tickets/{ticket.number}/events").get_json()["data"]
    grouped = [e for e in events if "macro" in e["data"]]
    assert {e["kind"] for e in grouped} == {"macro", "status", "tags", "noted"}
    assert len({e["data"]["macro"]["run"] for e in grouped}) == 1


def test_applying_a_macro_refused_by_the_ticket_is_a_409_and_changes_nothing(api, org, admin):
    ticket = factories.make_ticket(org, status=Status.CLOSED)
    macro = service.create_macro(admin, name="Wait", status="pending", add_tags=["waiting"])
    response = api.post(f"/tickets/{ticket.number}/macros/{macro.id}", json={})
    assert response.status_code == 409
    assert response.get_json()["error"]["fields"] == {"status": "Not allowed from closed."}
    after = api.get(f"/tickets/{ticket.number}").get_json()
    assert (after["status"], after["tags"]) == ("closed", [])


def test_applying_a_macro_at_a_stale_version_is_a_409_naming_the_version(api, admin, ticket):
    macro = service.create_macro(admin, name="Low", priority="low")
    response = api.post(
        f"/tickets/{ticket.number}/macros/{macro.id}", json={}, headers={"If-Match": '"99"'}
    )
    assert response.status_code == 409
    assert "version" in response.get_json()["error"]["fields"]


def test_another_tenants_macro_or_ticket_is_404(api, org, other_org, admin, ticket):
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    foreign = service.create_macro(stranger, name="Theirs", priority="low")
    mine = service.create_macro(admin, name="Mine", priority="low")
    foreign_ticket = factories.make_ticket(other_org)
    assert api.get(f"/macros/{foreign.id}").status_code == 404
    assert api.post(f"/tickets/{ticket.number}/macros/{foreign.id}", json={}).status_code == 404
    assert (
        api.post(f"/tickets/{foreign_ticket.number + 500}/macros/{mine.id}", json={}).status_code
        == 404
    )
