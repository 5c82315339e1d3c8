"""The agent's event stream (GET /live/stream) and presence routes, on real Redis."""

from __future__ import annotations

import pytest

from supportdesk.live.broker import Subscription
from supportdesk.live.stream import frames
from tests.factories import UserFactory
from tests.fixtures.web import login_as
from tests.live.conftest import parse

pytestmark = pytest.mark.integration


def _stream(client, **headers) -> list[dict]:
    response = client.get("/live/stream", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    return parse(response.get_data(as_text=True))


def test_a_stream_resumes_after_the_last_event_id_with_only_its_organizations_events(
    client, broker, org, other_org, agent
):
    login_as(client, agent)
    first = broker.publish(org.id, {"type": "ticket", "ticket": 1})
    broker.publish(other_org.id, {"type": "ticket", "ticket": 99})
    second = broker.publish(org.id, {"type": "ticket", "ticket": 2})
    events = _stream(client, **{"Last-Event-ID": first})
    assert [(e["id"], e["event"], e["data"]["ticket"]) for e in events] == [(second, "ticket", 2)]


def test_a_stream_resumes_from_the_id_the_page_was_rendered_with(client, broker, org, agent):
    login_as(client, agent)
    since = broker.latest(org.id)
    broker.publish(org.id, {"type": "ticket", "ticket": 5})
    response = client.get(f"/live/stream?since={since}")
    assert [e["data"]["ticket"] for e in parse(response.get_data(as_text=True))] == [5]


def test_a_stream_too_far_behind_is_told_to_reset(client, broker, org, agent):
    login_as(client, agent)
    latest = broker.publish(org.id, {"type": "ticket", "ticket": 1})
    events = _stream(client, **{"Last-Event-ID": "1-0"})
    assert [(e["event"], e["id"]) for e in events] == [("reset", latest)]


@pytest.mark.parametrize("junk", ["abc", "1-x", "9" * 50, "-1", "²", "1-²"])
def test_a_malformed_last_event_id_is_ignored(client, broker, org, agent, junk):
    login_as(client, agent)
    broker.publish(org.id, {"type": "ticket", "ticket": 1})
    assert _stream(client, **{"Last-Event-ID": junk}) == []


def test_an_event_for_one_agent_reaches_only_that_agent(client, broker, org, agent, viewer):
    start = broker.latest(org.id)
    broker.publish(org.id, {"type": "notification", "to": [agent.id]})
    broker.publish(org.id, {"type": "ticket", "ticket": 3})
    login_as(client, viewer)
    assert [e["event"] for e in _stream(client, **{"Last-Event-ID": start})] == ["ticket"]
    login_as(client, agent)
    assert [e["event"] for e in _stream(client, **{"Last-Event-ID": start})] == [
        "notification",
        "ticket",
    ]


def test_a_signed_out_browser_gets_no_stream(client, broker):
    response = client.get("/live/stream")
    assert response.status_code in (302, 401)
    assert response.mimetype != "text/event-stream"


def test_an_idle_stream_sends_heartbeats_then_ends(broker, org, agent):
    sub = broker.subscribe(org.id)
    body = list(
        frames(broker, sub, user_id=agent.id, replay=[], latest="0-0", heartbeat=0.05, lifetime=0.2)
    )
    assert body[0].startswith("retry: ")
    assert ": heartbeat\n\n" in body
    assert broker.hub.count() == 0  # unsubscribed as it ended


def test_a_stream_ended_by_its_broker_stops_and_skips_what_the_log_gave(broker, org, agent):
    sub = Subscription(org.id)
    broker.hub.add(sub)
    replayed = broker.publish(org.id, {"type": "ticket", "ticket": 1})
    [event] = broker.since(org.id, "0-0")
    sub.inbox.put(event)  # also arrived live: given once
    broker.hub.end_all()
    body = "".join(
        frames(
            broker, sub, user_id=agent.id, replay=[event], latest=replayed, heartbeat=5, lifetime=5
        )
    )
    assert [e["id"] for e in parse(body)] == [replayed]


def test_presence_heartbeats_show_colleagues_and_typing(client, app, org, agent, ticket):
    colleague = UserFactory(organization=org, name="Cora Colleague")
    login_as(client, colleague)
    answer = client.post(
        f"/tickets/{ticket.number}/presence",
        data={"typing": "reply"},
        headers={"X-CSRFToken": _token(client, ticket)},
    )
    assert answer.json == {"viewers": []}  # nobody else yet
    login_as(client, agent)
    token = _token(client, ticket)
    answer = client.post(
        f"/tickets/{ticket.number}/presence", data={}, headers={"X-CSRFToken": token}
    )
    assert answer.json == {
        "viewers": [{"id": colleague.id, "name": "Cora Colleague", "typing": "reply"}]
    }
    listed = client.get(f"/live/presence?ticket={ticket.number}&ticket=x&ticket=²").json
    assert listed == {"tickets": {str(ticket.number): answer.json["viewers"]}}


def test_a_viewer_is_present_but_never_typing(client, org, viewer, agent, ticket):
    login_as(client, viewer)
    client.post(
        f"/tickets/{ticket.number}/presence",
        data={"typing": "reply"},
        headers={"X-CSRFToken": _token(client, ticket)},
    )
    login_as(client, agent)
    listed = client.get(f"/live/presence?ticket={ticket.number}").json
    assert listed["tickets"][str(ticket.number)] == [
        {"id": viewer.id, "name": viewer.name, "typing": None}
    ]


def test_presence_of_another_organizations_ticket_is_not_found(client, other_org, agent):
    from tests.factories import make_ticket

    theirs = make_ticket(other_org)
    login_as(client, agent)
    token = _token(client, None)
    answer = client.post(
        f"/tickets/{theirs.number}/presence", data={}, headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 404


def _token(client, ticket) -> str:
    from tests.fixtures.web import csrf_token

    return csrf_token(client.get("/" if ticket is None else f"/tickets/{ticket.number}"))
