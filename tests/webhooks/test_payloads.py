"""Which events a transaction produces, what their payloads say, and who receives them."""

from __future__ import annotations

import pytest

from supportdesk import events
from supportdesk.customers import service as customers
from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority, Status
from supportdesk.webhooks.models import EVENT_TYPES
from tests.factories import TeamFactory, make_ticket
from tests.fixtures.webhooks import deliveries, make_endpoint, payload

pytestmark = pytest.mark.integration

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def endpoint(org):
    """An endpoint of `org` subscribed to every event type (nothing is sent in these tests)."""
    return make_endpoint(org, URL)


def _types() -> list[str]:
    return [d.event_type for d in deliveries()]


def _last(event_type: str) -> dict:
    return payload([d for d in deliveries() if d.event_type == event_type][-1])


def test_opening_a_ticket_for_a_new_customer_sends_customer_ticket_and_message_events(
    app, org, endpoint
):
    ticket = make_ticket(org, customer_email="new.person@example.com", body="Help!")
    db.session.commit()
    assert _types() == ["customer.created", "ticket.created", "message.created"]
    created = _last("ticket.created")
    assert created["type"] == "ticket.created" and created["timestamp"].endswith("Z")
    data = created["data"]["ticket"]
    assert {k: data[k] for k in ("id", "number", "organization_id", "status", "version")} == {
        "id": ticket.id,
        "number": ticket.number,
        "organization_id": org.id,
        "status": "open",
        "version": ticket.version,
    }
    message = _last("message.created")["data"]["message"]
    assert (message["kind"], message["body_text"], message["author"]["type"]) == (
        "public",
        "Help!",
        "customer",
    )
    customer = _last("customer.created")["data"]["customer"]
    assert customer["email"] == "new.person@example.com"


def test_a_field_change_sends_ticket_updated_with_old_and_new_values(
    app, org, endpoint, agent, ticket
):
    db.session.commit()
    team, old_subject = TeamFactory(organization=org), ticket.subject
    tickets.update_ticket(
        agent,
        ticket,
        expected_version=ticket.version,
        status=Status.PENDING,
        priority=Priority.HIGH,
        assignee_id=agent.id,
        team_id=team.id,
        subject="A new subject",
        tags="billing, vip",
    )
    db.session.commit()
    assert _types()[-3:] == ["ticket.updated", "ticket.status_changed", "ticket.assigned"]
    updated = _last("ticket.updated")["data"]
    assert updated["changes"] == {
        "subject": {"old": old_subject, "new": "A new subject"},
        "tags": {"old": [], "new": ["billing", "vip"]},
        "status": {"old": "open", "new": "pending"},
        "priority": {"old": "medium", "new": "high"},
        "assignee_id": {"old": None, "new": agent.id},
        "team_id": {"old": None, "new": team.id},
    }
    assert updated["actor"] == {"type": "agent", "id": agent.id}
    assert updated["ticket"]["tags"] == ["billing", "vip"]
    assert updated["ticket"]["version"] == ticket.version
    status = _last("ticket.status_changed")["data"]
    assert (status["old_status"], status["new_status"]) == ("open", "pending")
    assigned = _last("ticket.assigned")["data"]
    assert assigned["assignee"] == {"old_id": None, "new_id": agent.id}
    assert assigned["team"] == {"old_id": None, "new_id": team.id}


def test_two_status_changes_in_one_transaction_merge_into_one_update(
    app, org, endpoint, agent, ticket
):
    db.session.commit()
    tickets.change_status(agent, ticket, Status.PENDING)
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    assert _types().count("ticket.updated") == 1
    assert _last("ticket.updated")["data"]["changes"] == {
        "status": {"old": "open", "new": "resolved"}
    }
    assert _types().count("ticket.status_changed") == 2


