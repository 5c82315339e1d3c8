"""SLA in the console: badges on queue rows and the ticket page, the breached and breaching queues."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from supportdesk.extensions import db
from supportdesk.jobs.sla import sweep_sla
from supportdesk.tickets.models import Priority, Status
from tests.factories import make_ticket
from tests.fixtures.web import login_as

UTC = dt.UTC
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def signed_in(client, agent):
    """The client, signed in as `agent` (at START + 200 minutes, when the pages are read)."""
    with time_machine.travel(START + dt.timedelta(minutes=200), tick=False):
        login_as(client, agent)
    return client


@pytest.fixture
def three_clocks(org):
    """Critical (1 h), high (4 h) and low (72 h) tickets opened at START (no policy: 24/7)."""
    with time_machine.travel(START, tick=False):
        made = {
            p: make_ticket(org, priority=p)
            for p in (Priority.CRITICAL, Priority.HIGH, Priority.LOW)
        }
        db.session.commit()
    return made


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="col-number"><a href="/tickets/(\d+)"', html)]


def test_queue_rows_show_time_left_amber_near_and_red_when_breached(signed_in, three_clocks):
    with time_machine.travel(START + dt.timedelta(minutes=200), tick=False):
        html = signed_in.get("/?queue=open").get_data(as_text=True)
    assert re.search(r'sla-breached"[^>]*>2h 20m overdue<', html)
    assert re.search(r'sla-near"[^>]*>40m left<', html)
    assert re.search(r'sla-ok"[^>]*>2d 20h left<', html)


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        pytest.param("breached", [Priority.CRITICAL], id="breached"),
        pytest.param("breaching", [Priority.HIGH], id="breaching-soon"),
    ],
)
def test_the_sla_queues_list_their_tickets(signed_in, three_clocks, queue, expected):
    with time_machine.travel(START + dt.timedelta(minutes=200), tick=False):
        html = signed_in.get(f"/?queue={queue}").get_data(as_text=True)
    assert _numbers(html) == [three_clocks[p].number for p in expected]
    counts = dict(re.findall(r"<span>([^<]+)</span><span class=\"count\">([\d,]+)</span>", html))
    assert (counts["Breached"], counts["Breaching soon"]) == ("1", "1")


def test_a_resolved_ticket_leaves_the_breached_queue(signed_in, three_clocks, agent):
    from supportdesk.tickets import service

    with time_machine.travel(START + dt.timedelta(minutes=200), tick=False):
        service.change_status(agent, three_clocks[Priority.CRITICAL], Status.RESOLVED)
        db.session.commit()
        html = signed_in.get("/?queue=breached").get_data(as_text=True)
    assert _numbers(html) == []


def test_the_ticket_page_shows_the_badge_and_the_breach_in_the_history(signed_in, three_clocks):
    ticket = three_clocks[Priority.CRITICAL]
    with time_machine.travel(START + dt.timedelta(minutes=200), tick=False):
        sweep_sla()
        html = signed_in.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert re.search(r'sla-breached"[^>]*>2h 20m overdue<', html)
    assert "First response target missed" in html
    assert "First response target nearly used" in html
    assert (
        "<dt>Reply SLA</dt><dd>breached "
        '<time datetime="2026-11-23T12:20:00Z">23 Nov 2026, 12:20 UTC</time></dd>'
    ) in html


def test_the_history_names_the_escalation_rule_and_the_team_assignment(signed_in, org):
    from supportdesk.accounts.models import AssignmentStrategy
    from supportdesk.sla.models import EscalationRule, EscalationTrigger
    from tests.factories import TeamFactory, UserFactory

    member = UserFactory(organization=org)
    team = TeamFactory(
        organization=org, members=[member], assignment_strategy=AssignmentStrategy.ROUND_ROBIN
    )
    db.session.add(
        EscalationRule(
            organization_id=org.id,
            name="Too slow",
            trigger=EscalationTrigger.FIRST_RESPONSE_BREACHED,
            threshold_minutes=0,
        )
    )
    with time_machine.travel(START, tick=False):
        ticket = make_ticket(org, team=team, priority=Priority.HIGH)
        db.session.commit()
    with time_machine.travel(START + dt.timedelta(minutes=200), tick=False):
        sweep_sla()
    with time_machine.travel(START + dt.timedelta(minutes=300), tick=False):
        sweep_sla()
        html = signed_in.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "by the rule <em>Too slow</em>" in html
    assert "(rule <em>Too slow</em>)" in html
    assert "(team assignment: round robin)" in html
    assert "<dt>Escalated</dt>" in html
