"""Notification endpoints: the token's agent's list, marking read, preferences."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from supportdesk.tokens.models import Scope
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def mentioned(org, agent, admin):
    """Three notes by the admin mentioning `agent`; returns the ticket."""
    ticket = make_ticket(org, subject="Refund")
    db.session.commit()
    handle = "@" + agent.email.split("@")[0]
    for n in range(3):
        tickets.add_note(admin, ticket, f"{handle} look {n}")
    db.session.commit()
    return ticket


def test_the_list_is_the_token_agents_newest_first_with_the_unread_count(api, mentioned, admin):
    body = api.get("/notifications").get_json()

    assert body["unread_count"] == 3
    assert body["next_cursor"] is None
    assert [n["kind"] for n in body["data"]] == ["mentioned"] * 3
    first = body["data"][0]
    assert first["ticket"] == {"number": mentioned.number, "subject": "Refund"}
    assert first["actor_id"] == admin.id
    assert first["read_at"] is None
    assert first["text"].endswith("look 2”")
    assert [n["id"] for n in body["data"]] == sorted((n["id"] for n in body["data"]), reverse=True)


def test_the_list_pages_by_cursor_and_filters_unread(api, mentioned):
    first = api.get("/notifications?limit=2").get_json()
    rest = api.get(f"/notifications?limit=2&cursor={first['next_cursor']}").get_json()

    assert len(first["data"]) == 2 and first["next_cursor"] == str(first["data"][-1]["id"])
    assert len(rest["data"]) == 1 and rest["next_cursor"] is None

    api.post(f"/notifications/{rest['data'][0]['id']}/read")
    unread = api.get("/notifications?unread=true").get_json()
    assert [n["id"] for n in unread["data"]] == [n["id"] for n in first["data"]]
    assert unread["unread_count"] == 2


def test_marking_read_answers_the_notification_and_read_all_counts(api, mentioned):
    [newest, *_] = api.get("/notifications").get_json()["data"]

    marked = api.post(f"/notifications/{newest['id']}/read")
    again = api.post(f"/notifications/{newest['id']}/read")
    everything = api.post("/notifications/read-all")

    assert marked.status_code == 200 and marked.get_json()["read_at"] is not None
    assert again.get_json()["read_at"] == marked.get_json()["read_at"]
    assert everything.get_json() == {"marked": 2}
    assert api.get("/notifications").get_json()["unread_count"] == 0


def test_another_agents_notification_is_a_404(api_as, mentioned, org, other_org, admin):
    [row] = api_as(admin).get("/notifications").get_json()["data"] or [None]
    assert row is None  # the admin wrote the notes: nothing for them
    agent_rows = [
        n["id"] for n in api_as(UserFactory(organization=org)).get("/notifications").json["data"]
    ]
    assert agent_rows == []

    stranger = api_as(UserFactory(organization=other_org))
    own = api_as(admin)
    target = db.session.scalar(db.text("SELECT max(id) FROM agent_notifications"))
    for client in (stranger, own):
        answer = client.post(f"/notifications/{target}/read")
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"


def test_a_read_token_can_list_but_not_mark(api_as, agent, mentioned):
    reader = api_as(agent, Scope.READ)

    assert reader.get("/notifications").status_code == 200
    assert reader.post("/notifications/read-all").status_code == 403


def test_preferences_start_at_the_defaults_and_change_by_kind(api):
    start = {p["kind"]: p for p in api.get("/notification-preferences").get_json()["data"]}
    assert start["sla_warning"] == {
        "kind": "sla_warning", "in_app": True, "email": False, "email_available": False,
    }  # fmt: skip
    assert start["mentioned"]["email"] is True

    changed = api.patch("/notification-preferences", json={"mentioned": {"email": False}})

    after = {p["kind"]: p for p in changed.get_json()["data"]}
    assert changed.status_code == 200
    assert (after["mentioned"]["in_app"], after["mentioned"]["email"]) == (True, False)
    assert after["assigned"] == start["assigned"]
    assert api.get("/notification-preferences").get_json() == changed.get_json()


@pytest.mark.parametrize(
    "body, field",
    [
        pytest.param({"sla_warning": {"email": True}}, "sla_warning.email", id="no-email-kind"),
        pytest.param({"mentioned": {"email": "yes"}}, "mentioned.email", id="not-a-boolean"),
        pytest.param({"shouting": {"email": True}}, "shouting", id="unknown-kind"),
    ],
)
def test_bad_preferences_are_refused_naming_the_field(api, body, field):
    answer = api.patch("/notification-preferences", json=body)

    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["fields"]
