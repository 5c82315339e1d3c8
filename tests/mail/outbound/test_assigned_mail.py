"""The "assigned to you" email says what happened; agents' mail has its own, higher cap."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import AssignmentStrategy, Role
from supportdesk.extensions import db
from supportdesk.jobs.sla import sweep_sla
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.outbox import OutboxState
from supportdesk.sla.models import EscalationRule, EscalationTrigger
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority
from tests.factories import CustomerFactory, TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.integration


def _emails(kind: Notification, to_address: str | None = None) -> list[EmailMessage]:
    query = db.select(EmailMessage).where(EmailMessage.kind == kind.value)
    if to_address is not None:
        query = query.where(EmailMessage.to_address == to_address)
    return list(db.session.scalars(query.order_by(EmailMessage.id)))


@pytest.mark.parametrize(
    ("priority", "rule"),
    [
        pytest.param(Priority.MEDIUM, "round robin", id="round-robin"),
        pytest.param(Priority.CRITICAL, "critical ticket to a senior agent", id="critical"),
    ],
)
def test_an_automatic_assignment_names_the_team_and_the_rule(org, priority, rule):
    senior = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    team = TeamFactory(
        organization=org,
        name="Billing",
        members=[senior],
        assignment_strategy=AssignmentStrategy.ROUND_ROBIN,
    )
    ticket = make_ticket(org, team=team, priority=priority)
    db.session.commit()
    [email] = _emails(Notification.TICKET_ASSIGNED)
    assert (email.ticket_id, email.to_address) == (ticket.id, senior.email)
    for body in (email.text_body, email.html_body):
        assert "Billing" in body
        assert rule in body


def test_an_escalation_names_its_rule(org):
    senior = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    team = TeamFactory(organization=org, name="Billing", members=[senior])
    db.session.add(
        EscalationRule(
            organization_id=org.id,
            name="Nobody took it",
            trigger=EscalationTrigger.UNASSIGNED_FOR,
            threshold_minutes=0,
            raise_priority=False,
            reassign_to_senior=True,
        )
    )
    make_ticket(org, team=team)
    db.session.commit()
    sweep_sla()
    [email] = _emails(Notification.TICKET_ASSIGNED, senior.email)
    assert "Billing" in email.text_body
    assert "escalation rule “Nobody took it”" in email.text_body


def test_a_customer_without_a_name_is_shown_once(org, agent, admin):
    nameless = CustomerFactory(organization=org, name="")
    ticket = make_ticket(org, customer=nameless)
    db.session.commit()
    tickets.assign(admin, ticket, assignee_id=agent.id, team_id=None)
    tickets.customer_reply(ticket, nameless, "Any news?")
    db.session.commit()
    for kind in (Notification.TICKET_ASSIGNED, Notification.CUSTOMER_REPLIED):
        [email] = _emails(kind, agent.email)
        assert f"{nameless.email} <{nameless.email}>" not in email.text_body
        assert f"{nameless.email} &lt;{nameless.email}&gt;" not in email.html_body
        assert nameless.email in email.text_body


def test_a_named_customer_is_shown_with_their_address(org, agent, admin):
    named = CustomerFactory(organization=org, name="Inès Duarte")
    ticket = make_ticket(org, customer=named)
    db.session.commit()
    tickets.assign(admin, ticket, assignee_id=agent.id, team_id=None)
    db.session.commit()
    [email] = _emails(Notification.TICKET_ASSIGNED, agent.email)
    assert f"Inès Duarte <{named.email}>" in email.text_body


def test_agent_notifications_are_not_held_to_the_customer_cap(org, agent, mail_config):
    mail_config(MAIL_CAP_PER_WINDOW=2, MAIL_AGENT_CAP_PER_WINDOW=4)
    team = TeamFactory(
        organization=org, members=[agent], assignment_strategy=AssignmentStrategy.ROUND_ROBIN
    )
    for _ in range(5):
        make_ticket(org, team=team)
        db.session.commit()
    states = [e.state for e in _emails(Notification.TICKET_ASSIGNED, agent.email)]
    assert states == [OutboxState.QUEUED] * 4 + [OutboxState.FAILED]
    capped = _emails(Notification.TICKET_ASSIGNED, agent.email)[-1]
    assert "4 automatic emails already went to this address" in capped.last_error


def test_agent_mail_does_not_count_against_the_customer_cap(org, agent, mail_config):
    """An agent who also writes in as a customer still gets the customer's acknowledgements."""
    mail_config(MAIL_CAP_PER_WINDOW=2)
    team = TeamFactory(
        organization=org, members=[agent], assignment_strategy=AssignmentStrategy.ROUND_ROBIN
    )
    for _ in range(3):
        make_ticket(org, team=team)
        db.session.commit()
    make_ticket(org, customer_email=agent.email)
    db.session.commit()
    [ack] = _emails(Notification.TICKET_ACKNOWLEDGED, agent.email)
    assert ack.state is OutboxState.QUEUED
