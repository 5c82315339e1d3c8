"""Ticket writes: opening, conversation, property changes, history and optimistic locking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from supportdesk.accounts.models import Organization
from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.errors import StaleTicket
from supportdesk.tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketTag,
)
from tests.factories import (
    CustomerFactory,
    TeamFactory,
    UserFactory,
    make_staff,
    make_ticket,
)


def _events(ticket: Ticket, kind: EventKind | None = None) -> list[TicketEvent]:
    query = sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if kind is not None:
        query = query.where(TicketEvent.kind == kind)
    return list(db.session.scalars(query.order_by(TicketEvent.id)))


def _messages(ticket: Ticket) -> list[Message]:
    return list(
        db.session.scalars(
            sa.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
        )
    )


def _tags(ticket: Ticket) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(TicketTag.name)
            .where(TicketTag.ticket_id == ticket.id)
            .order_by(TicketTag.name)
        )
    )


# -- opening ---------------------------------------------------------------------------------


def test_open_ticket_numbers_tickets_one_after_another_within_an_organization(org, other_org):
    numbers = [make_ticket(org).number for _ in range(3)]
    other = make_ticket(other_org)

    assert numbers == [1, 2, 3]
    assert other.number == 1
    assert db.session.get(Organization, org.id).last_ticket_number == 3


def test_open_ticket_creates_a_new_customer_and_stores_the_first_message(org, agent):
    ticket = service.open_ticket(
        org.id,
        actor=agent,
        customer_email="  New.Person@Example.COM ",
        customer_name="New Person",
        subject="Cannot log in",
        body="  The login page spins forever.  ",
        channel=Channel.EMAIL,
    )

    customer = db.session.get(Customer, ticket.customer_id)
    assert (customer.email, customer.name, customer.organization_id) == (
        "new.person@example.com",
        "New Person",
        org.id,
    )
    [message] = _messages(ticket)
    assert message.kind is MessageKind.PUBLIC
    assert message.author_customer_id == customer.id
    assert message.body_text == "The login page spins forever."
    assert (ticket.status, ticket.version, ticket.channel) == (Status.OPEN, 1, Channel.EMAIL)


def test_open_ticket_reuses_the_customer_whatever_the_case_of_the_address(org, customer):
    ticket = make_ticket(org, customer_email=customer.email.upper())

    assert ticket.customer_id == customer.id


def test_open_ticket_records_who_created_it_at_version_zero(org, agent):
    ticket = make_ticket(org, actor=agent, subject="Refund please", priority=Priority.HIGH)

    [created] = _events(ticket)
    assert created.kind is EventKind.CREATED
    assert created.ticket_version == 0
    assert created.new_value == "Refund please"
    assert created.data == {"channel": "web", "priority": "high"}
    assert (created.actor_user_id, created.actor_customer_id) == (agent.id, None)


def test_ticket_opened_by_the_customer_credits_the_customer(org, customer):
    ticket = make_ticket(org, customer=customer)

    [created] = _events(ticket)
    assert (created.actor_user_id, created.actor_customer_id) == (None, customer.id)


def test_open_ticket_collapses_whitespace_in_the_subject(org):
    ticket = make_ticket(org, subject="  Printer \n  on   fire ")

    assert ticket.subject == "Printer on fire"


def test_open_ticket_stores_normalised_tags(org):
    ticket = make_ticket(org, tags="Billing, Urgent issue, billing")

    assert _tags(ticket) == ["billing", "urgent-issue"]
    assert ticket.tags == ["billing", "urgent-issue"]


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [
        pytest.param("", "Body", "subject", id="empty subject"),
        pytest.param("   \n ", "Body", "subject", id="blank subject"),
        pytest.param("x" * 301, "Body", "subject", id="subject over 300 characters"),
        pytest.param("Subject", "", "body", id="empty body"),
        pytest.param("Subject", " \n\t ", "body", id="blank body"),
        pytest.param("Subject", "x" * 100_001, "body", id="body over 100000 characters"),
    ],
)
def test_open_ticket_refuses_missing_or_oversized_text(org, agent, subject, body, field):
    with pytest.raises(ValidationFailed) as raised:
        service.open_ticket(
            org.id, actor=agent, customer_email="c@example.com", subject=subject, body=body
        )

    assert field in raised.value.fields


def test_open_ticket_accepts_a_subject_of_exactly_300_characters(org):
    assert len(make_ticket(org, subject="x" * 300).subject) == 300


def test_agent_cannot_open_a_ticket_in_another_organization(other_org, agent):
    with pytest.raises(ValidationFailed):
        make_ticket(other_org, actor=agent, customer_email="c@example.com")


def test_viewer_cannot_open_a_ticket(org, viewer):
    with pytest.raises(PermissionDenied):
        make_ticket(org, actor=viewer, customer_email="c@example.com")


def test_open_ticket_refuses_a_team_of_another_organization(org, other_org):
    foreign_team = TeamFactory(organization=other_org)

    with pytest.raises(UnknownReference) as raised:
        make_ticket(org, team=foreign_team)

    assert "team" in raised.value.fields


def test_open_ticket_assigns_and_routes_when_asked(org, agent):
    team = TeamFactory(organization=org)

    ticket = make_ticket(org, assignee=agent, team=team)

    assert (ticket.assignee_id, ticket.team_id) == (agent.id, team.id)


# -- conversation ----------------------------------------------------------------------------


def test_first_reply_sets_the_first_response_time_and_later_replies_keep_it(ticket, agent):
    service.reply(agent, ticket, "Looking into it.")
    first = ticket.first_response_at
    service.reply(agent, ticket, "Fixed now.")

    assert first is not None
    assert ticket.first_response_at == first


def test_reply_is_public_and_appends_a_replied_event(ticket, agent):
    message = service.reply(agent, ticket, "  Try turning it off and on.  ")

    assert (message.kind, message.author_user_id) == (MessageKind.PUBLIC, agent.id)
    assert message.body_text == "Try turning it off and on."
    [event] = _events(ticket, EventKind.REPLIED)
    assert (event.actor_user_id, event.data) == (agent.id, {"length": 26})
    assert ticket.version == 2


def test_note_is_internal_and_does_not_count_as_a_response(ticket, agent):
    message = service.add_note(agent, ticket, "Customer is on the legacy plan.")

    assert message.is_internal
    assert ticket.first_response_at is None
    assert len(_events(ticket, EventKind.NOTED)) == 1


def test_empty_reply_is_refused(ticket, agent):
    with pytest.raises(ValidationFailed) as raised:
        service.reply(agent, ticket, "   ")

    assert raised.value.fields == {"body": "Write something first."}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(Status.OPEN, Status.OPEN, id="open stays open"),
        pytest.param(Status.IN_PROGRESS, Status.IN_PROGRESS, id="in progress stays in progress"),
        pytest.param(Status.PENDING, Status.OPEN, id="pending goes back to open"),
        pytest.param(Status.RESOLVED, Status.OPEN, id="resolved reopens"),
        pytest.param(Status.CLOSED, Status.CLOSED, id="closed stays closed"),
    ],
)
def test_customer_reply_moves_the_ticket_back_to_the_team(org, customer, before, after):
    ticket = make_ticket(org, customer=customer, status=before)

    message = service.customer_reply(
        ticket, customer, "Still broken.", message_id="<m2@example.com>", in_reply_to="<m1@x>"
    )
    db.session.flush()

    assert ticket.status is after
    assert (message.email_message_id, message.in_reply_to) == ("<m2@example.com>", "<m1@x>")
    assert len(_events(ticket, EventKind.CUSTOMER_REPLIED)) == 1
    status_events = _events(ticket, EventKind.STATUS)
    if before is after:
        assert status_events == []
    else:
        [event] = status_events
        assert (event.actor_customer_id, event.old_value, event.new_value) == (
            customer.id,
            before.label,
            "Open",
        )


# -- status, priority, assignment, edits ---------------------------------------------------


def test_resolving_stamps_resolved_at_and_closing_keeps_it(ticket, agent):
    service.change_status(agent, ticket, Status.RESOLVED)
    resolved_at = ticket.resolved_at
    service.change_status(agent, ticket, Status.CLOSED)

    assert resolved_at is not None
    assert ticket.resolved_at == resolved_at
    assert ticket.closed_at is not None


def test_closing_an_unresolved_ticket_stamps_both_dates(ticket, agent):
    service.change_status(agent, ticket, Status.CLOSED)

    assert ticket.resolved_at == ticket.closed_at is not None


def test_reopening_a_resolved_ticket_clears_resolved_at(ticket, agent):
    service.change_status(agent, ticket, Status.RESOLVED)
    service.change_status(agent, ticket, Status.IN_PROGRESS)

    assert ticket.resolved_at is None


def test_change_priority_records_old_and_new(ticket, agent):
    assert service.change_priority(agent, ticket, Priority.CRITICAL) is True

    [event] = _events(ticket, EventKind.PRIORITY)
    assert (event.old_value, event.new_value) == ("Medium", "Critical")
    assert event.data == {"old": "medium", "new": "critical"}


def test_setting_the_same_priority_changes_nothing(ticket, agent):
    assert service.change_priority(agent, ticket, Priority.MEDIUM) is False
    assert _events(ticket, EventKind.PRIORITY) == []


def test_assign_to_an_active_agent_records_names_and_ids(ticket, agent, senior_agent):
    assert service.assign(senior_agent, ticket, assignee_id=agent.id, team_id=None) is True
    db.session.flush()

    assert ticket.assignee_id == agent.id
    [event] = _events(ticket, EventKind.ASSIGNEE)
    assert (event.old_value, event.new_value) == (None, "Alex Agent")
    assert event.data == {"old": None, "new": agent.id}


def test_reassign_and_unassign_record_the_previous_agent(ticket, agent, senior_agent):
    service.assign(agent, ticket, assignee_id=agent.id, team_id=None)
    service.assign(agent, ticket, assignee_id=senior_agent.id, team_id=None)
    db.session.flush()
    service.assign(agent, ticket, assignee_id=None, team_id=None)
    db.session.flush()

    assert ticket.assignee_id is None
    assert [(e.old_value, e.new_value) for e in _events(ticket, EventKind.ASSIGNEE)] == [
        (None, "Alex Agent"),
        ("Alex Agent", "Sam Senior"),
        ("Sam Senior", None),
    ]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        pytest.param("viewer", Conflict, id="a viewer"),
        pytest.param("inactive", Conflict, id="a deactivated agent"),
        pytest.param("foreign", UnknownReference, id="an agent of another organization"),
        pytest.param("missing", UnknownReference, id="an agent id that does not exist"),
    ],
)
def test_tickets_cannot_be_assigned_to(org, other_org, ticket, agent, viewer, who, error):
    assignee_id = {
        "viewer": lambda: viewer.id,
        "inactive": lambda: UserFactory(organization=org, active=False).id,
        "foreign": lambda: UserFactory(organization=other_org).id,
        "missing": lambda: 2_000_000_000,
    }[who]()

    with pytest.raises(error) as raised:
        service.assign(agent, ticket, assignee_id=assignee_id, team_id=None)

    assert raised.value.fields == {"assignee": "Choose an active agent."}
    assert ticket.assignee_id is None
    assert _events(ticket, EventKind.ASSIGNEE) == []


def test_routing_to_a_team_records_the_team_name(org, ticket, agent):
    team = TeamFactory(organization=org, name="Billing")

    service.assign(agent, ticket, assignee_id=None, team_id=team.id)
    db.session.flush()

    assert ticket.team_id == team.id
    [event] = _events(ticket, EventKind.TEAM)
    assert (event.old_value, event.new_value, event.data) == (
        None,
        "Billing",
        {"old": None, "new": team.id},
    )


def test_routing_to_a_team_of_another_organization_is_refused(other_org, ticket, agent):
    foreign = TeamFactory(organization=other_org)

    with pytest.raises(UnknownReference):
        service.assign(agent, ticket, assignee_id=None, team_id=foreign.id)


def test_assign_without_changes_returns_false_and_records_nothing(ticket, agent):
    assert service.assign(agent, ticket, assignee_id=None, team_id=None) is False
    assert ticket.version == 1
    assert len(_events(ticket)) == 1


def test_edit_subject_records_old_and_new(ticket, agent):
    old = ticket.subject

    assert service.edit(agent, ticket, subject="  Printer   on fire ") is True

    [event] = _events(ticket, EventKind.SUBJECT)
    assert (event.old_value, event.new_value) == (old, "Printer on fire")


def test_edit_tags_replaces_them_and_records_both_lists(org, agent):
    ticket = make_ticket(org, tags="billing, vip")

    assert service.edit(agent, ticket, tags="VIP, refund") is True
    db.session.flush()

    assert _tags(ticket) == ["refund", "vip"]
    [event] = _events(ticket, EventKind.TAGS)
    assert (event.old_value, event.new_value) == ("billing, vip", "refund, vip")
    assert event.data == {"old": ["billing", "vip"], "new": ["refund", "vip"]}


def test_edit_tags_keeps_the_loaded_ticket_up_to_date(org, agent):
    ticket = make_ticket(org, tags="billing, vip")

    service.edit(agent, ticket, tags="vip, refund")
    db.session.flush()

    assert ticket.tags == ["refund", "vip"]


def test_edit_with_the_same_values_changes_nothing(org, agent):
    ticket = make_ticket(org, subject="Same", tags="a, b")

    assert service.edit(agent, ticket, subject=" Same ", tags="b, a") is False
    assert ticket.version == 1
    assert len(_events(ticket)) == 1


# -- history ---------------------------------------------------------------------------------

CHANGES = [
    pytest.param(
        lambda s, t, c: service.change_status(s.agent, t, Status.PENDING),
        EventKind.STATUS, "Open", "Pending", id="status",
    ),
    pytest.param(
        lambda s, t, c: service.change_priority(s.agent, t, Priority.HIGH),
        EventKind.PRIORITY, "Medium", "High", id="priority",
    ),
    pytest.param(
        lambda s, t, c: service.assign(s.agent, t, assignee_id=s.senior_agent.id, team_id=None),
        EventKind.ASSIGNEE, None, "Sam Senior", id="assignee",
    ),
    pytest.param(
        lambda s, t, c: service.assign(s.agent, t, assignee_id=None, team_id=s.team.id),
        EventKind.TEAM, None, "Second line", id="team",
    ),
    pytest.param(
        lambda s, t, c: service.edit(s.agent, t, subject="New subject"),
        EventKind.SUBJECT, "Old subject", "New subject", id="subject",
    ),
    pytest.param(
        lambda s, t, c: service.edit(s.agent, t, tags="a, b"),
        EventKind.TAGS, None, "a, b", id="tags",
    ),
    pytest.param(
        lambda s, t, c: service.reply(s.agent, t, "Hello"),
        EventKind.REPLIED, None, None, id="reply",
    ),
    pytest.param(
        lambda s, t, c: service.add_note(s.agent, t, "Psst"),
        EventKind.NOTED, None, None, id="note",
    ),
    pytest.param(
        lambda s, t, c: service.customer_reply(t, c, "Any news?"),
        EventKind.CUSTOMER_REPLIED, None, None, id="customer reply",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("change", "kind", "old", "new"), CHANGES)
def test_every_change_appends_one_history_entry_and_bumps_the_version(app, change, kind, old, new):
    staff = make_staff()
    staff.team.name = "Second line"
    staff.senior_agent.name = "Sam Senior"
    customer = CustomerFactory(organization=staff.org)
    ticket = make_ticket(staff.org, customer=customer, subject="Old subject")
    before = _events(ticket)

    change(staff, ticket, customer)
    db.session.flush()

    after = _events(ticket)
    assert after[: len(before)] == before
    [event] = after[len(before) :]
    assert (event.kind, event.old_value, event.new_value) == (kind, old, new)
    assert event.ticket_version == 1
    assert ticket.version == 2


def test_history_entries_cannot_be_changed(ticket):
    [event] = _events(ticket)
    event.new_value = "rewritten"

    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()


def test_history_entries_cannot_be_deleted(ticket):
    [event] = _events(ticket)
    db.session.delete(event)

    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()


# -- update_ticket and optimistic locking --------------------------------------------------


def test_update_ticket_applies_every_change_in_one_version(org, ticket, agent, senior_agent):
    team = TeamFactory(organization=org, name="Billing")

    changed = service.update_ticket(
        agent,
        ticket,
        expected_version=1,
        status=Status.IN_PROGRESS,
        priority=Priority.HIGH,
        assignee_id=senior_agent.id,
        team_id=team.id,
        subject="Renamed",
        tags="vip",
    )

    assert changed is True
    assert ticket.version == 2
    assert (ticket.status, ticket.priority, ticket.assignee_id, ticket.team_id) == (
        Status.IN_PROGRESS,
        Priority.HIGH,
        senior_agent.id,
        team.id,
    )
    changes = _events(ticket)[1:]
    assert [e.kind for e in changes] == [
        EventKind.SUBJECT,
        EventKind.TAGS,
        EventKind.STATUS,
        EventKind.PRIORITY,
        EventKind.ASSIGNEE,
        EventKind.TEAM,
    ]
    assert {e.ticket_version for e in changes} == {1}


def test_update_ticket_leaves_out_what_was_not_given(ticket, agent):
    service.assign(agent, ticket, assignee_id=agent.id, team_id=None)
    db.session.flush()

    changed = service.update_ticket(agent, ticket, expected_version=2, priority=Priority.LOW)

    assert changed is True
    assert (ticket.assignee_id, ticket.priority, ticket.status) == (
        agent.id,
        Priority.LOW,
        Status.OPEN,
    )


def test_update_ticket_with_none_clears_the_assignee(ticket, agent):
    service.assign(agent, ticket, assignee_id=agent.id, team_id=None)
    db.session.flush()

    service.update_ticket(agent, ticket, expected_version=2, assignee_id=None)

    assert ticket.assignee_id is None


def test_update_ticket_without_changes_keeps_the_version(ticket, agent):
    assert service.update_ticket(agent, ticket, expected_version=1, status=Status.OPEN) is False
    assert ticket.version == 1


def test_update_ticket_on_a_stale_version_refuses_and_lists_the_changes_since(
    ticket, agent, senior_agent
):
    service.change_priority(senior_agent, ticket, Priority.HIGH)
    db.session.flush()
    service.add_note(senior_agent, ticket, "On it")

    with pytest.raises(StaleTicket) as raised:
        service.update_ticket(agent, ticket, expected_version=1, status=Status.PENDING)

    assert [(e.kind, e.actor_name) for e in raised.value.changes] == [
        (EventKind.PRIORITY, "Sam Senior"),
        (EventKind.NOTED, "Sam Senior"),
    ]
    assert raised.value.status == 409
    assert ticket.status is Status.OPEN
    assert ticket.version == 3


def test_update_ticket_without_an_expected_version_skips_the_check(ticket, agent):
    service.change_priority(agent, ticket, Priority.HIGH)
    db.session.flush()

    assert service.update_ticket(agent, ticket, expected_version=None, status=Status.PENDING)
    assert ticket.status is Status.PENDING


def test_viewer_cannot_update_a_ticket(ticket, viewer):
    with pytest.raises(PermissionDenied):
        service.update_ticket(viewer, ticket, expected_version=1, priority=Priority.LOW)


@pytest.fixture
def committed_ticket(app, database_url: str) -> Iterator[tuple[sa.Engine, int]]:
    """A ticket really committed (outside the rollback fixture), deleted again afterwards."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    with Session(engine) as session:
        org = Organization(name="Race organization", slug="race-organization")
        session.add(org)
        session.flush()
        customer = Customer(organization_id=org.id, email="race@example.com")
        session.add(customer)
        session.flush()
        ticket = Ticket(organization_id=org.id, number=1, subject="Race", customer_id=customer.id)
        session.add(ticket)
        session.commit()
        org_id, ticket_id = org.id, ticket.id
    try:
        yield engine, ticket_id
    finally:
        with engine.begin() as connection:
            connection.execute(sa.delete(Ticket).where(Ticket.organization_id == org_id))
            connection.execute(sa.delete(Customer).where(Customer.organization_id == org_id))
            connection.execute(sa.delete(Organization).where(Organization.id == org_id))
        engine.dispose()


