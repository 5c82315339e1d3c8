"""Admin pages for canned replies and macros: role checks on every write, field errors, tenancy."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.macros import service
from supportdesk.macros.models import CannedReply, Macro
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_an_agent_saves_a_personal_canned_reply(client, agent):
    login_as(client, agent)
    page = client.get("/admin/canned-replies/new")
    assert "Shared with everyone" not in page.get_data(as_text=True)  # seniors only
    response = client.post(
        "/admin/canned-replies/new",
        data={"csrf_token": csrf_token(page), "title": "Refund", "body": "Hi {{ customer.name }}"},
    )
    assert response.status_code == 302
    reply = db.session.scalar(db.select(CannedReply).where(CannedReply.title == "Refund"))
    assert reply.owner_id == agent.id
    assert "Refund" in client.get("/admin/canned-replies").get_data(as_text=True)


def test_an_agent_posting_shared_anyway_is_refused(client, agent):
    login_as(client, agent)
    token = csrf_token(client.get("/admin/canned-replies/new"))
    response = client.post(
        "/admin/canned-replies/new",
        data={"csrf_token": token, "title": "Refund", "body": "Done.", "shared": "y"},
    )
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(CannedReply)) == 0


def test_an_unknown_placeholder_re_renders_the_form_with_the_field_error_and_the_text(
    client, senior_agent
):
    login_as(client, senior_agent)
    token = csrf_token(client.get("/admin/canned-replies/new"))
    response = client.post(
        "/admin/canned-replies/new",
        data={
            "csrf_token": token,
            "title": "Refund",
            "body": "Hi {{ customer.nick }}",
            "shared": "y",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="body-error"' in html and "Unknown placeholder {{ customer.nick }}" in html
    assert "Hi {{ customer.nick }}</textarea>" in html  # nothing the agent wrote is lost


def test_an_agent_cannot_open_a_shared_reply_for_editing_or_delete_it(client, agent, admin):
    shared = service.create_reply(admin, title="Refund", body="Done.", shared=True)
    login_as(client, agent)
    assert client.get(f"/admin/canned-replies/{shared.id}").status_code == 403
    token = csrf_token(client.get("/admin/canned-replies"))
    response = client.post(f"/admin/canned-replies/{shared.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302  # back to the list, with the reason flashed
    assert db.session.get(CannedReply, shared.id) is not None


def test_a_colleagues_personal_reply_and_another_tenants_are_404(client, org, other_org, agent):
    colleague = factories.UserFactory(organization=org)
    theirs = service.create_reply(colleague, title="Mine", body="Mine.")
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    foreign = service.create_reply(stranger, title="Foreign", body="Foreign.", shared=True)
    login_as(client, agent)
    for reply in (theirs, foreign):
        assert client.get(f"/admin/canned-replies/{reply.id}").status_code == 404
    assert "Foreign" not in client.get("/admin/canned-replies").get_data(as_text=True)


def test_agents_see_macros_but_cannot_write_them(client, agent, admin):
    macro = service.create_macro(admin, name="Refund approved", status="pending")
    login_as(client, agent)
    listing = client.get("/admin/macros")
    assert listing.status_code == 200 and "Refund approved" in listing.get_data(as_text=True)
    assert client.get("/admin/macros/new").status_code == 403
    assert client.get(f"/admin/macros/{macro.id}").status_code == 403
    token = csrf_token(listing)
    assert (
        client.post(f"/admin/macros/{macro.id}/delete", data={"csrf_token": token}).status_code
        == 403
    )


def test_a_senior_agent_creates_edits_and_deletes_a_macro(client, org, senior_agent, agent):
    team = factories.TeamFactory(organization=org, name="Billing")
    login_as(client, senior_agent)
    token = csrf_token(client.get("/admin/macros/new"))
    data = {
        "csrf_token": token,
        "name": "Refund approved",
        "reply_body": "Hi {{ customer.first_name }}, refunded.",
        "reply_kind": "public",
        "status": "pending",
        "priority": "",
        "assignee_id": agent.id,
        "team_id": team.id,
        "add_tags": "refund, billing",
        "remove_tags": "",
    }
    assert client.post("/admin/macros/new", data=data).status_code == 302
    macro = db.session.scalar(db.select(Macro).where(Macro.name == "Refund approved"))
    macro_id = macro.id
    assert (macro.status.value, macro.priority, macro.assignee_id) == ("pending", None, agent.id)
    assert macro.add_tags == ["refund", "billing"]
    assert "status → Pending" in client.get("/admin/macros").get_data(as_text=True)

    edit = client.post(f"/admin/macros/{macro.id}", data={**data, "status": "", "priority": "high"})
    assert edit.status_code == 302
    db.session.refresh(macro)
    assert (macro.status, macro.priority.value) == (None, "high")

    assert (
        client.post(f"/admin/macros/{macro.id}/delete", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.scalar(db.select(Macro.id).where(Macro.id == macro_id)) is None


def test_a_macro_form_error_names_the_field(client, admin):
    service.create_macro(admin, name="Taken")
    login_as(client, admin)
    token = csrf_token(client.get("/admin/macros/new"))
    base = {"csrf_token": token, "reply_kind": "internal", "assignee_id": 0, "team_id": 0}
    taken = client.post("/admin/macros/new", data={**base, "name": "taken"})
    assert taken.status_code == 409 and 'id="name-error"' in taken.get_data(as_text=True)
    tags = client.post("/admin/macros/new", data={**base, "name": "T", "add_tags": "no way!"})
    assert tags.status_code == 422 and 'id="add_tags-error"' in tags.get_data(as_text=True)
    text = client.post("/admin/macros/new", data={**base, "name": "T", "reply_body": "{% if %}"})
    assert text.status_code == 422 and 'id="reply_body-error"' in text.get_data(as_text=True)
