"""Merging tickets (the conversation moves, the source closes with a link) and splitting a message
off into a new ticket: the service, its refusals, the history on both sides and the counts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.search.queries import search_tickets
from supportdesk.sla.models import TicketSla
from supportdesk.tickets import service
from supportdesk.tickets.errors import StaleTicket
from supportdesk.tickets.merge import MergeRefused, merge, split, subject_of, survivor
from supportdesk.tickets.models import EventKind, Message, Status, Ticket, TicketEvent
from supportdesk.tickets.queries import get_ticket, list_messages, ticket_page
from tests.factories import CustomerFactory, make_ticket
from tests.tickets.test_counts import _counted, _stored

pytestmark = pytest.mark.integration

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _at(message: Message, minutes: int) -> None:
    message.created_at = T0 + dt.timedelta(minutes=minutes)


def _events(ticket: Ticket, kind: EventKind) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
            .order_by(TicketEvent.id)
        )
    )


def _bodies(ticket: Ticket) -> list[str]:
    return [m.body_text for m in list_messages(ticket.organization_id, ticket.id)[0]]


@pytest.fixture
def pair(org, customer, agent):
    """Two open tickets of one customer whose conversations interleave in time."""
    first = make_ticket(org, customer=customer, body="first: the app crashes", tags=["app"])
    second = make_ticket(org, customer=customer, body="second: still crashing", tags=["urgent"])
    _at(db.session.scalars(sa.select(Message).where(Message.ticket_id == first.id)).one(), 0)
    _at(db.session.scalars(sa.select(Message).where(Message.ticket_id == second.id)).one(), 10)
    _at(service.reply(agent, first, "first reply"), 20)
    _at(service.reply(agent, second, "second reply"), 30)
    db.session.flush()
    return first, second


def test_merge_moves_the_conversation_in_time_order_and_closes_the_source(pair, agent):
    target, source = pair
    result = merge(agent, source, target, expected_version=source.version)
    db.session.expire_all()

    assert result.target.id == target.id and result.messages == 2
    assert _bodies(target) == [
        "first: the app crashes",
        "second: still crashing",
        "first reply",
        "second reply",
    ]
    assert _bodies(source) == []
    source = db.session.get(Ticket, source.id)
    assert source.status is Status.CLOSED and source.merged_into_id == target.id
    assert get_ticket(target.organization_id, target.number).tags == ["app", "urgent"]


def test_merge_writes_history_on_both_tickets(pair, agent):
    target, source = pair
    merge(agent, source, target)
    (into,) = _events(source, EventKind.MERGED_INTO)
    (came,) = _events(target, EventKind.MERGED_FROM)
    assert (into.new_value, into.actor_user_id, into.data["into"]) == (
        f"#{target.number}",
        agent.id,
        target.number,
    )
    assert (came.new_value, came.data["from"], came.data["messages"]) == (
        f"#{source.number}",
        source.number,
        2,
    )
    assert "customer_id" not in came.data  # same customer
    assert [e.data["new"] for e in _events(source, EventKind.STATUS)] == ["closed"]


def test_merge_keeps_the_sidebar_counts_exact(pair, agent, org):
    target, source = pair
    merge(agent, source, target)
    db.session.flush()
    assert _stored(org.id) == _counted(org.id) == {("open", 0): 1, ("closed", 0): 1}


def test_merge_into_a_merged_ticket_follows_to_the_survivor(org, customer, agent):
    a, b, c = (make_ticket(org, customer=customer) for _ in range(3))
    merge(agent, b, c)
    result = merge(agent, a, b)
    assert result.target.id == c.id
    assert db.session.get(Ticket, a.id).merged_into_id == c.id
    assert survivor(a).id == survivor(b).id == c.id


def test_a_source_of_another_customer_is_named_in_the_targets_history(org, customer, agent):
    stranger = CustomerFactory(organization=org)
    target = make_ticket(org, customer=customer)
    source = make_ticket(org, customer=stranger, body="I am a colleague")
    merge(agent, source, target)
    (came,) = _events(target, EventKind.MERGED_FROM)
    assert came.data["customer_id"] == stranger.id
    assert db.session.get(Ticket, target.id).customer_id == customer.id
    moved = db.session.scalars(sa.select(Message).where(Message.body_text == "I am a colleague"))
    assert moved.one().author_customer_id == stranger.id


def test_an_active_source_reopens_a_resolved_target(org, customer, agent):
    target = make_ticket(org, customer=customer, status=Status.RESOLVED)
    source = make_ticket(org, customer=customer)
    merge(agent, source, target)
    assert db.session.get(Ticket, target.id).status is Status.OPEN


def test_the_targets_sla_clocks_are_recomputed_at_commit(pair, agent):
    target, source = pair
    merge(agent, source, target)
    db.session.commit()
    row = db.session.get(TicketSla, target.id)
    assert row is not None and row.computed_at >= db.session.get(Ticket, target.id).updated_at


def _refusal(case, org, other_org, customer, agent):
    source = make_ticket(org, customer=customer)
    if case == "itself":
        return source, source, MergeRefused, "cannot be merged into itself"
    if case == "back_into_own_source":
        other = make_ticket(org, customer=customer)
        merge(agent, other, source)
        return source, other, MergeRefused, "that is this ticket"
    if case == "already_merged":
        target = make_ticket(org, customer=customer)
        merge(agent, source, target)
        return source, make_ticket(org, customer=customer), MergeRefused, "already merged"
    if case == "other_organization":
        return source, make_ticket(other_org), MergeRefused, "different organizations"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param("itself", id="into-itself"),
        pytest.param("back_into_own_source", id="into-a-ticket-merged-into-it"),
        pytest.param("already_merged", id="source-already-merged"),
        pytest.param("other_organization", id="across-organizations"),
    ],
)
def test_merge_refuses(case, org, other_org, customer, agent):
    source, target, error, words = _refusal(case, org, other_org, customer, agent)
    with pytest.raises(error, match=words) as refused:
        merge(agent, source, target)
    assert refused.value.fields == {"into": refused.value.message}


def test_merge_refuses_a_stale_version_and_viewers(pair, agent, viewer):
    target, source = pair
    with pytest.raises(PermissionDenied):
        merge(viewer, source, target)
    with pytest.raises(StaleTicket):
        merge(agent, source, target, expected_version=source.version - 1)
    with pytest.raises(StaleTicket):
        merge(agent, source, target, target_version=target.version - 1)


def test_merge_refuses_an_agent_of_another_organization(pair, other_org):
    from tests.factories import UserFactory

    stranger = UserFactory(organization=other_org)
    target, source = pair
    with pytest.raises(NotFound):
        merge(stranger, source, target)


# -- split ----------------------------------------------------------------------------------


def test_split_moves_a_message_into_a_new_ticket_for_its_customer(pair, agent, org):
    _, ticket = pair
    stranger = CustomerFactory(organization=org)
    message = service.customer_reply(ticket, stranger, "A different problem: my invoice\nmore")
    new = split(agent, ticket, message.id, expected_version=ticket.version)
    db.session.expire_all()

    assert new.number != ticket.number and new.customer_id == stranger.id
    assert new.subject == "A different problem: my invoice"
    assert _bodies(new) == ["A different problem: my invoice\nmore"]
    assert "A different problem: my invoice\nmore" not in _bodies(ticket)
    (created,) = _events(new, EventKind.CREATED)
    assert created.data["split_from"] == ticket.number and created.actor_user_id == agent.id
    (came,) = _events(new, EventKind.SPLIT_FROM)
    (went,) = _events(ticket, EventKind.SPLIT_OFF)
    assert (came.new_value, went.new_value) == (f"#{ticket.number}", f"#{new.number}")
    assert went.data["message_id"] == message.id
    assert _stored(org.id) == _counted(org.id)


def test_split_takes_a_given_subject(pair, agent):
    _, ticket = pair
    message = service.customer_reply(ticket, ticket.customer, "second question")
    new = split(agent, ticket, message.id, subject="  Invoice   question ")
    assert new.subject == "Invoice question"


@pytest.mark.parametrize(
    "which, words",
    [
        pytest.param("note", "Internal notes", id="a-note"),
        pytest.param("only", "only message", id="the-only-message"),
    ],
)
def test_split_refuses(which, words, org, customer, agent):
    ticket = make_ticket(org, customer=customer)
    if which == "note":
        message = service.add_note(agent, ticket, "internal")
    else:
        message = db.session.scalars(sa.select(Message).where(Message.ticket_id == ticket.id)).one()
    with pytest.raises(MergeRefused, match=words):
        split(agent, ticket, message.id)


def test_split_refuses_a_message_of_another_ticket_and_viewers(pair, agent, viewer):
    first, second = pair
    message = db.session.scalars(sa.select(Message).where(Message.ticket_id == first.id)).first()
    with pytest.raises(NotFound):
        split(agent, second, message.id)
    with pytest.raises(PermissionDenied):
        split(viewer, first, message.id)


def test_subject_of_a_long_message_is_cut_at_a_word():
    message = Message(body_text="\n\n" + "word " * 60)
    subject = subject_of(message)
    assert subject.endswith("word…") and len(subject) <= 121


def test_ticket_page_shows_the_merged_conversation_in_time_order(pair, agent, org):
    target, source = pair
    merge(agent, source, target)
    page = ticket_page(org.id, target.number)
    assert [m.body_text for m in page.messages] == _bodies(target)


def test_message_pages_continue_in_time_order(pair, agent, org):
    target, source = pair
    merge(agent, source, target)
    first, more = list_messages(org.id, target.id, limit=2)
    rest, _ = list_messages(org.id, target.id, after_id=first[-1].id, limit=10)
    assert more and [m.body_text for m in first + rest] == _bodies(target)


def test_search_finds_the_survivor_by_a_moved_message(pair, agent, org):
    target, source = pair
    service.reply(agent, source, "The flux capacitor needs a new gasket")
    merge(agent, source, target)
    db.session.flush()
    page = search_tickets(org.id, "capacitor gasket")
    assert [hit.ticket.number for hit in page.hits] == [target.number]


def test_an_agent_cannot_wake_a_closed_target_and_nothing_changes(org, customer, agent):
    target = make_ticket(org, customer=customer, status=Status.CLOSED)
    source = make_ticket(org, customer=customer)
    with pytest.raises(PermissionDenied):
        merge(agent, source, target)
    assert _bodies(target) == ["Something is not working."]
    assert db.session.get(Ticket, source.id).merged_into_id is None
