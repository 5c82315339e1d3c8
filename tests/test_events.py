"""What runs at COMMIT: the named list supportdesk.events.SUBSCRIBERS, in order, all or nothing."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from supportdesk import events
from supportdesk.accounts.models import AssignmentStrategy
from supportdesk.customers.models import Customer
from supportdesk.customers.service import create_customer
from supportdesk.extensions import db
from tests.factories import TeamFactory, UserFactory, make_ticket
from tests.fixtures import events as test_events
from tests.fixtures.webhooks import deliveries, make_endpoint

pytestmark = pytest.mark.integration


def test_the_subscribers_are_the_named_list_in_its_order(app):
    names = [f"{f.__module__}.{f.__qualname__}" for f in events.subscribers()]
    assert names == list(events.SUBSCRIBERS)
    assert [name.split(".")[1] for name in names] == [
        "webhooks",
        "satisfaction",
        "mail",
        "notifications",
        "assignment",
        "sla",
        "crm",
        "reports",
        "live",
    ]


@pytest.mark.parametrize(
    "order",
    [
        pytest.param((test_events.FIRST, test_events.SECOND), id="as-listed"),
        pytest.param((test_events.SECOND, test_events.FIRST), id="reversed"),
    ],
)
def test_a_commit_calls_the_subscribers_in_the_order_of_the_list(org, admin, monkeypatch, order):
    monkeypatch.setattr(events, "SUBSCRIBERS", order)
    test_events.CALLS.clear()
    create_customer(admin, email="zoe@example.com")
    db.session.commit()
    calls = test_events.CALLS
    assert calls == [name.rsplit(".", 1)[1] for name in order]


def test_a_commit_without_events_calls_no_subscriber(org, admin, monkeypatch):
    monkeypatch.setattr(events, "SUBSCRIBERS", (test_events.FIRST,))
    test_events.CALLS.clear()
    org.name = "Renamed"
    db.session.commit()
    calls = test_events.CALLS
    assert calls == []


def test_a_failing_subscriber_commits_nothing_and_is_logged_by_name(
    org, admin, monkeypatch, caplog
):
    monkeypatch.setattr(events, "SUBSCRIBERS", (*events.SUBSCRIBERS, test_events.FAILING))
    create_customer(admin, email="zoe@example.com")
    with caplog.at_level(logging.ERROR), pytest.raises(test_events.SubscriberBroke):
        db.session.commit()
    db.session.rollback()
    assert (
        db.session.scalars(sa.select(Customer).where(Customer.organization_id == org.id)).all()
        == []
    )
    [record] = [r for r in caplog.records if r.name == "supportdesk.events"]
    assert record.subscriber == test_events.FAILING
    assert "nothing of this transaction is saved" in record.getMessage()


def test_a_rollback_forgets_the_events(org, admin, published):
    create_customer(admin, email="zoe@example.com")
    db.session.rollback()
    db.session.commit()
    assert published == []


def test_a_misspelt_subscriber_stops_the_start(monkeypatch):
    monkeypatch.setattr(events, "SUBSCRIBERS", ("supportdesk.webhooks.service.no_such_function",))
    with pytest.raises(AttributeError):
        events.subscribers()


def test_webhooks_see_the_ticket_as_created_then_its_automatic_assignment_with_a_newer_version(
    org,
):
    # Webhooks run before assignment: each event's snapshot carries the version it produced.
    agent = UserFactory(organization=org)
    team = TeamFactory(
        organization=org, members=[agent], assignment_strategy=AssignmentStrategy.ROUND_ROBIN
    )
    make_endpoint(org, "http://127.0.0.1:9/hooks")
    make_ticket(org, team=team)
    db.session.commit()
    sent = [json.loads(d.payload) for d in deliveries()]
    tickets = {p["type"]: p["data"]["ticket"] for p in sent}
    assert [p["type"] for p in sent][:1] == ["ticket.created"]
    assert (tickets["ticket.created"]["assignee_id"], tickets["ticket.created"]["version"]) == (
        None,
        1,
    )
    assert (tickets["ticket.assigned"]["assignee_id"], tickets["ticket.assigned"]["version"]) == (
        agent.id,
        2,
    )
