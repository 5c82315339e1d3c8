"""The status transition table, checked pair by pair, and as the service applies it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.errors import InvalidTransition
from supportdesk.tickets.models import EventKind, Status, TicketEvent
from supportdesk.tickets.transitions import can_move, next_statuses
from tests.factories import make_ticket

# Row: the current status; column: the target. "-" is staying put (not a transition).
TABLE = """
              open   in_progress  pending  resolved  closed
open           -        yes         yes      yes      yes
in_progress   yes        -          yes      yes      yes
pending       yes       yes          -       yes      yes
resolved      yes       yes          no       -       yes
closed        yes        no          no       no       -
"""


def _cases() -> list:
    header, *rows = TABLE.strip().splitlines()
    targets = [Status(name) for name in header.split()]
    cases = []
    for row in rows:
        current, *cells = row.split()
        for target, cell in zip(targets, cells, strict=True):
            outcome = {"yes": "allowed", "no": "refused", "-": "unchanged"}[cell]
            cases.append(
                pytest.param(
                    Status(current), target, outcome, id=f"{current} to {target.value} {outcome}"
                )
            )
    return cases


CASES = _cases()


def test_table_covers_every_pair_of_statuses():
    assert len(CASES) == len(Status) ** 2


@pytest.mark.parametrize(("current", "target", "outcome"), CASES)
def test_can_move_follows_the_table(current, target, outcome):
    assert can_move(current, target) is (outcome == "allowed")


@pytest.mark.parametrize("current", list(Status), ids=lambda s: s.value)
def test_next_statuses_lists_allowed_targets_in_enum_order(current):
    expected = [
        target for (cur, target, outcome) in (case.values for case in CASES)
        if cur is current and outcome == "allowed"
    ]  # fmt: skip

    assert next_statuses(current) == expected


def _status_events(ticket) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.STATUS)
            .order_by(TicketEvent.id)
        )
    )


@pytest.mark.parametrize(("current", "target", "outcome"), CASES)
def test_change_status_applies_the_table(org, senior_agent, current, target, outcome):
    ticket = make_ticket(org, status=current)

    if outcome == "refused":
        with pytest.raises(InvalidTransition) as raised:
            service.change_status(senior_agent, ticket, target)
        assert (raised.value.current, raised.value.target) == (current, target)
        assert ticket.status is current
        assert _status_events(ticket) == []
    elif outcome == "unchanged":
        assert service.change_status(senior_agent, ticket, target) is False
        assert _status_events(ticket) == []
    else:
        assert service.change_status(senior_agent, ticket, target) is True
        db.session.flush()
        assert ticket.status is target
        [event] = _status_events(ticket)
        assert (event.old_value, event.new_value) == (current.label, target.label)
        assert event.data == {"old": current.value, "new": target.value}
        assert event.actor_user_id == senior_agent.id


def test_agent_cannot_reopen_a_closed_ticket(org, agent):
    ticket = make_ticket(org, status=Status.CLOSED)

    with pytest.raises(PermissionDenied) as raised:
        service.change_status(agent, ticket, Status.OPEN)

    assert raised.value.action == "ticket.reopen_closed"
    assert ticket.status is Status.CLOSED


def test_senior_agent_reopens_a_closed_ticket_and_its_dates_are_cleared(org, senior_agent):
    ticket = make_ticket(org, status=Status.CLOSED)

    service.change_status(senior_agent, ticket, Status.OPEN)

    assert ticket.status is Status.OPEN
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)


def test_refused_transition_explains_itself_in_a_sentence():
    error = InvalidTransition(Status.CLOSED, Status.PENDING)

    assert error.message == "A ticket that is closed cannot be moved to pending."
    assert error.fields == {"status": "Not allowed from closed."}
    assert error.status == 409