def test_two_sessions_saving_the_same_version_one_wins_and_the_other_is_refused(
    committed_ticket,
):
    engine, ticket_id = committed_ticket
    with Session(engine) as first, Session(engine) as second:
        mine = first.get(Ticket, ticket_id)
        theirs = second.get(Ticket, ticket_id)
        assert mine.version == theirs.version == 1

        mine.priority = Priority.HIGH
        first.commit()
        theirs.subject = "Overwritten?"
        with pytest.raises(StaleDataError):
            second.flush()
        second.rollback()

    with Session(engine) as check:
        saved = check.get(Ticket, ticket_id)
        assert (saved.priority, saved.subject, saved.version) == (Priority.HIGH, "Race", 2)


# -- tag parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("billing", ["billing"], id="one tag"),
        pytest.param("Billing, URGENT", ["billing", "urgent"], id="lower-cased"),
        pytest.param("two  words", ["two-words"], id="spaces become one dash"),
        pytest.param("a,\nb", ["a", "b"], id="commas and newlines separate"),
        pytest.param("b, a, B", ["b", "a"], id="duplicates dropped, first order kept"),
        pytest.param(" , ,\n", [], id="only separators"),
        pytest.param("", [], id="empty"),
        pytest.param(["x", " Y z "], ["x", "y-z"], id="a list"),
        pytest.param("v1.2:beta_x", ["v1.2:beta_x"], id="dots colons underscores"),
        pytest.param("a" * 50, ["a" * 50], id="fifty characters"),
        pytest.param(",".join(f"t{i}" for i in range(20)), [f"t{i}" for i in range(20)],
                     id="twenty tags"),
    ],
)  # fmt: skip
def test_parse_tags_normalises(given, expected):
    assert service.parse_tags(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("-leading-dash", id="leading dash"),
        pytest.param("semi;colon", id="punctuation"),
        pytest.param("a" * 51, id="over fifty characters"),
        pytest.param("café", id="non-ascii letter"),
        pytest.param("ok, #hash", id="one bad tag among good ones"),
        pytest.param(",".join(f"t{i}" for i in range(21)), id="twenty-one tags"),
    ],
)
def test_parse_tags_refuses(given):
    with pytest.raises(ValidationFailed) as raised:
        service.parse_tags(given)

    assert "tags" in raised.value.fields


