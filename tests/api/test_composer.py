"""The API's replies and notes with Markdown, Cc and minutes; the time-spent endpoint."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from tests.factories import make_ticket


def test_a_markdown_reply_with_cc_and_minutes_is_stored_and_returned(api, org, ticket):
    org.time_tracking = True
    db.session.flush()
    body = {
        "body": "A **fix** is out.",
        "body_format": "markdown",
        "cc": ["Lee@Customer.example"],
        "time_spent_minutes": 12.0,
    }
    created = api.post(f"/tickets/{ticket.number}/messages", json=body)
    assert created.status_code == 201, created.json
    assert created.json["body_html"] == "<p>A <strong>fix</strong> is out.</p>"
    assert (
        created.json["body_format"],
        created.json["cc"],
        created.json["time_spent_minutes"],
    ) == (
        "markdown",
        ["lee@customer.example"],
        12,
    )
    listed = api.get(f"/tickets/{ticket.number}/messages").json["data"]
    assert listed[-1]["cc"] == ["lee@customer.example"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"cc": ["nope"]}, "cc", id="bad-address"),
        pytest.param({"kind": "internal", "cc": ["lee@customer.example"]}, "cc", id="note-with-cc"),
        pytest.param({"time_spent_minutes": 5}, "time_spent_minutes", id="tracking-off"),
        pytest.param({"time_spent_minutes": -1}, "time_spent_minutes", id="negative"),
        pytest.param({"body_format": "html"}, "body_format", id="unknown-format"),
    ],
)
def test_a_refused_extra_names_its_field(api, ticket, body, field):
    response = api.post(f"/tickets/{ticket.number}/messages", json={"body": "Hi", **body})
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_time_spent_sums_per_agent(api, api_as, org, agent, senior_agent, ticket):
    org.time_tracking = True
    db.session.flush()
    api.post(f"/tickets/{ticket.number}/messages", json={"body": "a", "time_spent_minutes": 10})
    api_as(senior_agent).post(
        f"/tickets/{ticket.number}/messages",
        json={"body": "b", "kind": "internal", "time_spent_minutes": 30},
    )
    answer = api.get(f"/tickets/{ticket.number}/time-spent")
    assert answer.status_code == 200
    assert answer.json["total_minutes"] == 40
    assert [(a["agent"]["id"], a["minutes"]) for a in answer.json["by_agent"]] == [
        (senior_agent.id, 30),
        (agent.id, 10),
    ]


def test_another_organizations_ticket_has_no_time_spent(api, other_org):
    theirs = make_ticket(other_org)
    assert api.get(f"/tickets/{theirs.number + 1000}/time-spent").status_code == 404