@pytest.mark.parametrize(
    ("write", "kind", "author"),
    [
        pytest.param(
            lambda agent, t: tickets.reply(agent, t, "On it"), "public", "agent", id="reply"
        ),
        pytest.param(
            lambda agent, t: tickets.add_note(agent, t, "Psst"), "internal", "agent", id="note"
        ),
        pytest.param(
            lambda agent, t: tickets.customer_reply(t, t.customer, "Thanks"),
            "public",
            "customer",
            id="customer-reply",
        ),
    ],
)
def test_every_message_sends_message_created_with_its_kind(
    app, org, endpoint, agent, customer, write, kind, author
):
    ticket = make_ticket(org, customer=customer)
    db.session.commit()
    message = write(agent, ticket)
    db.session.commit()
    data = _last("message.created")["data"]
    assert data["message"]["id"] == message.id and data["message"]["kind"] == kind
    assert data["message"]["author"]["type"] == author
    assert data["ticket"]["id"] == ticket.id


def test_a_customer_created_by_an_agent_sends_customer_created(app, org, endpoint, agent):
    customers.create_customer(agent, email="zoe@example.com", name="Zoe")
    db.session.commit()
    assert _last("customer.created")["data"]["customer"]["name"] == "Zoe"


def test_an_endpoint_receives_only_the_types_it_subscribed_to(app, org, agent):
    make_endpoint(org, URL, ["ticket.status_changed"])
    ticket = make_ticket(org)
    tickets.change_status(agent, ticket, Status.PENDING)
    db.session.commit()
    assert _types() == ["ticket.status_changed"]


def test_a_disabled_endpoint_gets_no_deliveries(app, org):
    make_endpoint(org, URL, enabled=False)
    make_ticket(org)
    db.session.commit()
    assert deliveries() == []


def test_endpoints_of_another_organization_never_receive_its_events(app, org, other_org):
    mine = make_endpoint(org, URL)
    make_endpoint(other_org, URL)
    make_ticket(org)
    db.session.commit()
    assert {d.endpoint_id for d in deliveries()} == {mine.id}
    assert {d.organization_id for d in deliveries()} == {org.id}


def test_one_event_has_one_webhook_id_across_endpoints(app, org):
    make_endpoint(org, URL, ["ticket.created"])
    make_endpoint(org, URL, ["ticket.created"])
    make_ticket(org)
    db.session.commit()
    first, second = deliveries()
    assert first.event_id == second.event_id and first.payload == second.payload


def test_other_domain_events_are_ignored(app, org, endpoint):
    events.record(db.session, object())
    events.record(db.session, {"type": "sla.breached"})
    db.session.commit()
    assert deliveries() == []


def test_a_rolled_back_change_queues_nothing(app, org, endpoint):
    db.session.commit()
    make_ticket(org)
    db.session.rollback()
    db.session.commit()
    assert deliveries() == []


def test_every_documented_event_type_is_subscribable():
    assert list(EVENT_TYPES) == [
        "ticket.created",
        "ticket.updated",
        "ticket.status_changed",
        "ticket.assigned",
        "ticket.deleted",
        "ticket.merged",
        "ticket.split",
        "ticket.rated",
        "message.created",
        "customer.created",
        "sla.warning",
        "sla.breached",
    ]


def test_deleting_a_ticket_sends_ticket_deleted_with_the_ticket_as_it_was(
    app, org, endpoint, admin, agent
):
    ticket = make_ticket(org, assignee=agent, tags=["spam"])
    tickets.change_priority(agent, ticket, Priority.HIGH)
    db.session.commit()
    snapshot = _last("ticket.updated")["data"]["ticket"]

    tickets.delete_ticket(admin, ticket, reason="Spam")
    db.session.commit()

    deleted = _last("ticket.deleted")
    assert deleted["type"] == "ticket.deleted" and deleted["timestamp"].endswith("Z")
    data = deleted["data"]
    assert data["ticket"] == snapshot  # the same shape and values as the last event
    assert (data["reason"], data["actor"]) == ("Spam", {"type": "agent", "id": admin.id})
    assert data["deleted_at"] == deleted["timestamp"]


def test_an_endpoint_that_did_not_subscribe_to_deletions_is_not_told(app, org, admin):
    only_created = make_endpoint(org, URL, ["ticket.created"])
    ticket = make_ticket(org)
    db.session.commit()

    tickets.delete_ticket(admin, ticket)
    db.session.commit()

    assert [d.event_type for d in deliveries(only_created.id)] == ["ticket.created"]
