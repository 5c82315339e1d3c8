"""A missed SLA target, end to end: the sweep emails the assignee or team lead, and signs a webhook."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug import Response

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.jobs.sla import sweep_sla
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.outbox import OutboxState
from supportdesk.sla.models import BusinessCalendar, SlaPolicy
from tests.factories import TeamFactory, UserFactory, make_ticket
from tests.fixtures.webhooks import deliveries, make_endpoint, payload, run_webhook_jobs, verify

pytestmark = pytest.mark.integration

UTC = dt.UTC
OPENED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# The policy below promises a first response within 15 minutes, around the clock.
DUE = OPENED + dt.timedelta(minutes=15)
AFTER_DUE = DUE + dt.timedelta(seconds=30)


@pytest.fixture
def quick_policy(org):
    """`org`'s default policy on a 24/7 calendar: first response within 15 minutes (medium)."""
    calendar = BusinessCalendar(
        organization_id=org.id, name="24/7", time_zone="UTC", weekly_hours={}, always_open=True
    )
    db.session.add(calendar)
    db.session.flush()
    policy = SlaPolicy(
        organization_id=org.id,
        name="Quick",
        calendar_id=calendar.id,
        first_response_minutes={"medium": 15},
        resolution_minutes={"medium": 600},
    )
    db.session.add(policy)
    db.session.commit()
    return policy


def _open(org, **fields):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(org, subject="Export to CSV fails", **fields)
        db.session.commit()
    return ticket


def _sweep(at: dt.datetime = AFTER_DUE) -> None:
    with time_machine.travel(at, tick=False):
        sweep_sla()


def _breach_mail() -> list[EmailMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.kind == Notification.SLA_BREACHED.value)
            .order_by(EmailMessage.id)
        )
    )


def _received(smtp, subject_part: str) -> list:
    return [m for m in smtp.mailbox.messages if subject_part in m["Subject"]]


def test_a_breach_emails_the_assignee_once_through_the_worker(
    app, org, agent, quick_policy, smtp, run_worker
):
    ticket = _open(org, assignee=agent)
    ticket_id, number, agent_email = ticket.id, ticket.number, agent.email.lower()
    _sweep()
    _sweep(AFTER_DUE + dt.timedelta(minutes=1))  # the second sweep finds the breach recorded
    run_worker()

    [email] = _breach_mail()
    assert (email.to_address, email.state, email.automatic) == (agent_email, OutboxState.SENT, True)
    assert email.ticket_id == ticket_id
    [message] = _received(smtp, "Missed the first response target")
    assert (
        message["Subject"] == f"[#{number}] Missed the first response target: Export to CSV fails"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    assert "which is assigned to you, missed its first response target" in text
    assert "It was due on 23 Nov 2026, 09:15 UTC." in text
    base_url = app.config["BASE_URL"].rstrip("/")
    assert f"Open it in the console: {base_url}/tickets/{number}\r\n" in text
    assert "Priority: Medium" in text


def test_the_breach_mail_joins_the_agent_s_thread_on_the_ticket(org, agent, quick_policy):
    _open(org, assignee=agent)
    _sweep()
    [email] = _breach_mail()
    assigned = db.session.scalar(
        sa.select(EmailMessage).where(EmailMessage.kind == Notification.TICKET_ASSIGNED.value)
    )
    assert email.in_reply_to == assigned.message_id_header


def test_an_unassigned_ticket_emails_the_senior_agents_of_its_team(
    org, agent, senior_agent, quick_policy, smtp, run_worker
):
    lead = UserFactory(organization=org, role=Role.SENIOR_AGENT, name="Tia Lead")
    away = UserFactory(organization=org, role=Role.SENIOR_AGENT, active=False)
    watcher = UserFactory(organization=org, role=Role.VIEWER)
    team = TeamFactory(organization=org, name="Billing", members=[lead, agent, away, watcher])
    db.session.commit()
    lead_email = lead.email.lower()
    _open(org, team=team)
    _sweep()
    run_worker()

    assert [e.to_address for e in _breach_mail()] == [lead_email]
    [message] = _received(smtp, "Missed the first response target")
    text = message.get_body(("plain",)).get_content()
    assert "nobody is assigned to it" in text
    assert "You are told as a team lead of Billing" in text


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        pytest.param(["senior_agent", "admin"], ["senior_agent"], id="the-organization-s-seniors"),
        pytest.param(["admin", "agent"], ["admin"], id="else-its-admins"),
    ],
)
def test_without_a_team_lead_the_organization_s_leads_are_emailed(
    org, other_org, quick_policy, roles, expected
):
    people = {role: UserFactory(organization=org, role=Role(role)) for role in roles}
    UserFactory(organization=other_org, role=Role.SENIOR_AGENT)
    empty_team = TeamFactory(organization=org, members=[])
    db.session.commit()
    wanted = [people[role].email.lower() for role in expected]
    _open(org, team=empty_team)
    _sweep()
    assert [e.to_address for e in _breach_mail()] == wanted


