"""Escalation rules run by the sweep: each fires once per ticket, and every action is in the history."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.jobs.sla import sweep_sla
from supportdesk.sla.models import EscalationRule, EscalationTrigger, TicketSla
from supportdesk.tickets.models import EventKind, Priority, TicketEvent
from tests.factories import TeamFactory, UserFactory, make_ticket

UTC = dt.UTC
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
T = EscalationTrigger


def _rule(org, trigger, minutes=0, **kw) -> EscalationRule:
    rule = EscalationRule(
        organization_id=org.id,
        name=f"Escalate {trigger.value}",
        trigger=trigger,
        threshold_minutes=minutes,
        **kw,
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def _history(ticket) -> list[tuple[EventKind, dict]]:
    rows = db.session.scalars(
        sa.select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind.in_([EventKind.ESCALATED, EventKind.PRIORITY, EventKind.ASSIGNEE]),
        )
        .order_by(TicketEvent.id)
    )
    return [(e.kind, e.data) for e in rows]


@pytest.mark.parametrize(
    ("trigger", "minutes", "later", "fires"),
    [
        pytest.param(T.FIRST_RESPONSE_BREACHED, 0, 61, True, id="first-response-breached"),
        pytest.param(T.FIRST_RESPONSE_BREACHED, 0, 59, False, id="not-yet-breached"),
        pytest.param(T.RESOLUTION_BREACHED, 0, 241, True, id="resolution-breached"),
        pytest.param(T.UNASSIGNED_FOR, 30, 31, True, id="unassigned-too-long"),
        pytest.param(T.UNTOUCHED_FOR, 120, 119, False, id="touched-recently-enough"),
        pytest.param(T.UNTOUCHED_FOR, 120, 121, True, id="untouched-too-long"),
    ],
)
def test_rules_fire_on_their_trigger_once(org, trigger, minutes, later, fires):
    _rule(org, trigger, minutes)
    with time_machine.travel(START, tick=False):
        t = make_ticket(
            org, priority=Priority.CRITICAL if "breached" in trigger.value else Priority.LOW
        )
        db.session.commit()
    before = t.priority
    with time_machine.travel(START + dt.timedelta(minutes=later), tick=False):
        sweep_sla()
        sweep_sla()
    escalations = [d for k, d in _history(t) if k is EventKind.ESCALATED]
    assert len(escalations) == (1 if fires else 0)
    if fires:
        assert escalations[0]["trigger"] == trigger.value
        assert db.session.get(TicketSla, t.id, populate_existing=True).escalated_at is not None
    if fires and before is not Priority.CRITICAL:
        db.session.refresh(t)
        assert t.priority.rank == before.rank + 1


def test_escalation_reassigns_to_a_senior_of_the_team_and_names_the_rule(org):
    agent = UserFactory(organization=org)
    senior = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    UserFactory(organization=org, role=Role.SENIOR_AGENT, away=True)
    team = TeamFactory(organization=org, members=[agent, senior])
    rule = _rule(org, T.UNASSIGNED_FOR, 10, reassign_to_senior=True)
    with time_machine.travel(START, tick=False):
        t = make_ticket(org, team=team, priority=Priority.HIGH)
        db.session.commit()
    with time_machine.travel(START + dt.timedelta(minutes=11), tick=False):
        sweep_sla()
    db.session.refresh(t)
    assert (t.assignee_id, t.priority) == (senior.id, Priority.CRITICAL)
    assert [(k, d.get("rule_name") or d.get("rule_id")) for k, d in _history(t)] == [
        (EventKind.PRIORITY, rule.name),
        (EventKind.ASSIGNEE, rule.name),
        (EventKind.ESCALATED, rule.id),
    ]


def test_without_a_team_a_senior_of_the_organization_is_chosen(org):
    senior = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    _rule(org, T.UNASSIGNED_FOR, 0, raise_priority=False, reassign_to_senior=True)
    with time_machine.travel(START, tick=False):
        t = make_ticket(org)
        db.session.commit()
        sweep_sla()
    db.session.refresh(t)
    assert (t.assignee_id, t.priority) == (senior.id, Priority.MEDIUM)


def test_inactive_rules_never_fire(org):
    _rule(org, T.UNASSIGNED_FOR, 0, active=False)
    with time_machine.travel(START, tick=False):
        t = make_ticket(org)
        db.session.commit()
        sweep_sla()
    assert _history(t) == []
