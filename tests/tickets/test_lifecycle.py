"""The lifecycle rules as pure functions: what each change stamps on a ticket and records."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from supportdesk.tickets import lifecycle
from supportdesk.tickets.lifecycle import SYSTEM, Actor
from supportdesk.tickets.models import EventKind, MessageKind, Priority, Status

pytestmark = pytest.mark.unit

OPENED = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
EARLIER = OPENED + dt.timedelta(hours=1)
AT = OPENED + dt.timedelta(hours=2)
AGENT, CUSTOMER = Actor(user_id=7), Actor(customer_id=9)


def ticket(status: Status = Status.OPEN, **columns) -> SimpleNamespace:
    """A ticket's lifecycle columns, without a database."""
    values = {
        "subject": "Printer", "status": status, "priority": Priority.MEDIUM,
        "updated_at": OPENED, "first_response_at": None, "resolved_at": None, "closed_at": None,
    }  # fmt: skip
    return SimpleNamespace(**{**values, **columns})


@pytest.mark.parametrize(
    ("before", "target", "resolved_at", "closed_at"),
    [
        pytest.param({}, Status.RESOLVED, AT, None, id="resolving stamps resolved_at"),
        pytest.param({}, Status.CLOSED, AT, AT, id="closing an open ticket resolves it too"),
        pytest.param(
            {"status": Status.RESOLVED, "resolved_at": EARLIER},
            Status.CLOSED, EARLIER, AT, id="closing keeps the time it was resolved",
        ),
        pytest.param(
            {"status": Status.RESOLVED, "resolved_at": EARLIER},
            Status.OPEN, None, None, id="reopening clears both",
        ),
        pytest.param(
            {"status": Status.CLOSED, "resolved_at": EARLIER, "closed_at": EARLIER},
            Status.OPEN, None, None, id="reopening a closed ticket clears both",
        ),
        pytest.param({}, Status.PENDING, None, None, id="waiting on the customer stamps nothing"),
    ],
)  # fmt: skip
def test_a_status_change_stamps_what_the_new_status_means(before, target, resolved_at, closed_at):
    t = ticket(**before)
    old = t.status

    [entry] = lifecycle.status_changed(t, target, AGENT, AT)

    assert (t.status, t.resolved_at, t.closed_at, t.updated_at) == (
        target,
        resolved_at,
        closed_at,
        AT,
    )
    assert entry.columns() == {
        "kind": EventKind.STATUS, "actor_user_id": 7, "actor_customer_id": None,
        "old_value": old.label, "new_value": target.label,
        "data": {"old": old.value, "new": target.value}, "created_at": AT,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "reopens"),
    [
        pytest.param(Status.PENDING, True, id="pending"),
        pytest.param(Status.RESOLVED, True, id="resolved"),
        pytest.param(Status.IN_PROGRESS, False, id="in progress"),
        pytest.param(Status.OPEN, False, id="open"),
    ],
)
def test_a_customer_reply_reopens_a_ticket_waiting_on_them_or_resolved(status, reopens):
    t = ticket(status)

    message, entries = lifecycle.customer_replied(t, CUSTOMER, "Thanks", AT, message_id="<m@x>")

    assert [e.kind for e in entries] == [EventKind.CUSTOMER_REPLIED] + [EventKind.STATUS] * reopens
    assert all(e.actor == CUSTOMER for e in entries)
    assert t.status is (Status.OPEN if reopens else status)
    assert (message["kind"], message["author_customer_id"], message["email_message_id"]) == (
        MessageKind.PUBLIC,
        9,
        "<m@x>",
    )


def test_only_the_first_agent_reply_is_the_first_response():
    t = ticket()

    lifecycle.replied(t, AGENT, "First", EARLIER)
    message, [entry] = lifecycle.replied(t, AGENT, "Second", AT)

    assert t.first_response_at == EARLIER
    assert entry.data == {"length": len("Second")}
    assert message["author_user_id"] == 7


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: lifecycle.status_changed(t, Status.OPEN, AGENT, AT), id="status"),
        pytest.param(
            lambda t: lifecycle.priority_changed(t, Priority.MEDIUM, AGENT, AT), id="prio"
        ),
        pytest.param(lambda t: lifecycle.subject_changed(t, "Printer", AGENT, AT), id="subject"),
        pytest.param(lambda t: lifecycle.tags_changed(t, ["a"], ["a"], AGENT, AT), id="tags"),
    ],
)
def test_a_change_to_the_same_value_records_nothing_and_leaves_the_ticket(change):
    t = ticket()

    assert change(t) == []
    assert t.updated_at == OPENED


def test_history_values_are_cut_to_the_column_length():
    t = ticket()

    [entry] = lifecycle.subject_changed(t, "x" * 600, SYSTEM, AT)

    assert len(entry.columns()["new_value"]) == lifecycle.VALUE_LENGTH
    assert t.subject == "x" * 600  # the rule cuts history, not the ticket (the service validates)