def test_an_inactive_assignee_is_replaced_by_the_leads(org, agent, senior_agent, quick_policy):
    ticket = _open(org, assignee=agent)
    agent.active = False
    db.session.commit()
    lead_email = senior_agent.email.lower()
    _sweep()
    [email] = _breach_mail()
    assert email.to_address == lead_email
    assert email.ticket_id == ticket.id


def test_nobody_to_tell_sends_nothing(org, quick_policy):
    _open(org)
    _sweep()
    assert _breach_mail() == []


def test_a_warning_sends_no_mail(org, agent, quick_policy):
    _open(org, assignee=agent)
    _sweep(OPENED + dt.timedelta(minutes=13))  # past 80 % of the target, before the due time
    assert _breach_mail() == []


def test_a_subscribed_endpoint_receives_one_signed_sla_breached_delivery(
    app, org, agent, quick_policy, httpserver
):
    wanted = make_endpoint(org, httpserver.url_for("/sla"), ["sla.breached"])
    make_endpoint(org, httpserver.url_for("/tickets"), ["ticket.created", "ticket.updated"])
    db.session.commit()
    secret, wanted_id = wanted.secret, wanted.id
    received = []

    def receiver(request):
        received.append(verify(request, secret))
        return Response("ok")

    httpserver.expect_request("/sla", method="POST").respond_with_handler(receiver)
    httpserver.expect_request("/tickets", method="POST").respond_with_data("ok")
    ticket = _open(org, assignee=agent)
    expected = {
        "id": ticket.id,
        "number": ticket.number,
        "organization_id": org.id,
        "version": ticket.version,
        "assignee_id": agent.id,
    }
    run_webhook_jobs(app)
    ticket_paths = [r.path for r, _ in httpserver.log]
    _sweep()
    _sweep(AFTER_DUE + dt.timedelta(minutes=1))
    run_webhook_jobs(app)

    [delivery] = deliveries(wanted_id)
    assert (delivery.event_type, delivery.state) == ("sla.breached", OutboxState.SENT)
    [body] = received
    assert body == payload(delivery)
    assert body["type"] == "sla.breached"
    assert body["timestamp"] == "2026-11-23T09:15:30Z"
    data = body["data"]
    assert (data["clock"], data["due_at"], data["breached_at"]) == (
        "first_response",
        "2026-11-23T09:15:00Z",
        "2026-11-23T09:15:30Z",
    )
    assert (data["assignee_id"], data["team_id"]) == (expected["assignee_id"], None)
    assert {key: data["ticket"][key] for key in expected} == expected
    # The endpoint that did not subscribe got its ticket events and nothing from the sweep.
    assert [r.path for r, _ in httpserver.log] == [*ticket_paths, "/sla"]
    assert "/tickets" in ticket_paths


def test_an_endpoint_subscribed_to_warnings_gets_sla_warning(app, org, quick_policy, httpserver):
    endpoint = make_endpoint(org, httpserver.url_for("/sla"), ["sla.warning"])
    db.session.commit()
    endpoint_id = endpoint.id
    _open(org)
    _sweep(OPENED + dt.timedelta(minutes=13))
    [delivery] = deliveries(endpoint_id)
    body = payload(delivery)
    assert body["type"] == "sla.warning"
    assert body["data"]["warned_at"] == "2026-11-23T09:13:00Z"
    assert "breached_at" not in body["data"]


@pytest.mark.parametrize(
    ("zone", "due"),
    [
        pytest.param("UTC", "23 Nov 2026, 09:15 UTC", id="utc"),
        pytest.param("Europe/Berlin", "23 Nov 2026, 10:15 CET (Europe/Berlin)", id="berlin"),
        pytest.param("Asia/Kolkata", "23 Nov 2026, 14:45 IST (Asia/Kolkata)", id="kolkata"),
    ],
)
def test_the_breach_mail_names_the_due_time_in_the_organization_s_zone(
    org, agent, quick_policy, zone, due
):
    org.time_zone = zone
    agent.time_zone = "America/Los_Angeles"  # the console's zone, not the mail's
    db.session.commit()
    _open(org, assignee=agent)
    _sweep()

    [email] = _breach_mail()
    assert f"It was due on {due}." in email.text_body
