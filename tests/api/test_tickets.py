"""Ticket endpoints: the lifecycle, filters and pages, versions, messages and history."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.tickets.models import Channel, Priority, Status, Ticket
from tests.factories import CustomerFactory, TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.integration

NEW_TICKET = {
    "subject": "Cannot export invoices",
    "body": "The export button spins forever.",
    "customer_email": "Dana@Example.com",
    "customer_name": "Dana",
    "priority": "high",
    "tags": ["Billing", "export"],
}


def test_a_ticket_lives_from_creation_to_deletion(api, api_as, admin):
    created = api.post("/tickets", json=NEW_TICKET)
    assert created.status_code == 201
    ticket = created.get_json()
    number = ticket["number"]
    assert created.headers["Location"] == f"/api/v1/tickets/{number}"
    assert ticket["channel"] == "api"
    assert ticket["customer"]["email"] == "dana@example.com"
    assert ticket["tags"] == ["billing", "export"]
    assert ticket["version"] == 1

    read = api.get(f"/tickets/{number}")
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.get_json() == ticket

    updated = api.patch(
        f"/tickets/{number}", json={"version": 1, "subject": "Export broken", "priority": "low"}
    )
    assert updated.status_code == 200
    assert updated.get_json()["subject"] == "Export broken"
    assert updated.get_json()["version"] == 2

    resolved = api.patch(
        f"/tickets/{number}", json={"status": "resolved"}, headers={"If-Match": '"2"'}
    )
    assert resolved.status_code == 200
    assert resolved.get_json()["status"] == "resolved"
    assert resolved.get_json()["resolved_at"] is not None

    deleted = api_as(admin).delete(f"/tickets/{number}")
    assert deleted.status_code == 204
    assert deleted.data == b""

    gone = api.get(f"/tickets/{number}")
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "not_found"
    assert api.get(f"/tickets/{number}/messages").status_code == 404


def test_only_admins_delete_tickets(api, ticket):
    response = api.delete(f"/tickets/{ticket.number}")

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(Ticket, ticket.id) is not None


def test_deleting_with_a_stale_if_match_is_refused(api_as, admin, ticket):
    response = api_as(admin).delete(f"/tickets/{ticket.number}", headers={"If-Match": '"7"'})

    assert response.status_code == 409
    assert db.session.get(Ticket, ticket.id) is not None


def test_an_update_with_a_stale_version_is_refused_and_changes_nothing(api, ticket):
    first = api.patch(f"/tickets/{ticket.number}", json={"version": 1, "priority": "high"})
    second = api.patch(f"/tickets/{ticket.number}", json={"version": 1, "priority": "low"})

    assert first.status_code == 200
    assert second.status_code == 409
    body = second.get_json()["error"]
    assert body["code"] == "stale_version"
    assert body["fields"] == {"version": "The ticket is now at version 2."}
    assert "nothing was saved" in body["message"]
    assert api.get(f"/tickets/{ticket.number}").get_json()["priority"] == "high"


def test_an_update_without_a_version_applies_to_the_latest(api, ticket):
    response = api.patch(f"/tickets/{ticket.number}", json={"tags": ["vip"]})

    assert response.status_code == 200
    assert response.get_json()["tags"] == ["vip"]


def test_null_clears_assignee_and_team_while_absent_fields_stay(api, org, agent):
    team = TeamFactory(organization=org)
    ticket = make_ticket(org, assignee=agent, team=team)

    kept = api.patch(f"/tickets/{ticket.number}", json={"priority": "critical"}).get_json()
    cleared = api.patch(f"/tickets/{ticket.number}", json={"assignee_id": None}).get_json()

    assert kept["assignee"]["id"] == agent.id and kept["team"]["id"] == team.id
    assert cleared["assignee"] is None and cleared["team"]["id"] == team.id


def test_a_refused_transition_is_a_conflict(api, org):
    ticket = make_ticket(org, status=Status.CLOSED)

    response = api.patch(f"/tickets/{ticket.number}", json={"status": "open"})

    assert response.status_code == 403  # reopening a closed ticket needs a senior agent


def test_service_field_names_are_reported_under_api_names(api, other_org):
    stranger = UserFactory(organization=other_org)

    response = api.post("/tickets", json={**NEW_TICKET, "assignee_id": stranger.id})

    assert response.status_code == 404
    assert set(response.get_json()["error"]["fields"]) == {"assignee_id"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({**NEW_TICKET, "subject": ""}, {"subject"}, id="empty subject"),
        pytest.param({**NEW_TICKET, "subject": "   "}, {"subject"}, id="blank subject"),
        pytest.param({**NEW_TICKET, "subject": "x" * 301}, {"subject"}, id="long subject"),
        pytest.param({**NEW_TICKET, "subject": "a\x00b"}, {"subject"}, id="NUL in subject"),
        pytest.param({**NEW_TICKET, "body": ""}, {"body"}, id="empty body"),
        pytest.param({**NEW_TICKET, "customer_email": "nope"}, {"customer_email"}, id="bad email"),
        pytest.param({**NEW_TICKET, "priority": "urgent"}, {"priority"}, id="unknown priority"),
        pytest.param({**NEW_TICKET, "tags": ["ok", "no way!"]}, {"tags"}, id="malformed tag"),
        pytest.param({**NEW_TICKET, "tags": "billing"}, {"tags"}, id="tags not a list"),
        pytest.param({**NEW_TICKET, "tags": [str(i) for i in range(21)]}, {"tags"}, id="21 tags"),
        pytest.param({**NEW_TICKET, "assignee_id": 0}, {"assignee_id"}, id="id zero"),
        pytest.param({**NEW_TICKET, "team_id": 2**40}, {"team_id"}, id="id too large"),
        pytest.param({**NEW_TICKET, "status": "open"}, {"status"}, id="unknown field"),
        pytest.param({"subject": "Only"}, {"body", "customer_email"}, id="missing fields"),
        pytest.param(["not", "an", "object"], {"body"}, id="not an object"),
    ],
)
def test_invalid_new_tickets_are_refused_with_the_fields_named(api, body, fields):
    response = api.post("/tickets", json=body)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert {name.split(".")[0] for name in error["fields"]} == fields
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        pytest.param({"version": 0}, {}, "version", id="version zero"),
        pytest.param({"version": "one"}, {}, "version", id="version not a number"),
        pytest.param({"status": "done"}, {}, "status", id="unknown status"),
        pytest.param({"subject": None}, {}, None, id="null subject is ignored"),
        pytest.param({}, {"If-Match": "abc"}, "If-Match", id="malformed If-Match"),
        pytest.param({"priority": "low"}, {"If-Match": 'W/"1"'}, None, id="weak If-Match"),
        pytest.param({"priority": "low"}, {"If-Match": "*"}, None, id="any version"),
    ],
)
def test_update_validation(api, ticket, body, headers, field):
    response = api.patch(f"/tickets/{ticket.number}", json=body, headers=headers)

    if field is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 422
        assert field in response.get_json()["error"]["fields"]


def test_the_list_filters_by_every_criterion(api, org, agent):
    team = TeamFactory(organization=org)
    dana = CustomerFactory(organization=org)
    old = utcnow() - dt.timedelta(days=3)
    make_ticket(org, subject="old", updated_at=old)
    make_ticket(org, subject="mine", assignee=agent, priority=Priority.HIGH, updated_at=old)
    make_ticket(org, subject="team", team=team, tags=["vip"], status=Status.PENDING)
    make_ticket(org, subject="dana", customer=dana, status=Status.RESOLVED)

    def subjects(query: str) -> set[str]:
        response = api.get(f"/tickets?{query}")
        assert response.status_code == 200, response.get_json()
        return {t["subject"] for t in response.get_json()["data"]}

    assert subjects("") == {"old", "mine", "team", "dana"}
    assert subjects("status=pending&status=resolved") == {"team", "dana"}
    assert subjects("priority=high") == {"mine"}
    assert subjects(f"assignee={agent.id}") == {"mine"}
    assert subjects("assignee=none") == {"old", "team", "dana"}
    assert subjects(f"team={team.id}") == {"team"}
    assert subjects("tag=VIP") == {"team"}
    assert subjects(f"customer={dana.id}") == {"dana"}
    since = (utcnow() - dt.timedelta(days=1)).isoformat()
    assert subjects(f"updated_since={since.replace('+', '%2B')}") == {"team", "dana"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("status=done", "status.0", id="unknown status"),
        pytest.param("assignee=someone", "assignee", id="assignee neither id nor none"),
        pytest.param("limit=0", "limit", id="limit zero"),
        pytest.param("limit=101", "limit", id="limit too large"),
        pytest.param("updated_since=yesterday", "updated_since", id="not a time"),
        pytest.param("updated_since=2026-01-01T00:00:00", "updated_since", id="time without zone"),
        pytest.param("sort=subject", "sort", id="unknown sort"),
        pytest.param("cursor=garbage", "cursor", id="foreign cursor"),
        pytest.param("colour=red", "colour", id="unknown parameter"),
    ],
)
def test_invalid_list_parameters_are_refused(api, query, field):
    response = api.get(f"/tickets?{query}")

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("sort", ["updated", "created", "priority", "number"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_cover_every_ticket_exactly_once(api, org, sort, order):
    base = utcnow() - dt.timedelta(hours=1)
    numbers = {
        make_ticket(org, priority=[Priority.LOW, Priority.HIGH][i % 2], updated_at=base).number
        for i in range(7)
    }
    seen: list[int] = []
    cursor = ""
    for _ in range(5):
        page = api.get(f"/tickets?limit=3&sort={sort}&order={order}{cursor}").get_json()
        seen += [t["number"] for t in page["data"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(seen) == sorted(numbers)
    assert len(seen) == len(numbers)


def test_listing_costs_the_same_queries_for_any_page_size(api, org, query_counter):
    assignees = [UserFactory(organization=org) for _ in range(3)]
    teams = [TeamFactory(organization=org) for _ in range(2)]
    for i in range(30):
        make_ticket(org, assignee=assignees[i % 3], team=teams[i % 2], tags=[f"t{i % 4}"])
    api.get("/tickets?limit=1")  # first use of the token writes last_used_at
    counts = {}
    for limit in (2, 30):
        with query_counter() as queries:
            response = api.get(f"/tickets?limit={limit}")
        assert len(response.get_json()["data"]) == limit
        counts[limit] = queries.count
    assert counts[2] == counts[30]
    assert counts[30] <= 4, counts


@pytest.mark.parametrize("path", ["/messages", "/events"])
def test_conversation_and_history_cost_the_same_queries_for_any_length(
    api, org, agent, ticket, query_counter, path
):
    api.get(f"/tickets/{ticket.number}")
    from supportdesk.tickets import service

    for i in range(12):
        service.add_note(agent, ticket, f"note {i}")
    counts = {}
    for limit in (1, 12):
        with query_counter() as queries:
            response = api.get(f"/tickets/{ticket.number}{path}?limit={limit}")
        assert len(response.get_json()["data"]) == limit
        counts[limit] = queries.count
    # /messages reads the page's files in one query more.
    assert counts[1] == counts[12] <= (5 if path == "/messages" else 4), counts


def test_replies_and_notes_join_the_conversation(api, ticket):
    reply = api.post(f"/tickets/{ticket.number}/messages", json={"body": "On it"})
    note = api.post(f"/tickets/{ticket.number}/messages", json={"body": "Psst", "kind": "internal"})

    assert reply.status_code == 201 and note.status_code == 201
    assert reply.get_json()["kind"] == "public"
    assert note.get_json()["author"]["type"] == "agent"
    messages = api.get(f"/tickets/{ticket.number}/messages").get_json()["data"]
    assert [m["kind"] for m in messages] == ["public", "public", "internal"]
    assert messages[0]["author"]["type"] == "customer"
    db.session.refresh(ticket)
    assert ticket.first_response_at is not None


def test_message_pages_follow_the_cursor(api, agent, ticket):
    from supportdesk.tickets import service

    for i in range(4):
        service.add_note(agent, ticket, f"note {i}")
    first = api.get(f"/tickets/{ticket.number}/messages?limit=3").get_json()
    rest = api.get(
        f"/tickets/{ticket.number}/messages?limit=3&cursor={first['next_cursor']}"
    ).get_json()

    assert len(first["data"]) == 3 and len(rest["data"]) == 2
    assert rest["next_cursor"] is None


def test_an_empty_message_is_refused(api, ticket):
    response = api.post(f"/tickets/{ticket.number}/messages", json={"body": "  "})

    assert response.status_code == 422
    assert "body" in response.get_json()["error"]["fields"]


def test_history_lists_every_change_with_its_actor(api, agent, ticket):
    api.patch(f"/tickets/{ticket.number}", json={"status": "in_progress", "priority": "high"})

    events = api.get(f"/tickets/{ticket.number}/events").get_json()
    events_page_two = api.get(f"/tickets/{ticket.number}/events?limit=1").get_json()

    kinds = [e["kind"] for e in events["data"]]
    assert kinds == ["created", "status", "priority"]
    assert events["data"][0]["actor"]["type"] == "customer"
    assert events["data"][1]["actor"] == {"type": "agent", "id": agent.id, "name": agent.name}
    assert events_page_two["next_cursor"] == str(events["data"][0]["id"])


def test_a_system_change_has_the_system_as_actor(api, org):
    from supportdesk.tickets import service

    ticket = make_ticket(org, status=Status.RESOLVED)
    ticket.resolved_at = utcnow() - dt.timedelta(days=30)
    db.session.flush()
    service.close_resolved_tickets(older_than=dt.timedelta(days=7))

    events = api.get(f"/tickets/{ticket.number}/events").get_json()["data"]

    assert events[-1]["actor"] == {"type": "system", "id": None, "name": "System"}


def test_tickets_created_over_the_api_are_marked_as_api(api):
    number = api.post("/tickets", json=NEW_TICKET).get_json()["number"]

    ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == number))
    assert ticket.channel is Channel.API


@pytest.mark.parametrize("resource", ["messages", "events"])
def test_a_cursor_past_every_id_is_an_empty_page(api, ticket, resource):
    # Ten digits pass the schema but exceed a 32-bit id: an empty page, not a database error.
    response = api.get(f"/tickets/{ticket.number}/{resource}?cursor=9999999999")
    assert response.status_code == 200
    assert response.get_json()["data"] == []


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param({"version": 1, "priority": "low"}, {"If-Match": '"2"'}, id="newer header"),
        pytest.param({"version": 2, "priority": "low"}, {"If-Match": '"1"'}, id="newer body"),
        pytest.param({"version": 1, "priority": "low"}, {"If-Match": 'W/"3"'}, id="weak header"),
    ],
)
def test_if_match_and_a_different_body_version_are_refused_naming_both(api, ticket, body, headers):
    response = api.patch(f"/tickets/{ticket.number}", json=body, headers=headers)

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "version_mismatch"
    assert set(error["fields"]) == {"version", "If-Match"}
    db.session.refresh(ticket)
    assert (ticket.version, ticket.priority) == (1, Priority.MEDIUM)


def test_if_match_and_the_same_body_version_are_one_version(api, ticket):
    response = api.patch(
        f"/tickets/{ticket.number}",
        json={"version": 1, "priority": "low"},
        headers={"If-Match": '"1"'},
    )

    assert response.status_code == 200
    assert response.get_json()["version"] == 2


@pytest.mark.parametrize(
    ("field", "make", "status"),
    [
        pytest.param("team_id", lambda org: 2_000_000_000, 404, id="unknown team"),
        pytest.param("assignee_id", lambda org: 2_000_000_000, 404, id="unknown agent"),
        pytest.param(
            "assignee_id",
            lambda org: UserFactory(organization=org, active=False).id,
            409,
            id="deactivated agent",
        ),
    ],
)
def test_a_body_naming_a_missing_or_unusable_row_is_a_404_or_409_naming_it(
    api, org, field, make, status
):
    # The document cannot know which ids exist: these are facts about rows, not malformed input.
    response = api.post("/tickets", json={**NEW_TICKET, field: make(org)})

    assert response.status_code == status
    assert set(response.get_json()["error"]["fields"]) == {field}
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


def test_the_largest_body_the_document_allows_fits_the_size_limit_fully_escaped(api):
    # 100,000 astral characters, each sent as a 12-byte escaped surrogate pair: 1.2 MB.
    body = {**NEW_TICKET, "body": "\U0001f600" * 100_000, "subject": "\U0001f600" * 300}
    raw = json.dumps(body)  # ensure_ascii: every character escaped

    response = api.post("/tickets", data=raw, content_type="application/json")

    assert len(raw) > 1_200_000
    assert response.status_code == 201
