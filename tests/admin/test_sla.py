"""SLA admin pages: calendars, policies, escalation rules; recompute after a change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.sla.models import BusinessCalendar, EscalationRule, EscalationTrigger, SlaPolicy
from tests.fixtures.web import csrf_token, login_as


@pytest.fixture
def lead(client, senior_agent):
    """The client signed in as a senior agent (a team lead)."""
    login_as(client, senior_agent)
    return client


def _post(client, url, **data):
    token = csrf_token(client.get(url))
    return client.post(url, data={"csrf_token": token, **data})


def _calendar(org) -> BusinessCalendar:
    cal = BusinessCalendar(
        organization_id=org.id,
        name="Office",
        time_zone="Europe/Berlin",
        weekly_hours={"0": [["09:00", "17:00"]]},
        holidays=[],
    )
    db.session.add(cal)
    db.session.flush()
    return cal


def test_the_overview_lists_every_setting(lead, org):
    cal = _calendar(org)
    db.session.add(SlaPolicy(organization_id=org.id, name="Standard", calendar_id=cal.id))
    db.session.add(
        EscalationRule(
            organization_id=org.id,
            name="Late",
            trigger=EscalationTrigger.UNASSIGNED_FOR,
            threshold_minutes=90,
            reassign_to_senior=True,
        )
    )
    db.session.flush()
    html = lead.get("/admin/sla").get_data(as_text=True)
    assert "Office" in html and "Mon 09:00-17:00" in html
    assert "Standard" in html and "1 h / 4 h" in html
    assert "Unassigned for + 1 h 30 min" in html


def test_a_lead_adds_a_calendar_with_lunch_and_national_holidays(lead, org):
    response = _post(
        lead,
        "/admin/sla/calendars/new",
        name="Berlin",
        time_zone="Europe/Berlin",
        weekly="mon 09:00-12:30, 13:30-17:00\nFri 9:00-15:00",
        holidays="2026-12-24",
        holiday_country="de",
        holiday_year="2026",
    )
    assert response.status_code == 302
    cal = db.session.scalar(
        sa.select(BusinessCalendar).where(BusinessCalendar.organization_id == org.id)
    )
    assert cal.weekly_hours == {
        "0": [["09:00", "12:30"], ["13:30", "17:00"]],
        "4": [["09:00", "15:00"]],
    }
    assert {"2026-12-24", "2026-12-25", "2026-10-03"} <= set(cal.holidays)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"time_zone": "Mars/Olympus"}, "is not a time zone", id="zone"),
        pytest.param({"weekly": "Someday 09:00-10:00"}, "start each line with a day", id="day"),
        pytest.param({"weekly": "Mon 10:00-09:00"}, "must end after it starts", id="period"),
        pytest.param({"weekly": ""}, "at least one period", id="no-hours"),
        pytest.param({"holidays": "25/12/2026"}, "is not a date", id="holiday"),
        pytest.param({"holiday_country": "XX"}, "No holiday data", id="country"),
    ],
)
def test_calendar_mistakes_are_explained(lead, fields, message):
    data = {"name": "Cal", "time_zone": "UTC", "weekly": "Mon 09:00-17:00", **fields}
    response = _post(lead, "/admin/sla/calendars/new", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_a_lead_saves_a_tier_policy_and_a_rule(lead, org):
    cal = _calendar(org)
    response = _post(
        lead,
        "/admin/sla/policies/new",
        name="Enterprise",
        customer_tier="enterprise",
        calendar_id=str(cal.id),
        warning_percent="75",
        fr_critical="15",
        fr_high="60",
        res_critical="120",
    )
    assert response.status_code == 302
    policy = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.organization_id == org.id))
    assert (policy.customer_tier, policy.first_response_minutes) == (
        "enterprise",
        {"critical": 15, "high": 60},
    )
    again = _post(
        lead,
        f"/admin/sla/policies/{policy.id}",
        name="Enterprise",
        customer_tier="enterprise",
        calendar_id=str(cal.id),
        warning_percent="80",
    )
    assert again.status_code == 302
    duplicate = _post(
        lead,
        "/admin/sla/policies/new",
        name="Other",
        customer_tier="enterprise",
        calendar_id=str(cal.id),
        warning_percent="80",
    )
    assert duplicate.status_code == 422
    rule = _post(
        lead,
        "/admin/sla/rules/new",
        name="Breach",
        trigger="first_response_breached",
        threshold_minutes="0",
        raise_priority="y",
        active="y",
    )
    assert rule.status_code == 302
    none = _post(
        lead,
        "/admin/sla/rules/new",
        name="Nothing",
        trigger="unassigned_for",
        threshold_minutes="5",
        active="y",
    )
    assert none.status_code == 422


def test_editing_shows_the_saved_values(lead, org):
    cal = _calendar(org)
    rule = EscalationRule(
        organization_id=org.id,
        name="Stale",
        trigger=EscalationTrigger.UNTOUCHED_FOR,
        threshold_minutes=600,
    )
    db.session.add(rule)
    db.session.flush()
    assert 'value="Office"' in lead.get(f"/admin/sla/calendars/{cal.id}").get_data(as_text=True)
    assert 'value="600"' in lead.get(f"/admin/sla/rules/{rule.id}").get_data(as_text=True)


def test_a_policy_needs_a_calendar_first(lead):
    response = lead.get("/admin/sla/policies/new")
    assert response.headers["Location"].endswith("/admin/sla/calendars/new")


def test_agents_cannot_change_slas_and_other_orgs_settings_are_404(client, agent, org, other_org):
    login_as(client, agent)
    assert client.get("/admin/sla/calendars/new").status_code == 403
    foreign = _calendar(other_org)
    from supportdesk.accounts.models import Role
    from tests.factories import UserFactory

    lead = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    login_as(client, lead)
    assert client.get(f"/admin/sla/calendars/{foreign.id}").status_code == 404


def test_saving_a_policy_recomputes_open_tickets_after_the_commit(lead, org):
    import datetime as dt

    import time_machine

    from supportdesk.sla.models import TicketSla
    from supportdesk.tickets.models import Priority
    from tests.factories import make_ticket

    cal = BusinessCalendar(
        organization_id=org.id,
        name="Always",
        time_zone="UTC",
        always_open=True,
        weekly_hours={},
        holidays=[],
    )
    db.session.add(cal)
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        ticket_id = make_ticket(org, priority=Priority.HIGH).id
        db.session.commit()
    assert db.session.get(TicketSla, ticket_id).first_response_due_at == start + dt.timedelta(
        hours=4
    )
    response = _post(
        lead,
        "/admin/sla/policies/new",
        name="Fast",
        customer_tier="",
        calendar_id=str(cal.id),
        warning_percent="80",
        fr_high="30",
    )
    assert response.status_code == 302
    from flask import current_app
    from rq import Queue, SimpleWorker

    redis = current_app.extensions["redis"]
    # The save queued the recompute job; a worker runs it in this thread.
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)
    row = db.session.get(TicketSla, ticket_id, populate_existing=True)
    assert row.first_response_due_at == start + dt.timedelta(minutes=30)
