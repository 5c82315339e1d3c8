"""Recomputing clocks from ticket history and sweeping for warnings and breaches (time travel)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import time_machine

from supportdesk.extensions import db
from supportdesk.jobs.sla import recompute_sla, sweep_sla
from supportdesk.sla import service
from supportdesk.sla.models import TicketSla
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Priority, Status, TicketEvent
from tests.factories import make_ticket

UTC = dt.UTC
# Monday 23 November 2026, 10:00 in Berlin.
MONDAY_10 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def sla_of(ticket) -> TicketSla:
    return db.session.get(TicketSla, ticket.id, populate_existing=True)


def sla_events(ticket) -> list[tuple[EventKind, str]]:
    rows = db.session.scalars(
        sa.select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind.in_([EventKind.SLA_WARNING, EventKind.SLA_BREACHED]),
        )
        .order_by(TicketEvent.id)
    )
    return [(e.kind, e.data["clock"]) for e in rows]


def test_a_new_ticket_gets_due_times_from_the_policy_calendar(org, policy):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.HIGH)
        db.session.commit()
    row = sla_of(t)
    # High: 4 business hours first response: 10:00–12:30, lunch, 13:30–15:00 Berlin.
    assert row.first_response_due_at == dt.datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert row.resolution_due_at is not None
    assert row.policy_id == policy.id


def test_without_a_policy_the_defaults_run_around_the_clock(org):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.CRITICAL)
        db.session.commit()
    assert sla_of(t).first_response_due_at == MONDAY_10 + dt.timedelta(hours=1)


def test_pending_pauses_and_a_customer_reply_resumes(org, policy, agent):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.HIGH)
        db.session.commit()
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        tickets.change_status(agent, t, Status.PENDING)
        db.session.commit()
    row = sla_of(t)
    assert (row.first_response_due_at, row.next_check_at) == (None, None)
    assert row.paused_since == MONDAY_10 + dt.timedelta(hours=1)
    # The customer answers on Tuesday at 10:00 Berlin: 3 business hours are left.
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=1), tick=False):
        tickets.customer_reply(t, _customer(t), "here you go")
        db.session.commit()
    row = sla_of(t)
    assert row.paused_since is None
    assert row.first_response_due_at == dt.datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def _customer(ticket):
    from supportdesk.customers.models import Customer

    return db.session.get(Customer, ticket.customer_id)


def test_an_agent_reply_meets_the_first_response_target(org, policy, agent):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org)
        db.session.commit()
        tickets.reply(agent, t, "On it")
        db.session.commit()
    row = sla_of(t)
    assert row.first_response_due_at is None
    assert row.resolution_due_at is not None


def test_the_sweep_records_a_breach_within_one_run_and_only_once(org, policy, published):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.CRITICAL)
        db.session.commit()
    published.clear()
    # Critical: one business hour, so due 11:00 Berlin; sweep a few seconds after.
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1, seconds=5), tick=False):
        assert sweep_sla() == 1
        assert sweep_sla() == 0
    seen = [e for e in published if hasattr(e, "clock")]
    assert sla_events(t) == [
        (EventKind.SLA_WARNING, "first_response"),
        (EventKind.SLA_BREACHED, "first_response"),
    ]
    row = sla_of(t)
    assert row.first_response_breached_at is not None
    assert row.next_check_at == row.resolution_warn_at
    assert [(type(e).__name__, e.clock) for e in seen] == [
        ("SlaWarning", "first_response"),
        ("SlaBreached", "first_response"),
    ]
    assert seen[1].type == "sla.breached"


def test_the_sweep_warns_before_the_breach(org, policy):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.CRITICAL)
        db.session.commit()
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=50), tick=False):
        sweep_sla()
    assert sla_events(t) == [(EventKind.SLA_WARNING, "first_response")]


def test_nothing_is_recorded_before_the_due_time(org, policy):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.CRITICAL)
        db.session.commit()
        assert sweep_sla() == 0
    assert sla_events(t) == []


def test_a_priority_change_recomputes_the_due_time(org, policy, agent):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.LOW)
        db.session.commit()
        tickets.change_priority(agent, t, Priority.CRITICAL)
        db.session.commit()
    assert sla_of(t).first_response_due_at == MONDAY_10 + dt.timedelta(hours=1)


def test_a_policy_change_is_applied_by_the_recompute_job(org, policy):
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, priority=Priority.MEDIUM)
        other = make_ticket(org, priority=Priority.MEDIUM, status=Status.RESOLVED)
        db.session.commit()
        policy.first_response_minutes = dict(policy.first_response_minutes, medium=30)
        db.session.commit()
        assert recompute_sla(org.id) == 1
    assert sla_of(t).first_response_due_at == MONDAY_10 + dt.timedelta(minutes=30)
    assert other.id != t.id


def test_a_tier_policy_wins_over_the_default(org, policy, calendar):
    from supportdesk.customers.models import Tier
    from supportdesk.sla.models import SlaPolicy
    from tests.factories import CustomerFactory

    vip = SlaPolicy(
        organization_id=org.id,
        name="Enterprise",
        customer_tier="enterprise",
        calendar_id=calendar.id,
        first_response_minutes={"medium": 15},
    )
    db.session.add(vip)
    customer = CustomerFactory(organization=org, tier=Tier.ENTERPRISE)
    with time_machine.travel(MONDAY_10, tick=False):
        t = make_ticket(org, customer=customer)
        db.session.commit()
    assert sla_of(t).policy_id == vip.id
    assert sla_of(t).first_response_due_at == MONDAY_10 + dt.timedelta(minutes=15)


def test_subscribers_ignore_other_domain_objects(org):
    service.on_ticket_events([object(), "sla.breached"])