# -- closing resolved tickets (system job) -----------------------------------------------------


def _resolved(org, days_ago: float) -> Ticket:
    ticket = make_ticket(org, status=Status.RESOLVED)
    ticket.resolved_at = utcnow() - dt.timedelta(days=days_ago)
    db.session.flush()
    return ticket


def test_close_resolved_tickets_closes_only_those_resolved_long_enough_ago(org, other_org):
    old, theirs = _resolved(org, 8), _resolved(other_org, 30)
    recent = _resolved(org, 1)
    pending = make_ticket(org, status=Status.PENDING)

    closed = service.close_resolved_tickets(older_than=dt.timedelta(days=7))

    assert closed == 2
    assert (old.status, theirs.status) == (Status.CLOSED, Status.CLOSED)
    assert (recent.status, pending.status) == (Status.RESOLVED, Status.PENDING)


def test_closing_by_the_system_is_recorded_without_an_actor(org):
    ticket = _resolved(org, 8)
    resolved_at = ticket.resolved_at

    service.close_resolved_tickets(older_than=dt.timedelta(days=7))

    [event] = _events(ticket, EventKind.STATUS)
    assert (event.old_value, event.new_value, event.actor_name) == ("Resolved", "Closed", "System")
    assert ticket.resolved_at == resolved_at
    assert ticket.closed_at is not None


def test_close_resolved_tickets_works_in_batches_oldest_first(org):
    oldest, older, old = _resolved(org, 30), _resolved(org, 20), _resolved(org, 10)

    assert service.close_resolved_tickets(older_than=dt.timedelta(days=7), limit=2) == 2
    assert (oldest.status, older.status, old.status) == (
        Status.CLOSED,
        Status.CLOSED,
        Status.RESOLVED,
    )
    assert service.close_resolved_tickets(older_than=dt.timedelta(days=7), limit=2) == 1
    assert service.close_resolved_tickets(older_than=dt.timedelta(days=7), limit=2) == 0
