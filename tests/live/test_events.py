"""Live events: prepared by the subscriber, published after the COMMIT, on real Redis."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.live.broker import visible
from supportdesk.tickets import service
from supportdesk.tickets.models import Priority
from tests.factories import UserFactory, make_ticket
from tests.live.conftest import drain

pytestmark = pytest.mark.integration


def _until_marker(broker, sub, org_id) -> list:
    """Everything the subscription got before a marker published last (no waiting on silence)."""
    broker.publish(org_id, {"type": "marker"})
    got = []
    while True:
        batch = drain(sub)
        assert batch, "the marker never arrived"
        for event in batch:
            if event.payload["type"] == "marker":
                return got
            got.append(event)


def _subscribed(broker, org_id):
    """A subscription that holds nothing published before it: an event committed just before
    (the ticket's creation) may still be on its way through the listener thread, so a first
    marker is passed and what came before it is dropped."""
    sub = broker.subscribe(org_id)
    _until_marker(broker, sub, org_id)
    return sub


def test_a_reply_is_published_to_its_organization_after_the_commit(broker, org, agent, ticket):
    db.session.commit()  # the ticket's own creation
    sub = _subscribed(broker, org.id)
    try:
        message = service.reply(agent, ticket, "On it.")
        assert _until_marker(broker, sub, org.id) == []  # not before the COMMIT
        db.session.commit()
        [event] = _until_marker(broker, sub, org.id)
    finally:
        broker.unsubscribe(sub)
    assert event.organization_id == org.id
    assert event.payload == {
        "type": "ticket",
        "ticket": ticket.number,
        "id": ticket.id,
        "version": ticket.version,
        "kinds": ["replied"],
        "messages": [{"id": message.id, "public": True}],
        "actor": agent.id,
    }


def test_a_rolled_back_change_is_never_published(broker, org, agent, ticket):
    db.session.commit()
    sub = _subscribed(broker, org.id)
    try:
        service.reply(agent, ticket, "Never sent.")
        db.session.rollback()
        db.session.commit()
        assert _until_marker(broker, sub, org.id) == []
    finally:
        broker.unsubscribe(sub)


def test_one_transaction_makes_one_event_per_ticket_with_its_last_version(
    broker, org, agent, ticket
):
    db.session.commit()
    sub = _subscribed(broker, org.id)
    try:
        service.add_note(agent, ticket, "Looking.")
        service.update_ticket(
            agent, ticket, expected_version=ticket.version, priority=Priority.HIGH
        )
        db.session.commit()
        [event] = _until_marker(broker, sub, org.id)
    finally:
        broker.unsubscribe(sub)
    assert event.payload["kinds"] == ["noted", "priority"]
    assert event.payload["version"] == ticket.version
    assert event.payload["messages"][0]["public"] is False


def test_a_new_ticket_and_the_notification_it_causes_are_published(broker, org, agent):
    colleague = UserFactory(organization=org)
    db.session.commit()
    sub = _subscribed(broker, org.id)
    try:
        ticket = make_ticket(org, actor=colleague)
        service.auto_assign(ticket, agent, reason="round_robin")
        db.session.commit()
        events = _until_marker(broker, sub, org.id)
    finally:
        broker.unsubscribe(sub)
    [created] = [e for e in events if e.payload["type"] == "ticket"]
    assert created.payload["ticket"] == ticket.number
    assert "created" in created.payload["kinds"]
    notifications = [e for e in events if e.payload["type"] == "notification"]
    assert [e.payload["to"] for e in notifications] == [[agent.id]]
    assert visible(notifications[0], agent.id) and not visible(notifications[0], colleague.id)


def test_another_organizations_events_never_reach_a_subscription(any_broker, org, other_org, agent):
    mine = any_broker.subscribe(org.id)
    try:
        any_broker.publish(other_org.id, {"type": "ticket", "ticket": 1})
        any_broker.publish(org.id, {"type": "ticket", "ticket": 2})
        got = _until_marker(any_broker, mine, org.id)
    finally:
        any_broker.unsubscribe(mine)
    assert [e.payload["ticket"] for e in got] == [2]
    assert {e.organization_id for e in got} == {org.id}


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        pytest.param("first", ["b", "c"], id="after-the-first"),
        pytest.param("last", [], id="after-the-last"),
        pytest.param("start", ["a", "b", "c"], id="from-an-empty-log"),
    ],
)
def test_the_log_gives_what_came_after_an_id(any_broker, org, other_org, position, expected):
    start = any_broker.latest(org.id)
    ids = [any_broker.publish(org.id, {"type": "t", "n": n}) for n in "abc"]
    any_broker.publish(other_org.id, {"type": "t", "n": "elsewhere"})
    last = {"first": ids[0], "last": ids[-1], "start": start}[position]
    assert [e.payload["n"] for e in any_broker.since(org.id, last)] == expected
    assert any_broker.latest(org.id) == ids[-1]


def test_an_id_the_log_no_longer_holds_asks_for_a_reset(any_broker, org):
    any_broker.publish(org.id, {"type": "t"})
    assert any_broker.since(org.id, "1-0") is None


def test_a_transaction_on_many_tickets_publishes_them_all_in_order(any_broker, org):
    start = any_broker.latest(org.id)
    any_broker.publish_many([(org.id, {"type": "ticket", "ticket": n}) for n in range(1, 51)])
    assert [e.payload["ticket"] for e in any_broker.since(org.id, start)] == list(range(1, 51))


def test_a_deleted_ticket_is_published_as_deleted(broker, org, admin, ticket):
    db.session.commit()
    sub = _subscribed(broker, org.id)
    try:
        service.delete_ticket(admin, ticket, reason="Spam")
        db.session.commit()
        events = [e.payload for e in _until_marker(broker, sub, org.id)]
    finally:
        broker.unsubscribe(sub)
    assert {"type": "ticket", "ticket": ticket.number, "id": ticket.id, "deleted": True} in events
