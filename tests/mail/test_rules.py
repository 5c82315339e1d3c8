"""Which ticket events queue which emails: recipients, switches, loops, caps, threading."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from rq import Queue
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk.accounts.models import Role
from supportdesk.crm.service import ConnectionBroken
from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from supportdesk.mail.identity.verification import EMAIL_KIND, VerificationRequested
from supportdesk.mail.outbound.models import (
    AGENT_INVITATION,
    EXPORT_FINISHED,
    PASSWORD_RESET,
    PORTAL_SIGN_IN,
    REPORT_SUMMARY,
    SATISFACTION_SURVEY,
    EmailMessage,
    Notification,
)
from supportdesk.mail.outbound.recipients import Recipient
from supportdesk.mail.outbound.service import settings_for
from supportdesk.mail.rules import RULES, _not_the_actor, matching, on_events
from supportdesk.outbox import OutboxState
from supportdesk.sla.service import SlaBreached
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Message, MessageKind, Status, TicketEvent
from supportdesk.webhooks import service as webhooks
from supportdesk.webhooks.service import EndpointDisabled
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fixtures.webhooks import make_endpoint

pytestmark = pytest.mark.integration

PENDING_EVENTS = "supportdesk.pending_events"


def _flag_pending_events() -> None:
    """Flag the transaction's events as inbound does for auto-replies and bounces.

    Inbound sets the flag when it writes the event; history is append-only, so the test sets
    it in memory (no UPDATE) on the events the service just recorded.
    """
    for event in db.session.info[PENDING_EVENTS]:
        if not isinstance(event, TicketEvent):
            continue  # other domain events (webhooks' MessageCreated, CustomerCreated)
        set_committed_value(event, "data", {**event.data, "suppress_notifications": True})


def _emails(ticket=None, kind: Notification | None = None) -> list[EmailMessage]:
    query = db.select(EmailMessage).order_by(EmailMessage.id)
    if ticket is not None:
        query = query.where(EmailMessage.ticket_id == ticket.id)
    if kind is not None:
        query = query.where(EmailMessage.kind == kind.value)
    return list(db.session.scalars(query))


def _first(ticket) -> int:
    """The id of the assignment email sent when `opened` was created."""
    return _emails(ticket, Notification.TICKET_ASSIGNED)[0].id


# `opened` is assigned from the start: its assignee hears about it with the acknowledgement.
AT_OPENING = ["ticket_acknowledged", "ticket_assigned"]


@pytest.fixture
def opened(org, customer, agent):
    """A ticket the customer opened, assigned to `agent`, committed (its acknowledgement queued)."""
    ticket = make_ticket(org, customer=customer, assignee=agent, subject="Invoice is wrong")
    db.session.commit()
    return ticket


def test_a_new_ticket_is_acknowledged_to_the_customer(redis_client, opened, customer):
    [email] = _emails(opened, Notification.TICKET_ACKNOWLEDGED)
    assert email.kind == "ticket_acknowledged"
    assert (email.to_address, email.to_name) == (customer.email, customer.display_name)
    assert email.subject == f"[#{opened.number}] We received your request: Invoice is wrong"
    assert email.reply_to == signing.reply_address(opened.id)
    assert signing.ticket_from_message_ids(email.message_id_header) == opened.id
    assert email.automatic and email.state is OutboxState.QUEUED
    first = db.session.scalars(db.select(Message).where(Message.ticket_id == opened.id)).one()
    assert email.message_id == first.id
    assert "Something is not working." in email.text_body
    # The drain was woken after the commit (it finds the row itself).
    jobs = Queue("emails", connection=redis_client).jobs
    assert [(j.func_name, j.args) for j in jobs] == [("supportdesk.jobs.email.send_emails", ())]


def test_an_agent_reply_is_emailed_with_the_thread_quoted_but_never_notes(opened, agent):
    tickets.add_note(agent, opened, "SECRET-NOTE: customer is on the watch list")
    db.session.commit()
    reply = tickets.reply(agent, opened, "We corrected the invoice.")
    db.session.commit()
    [email] = _emails(opened, Notification.AGENT_REPLIED)
    assert email.message_id == reply.id and not email.automatic
    assert email.subject == f"Re: [#{opened.number}] Invoice is wrong"
    assert "We corrected the invoice." in email.text_body
    assert "Something is not working." in email.text_body  # the request, quoted below
    for body in (email.text_body, email.html_body):
        assert "SECRET-NOTE" not in body


def test_only_the_last_three_public_messages_are_quoted(opened, agent, customer):
    for n in range(4):
        tickets.customer_reply(opened, customer, f"Customer message {n}")
    db.session.commit()
    tickets.reply(agent, opened, "Answer")
    db.session.commit()
    [email] = _emails(opened, Notification.AGENT_REPLIED)
    quoted = email.text_body.split("-- Earlier in this conversation --")[1]
    assert [f"Customer message {n}" in quoted for n in range(4)] == [False, True, True, True]
    assert "Something is not working." not in quoted


def test_resolving_tells_the_customer_they_can_reply_to_reopen(opened, agent):
    tickets.change_status(agent, opened, Status.RESOLVED)
    db.session.commit()
    [email] = _emails(opened, Notification.TICKET_RESOLVED)
    assert email.subject == f"[#{opened.number}] Resolved: Invoice is wrong"
    assert "reply to this email and the ticket will reopen" in email.text_body


def test_other_status_changes_send_nothing(opened, agent):
    tickets.change_status(agent, opened, Status.PENDING)
    db.session.commit()
    assert [e.kind for e in _emails(opened)] == AT_OPENING


def test_an_assignment_tells_the_new_assignee(org, opened, admin):
    colleague = UserFactory(organization=org, name="Colleague")
    tickets.assign(admin, opened, assignee_id=colleague.id, team_id=None)
    db.session.commit()
    [email] = [e for e in _emails(opened, Notification.TICKET_ASSIGNED) if e.id != _first(opened)]
    assert email.to_address == colleague.email and email.reply_to == ""
    assert f"Ada Admin assigned you ticket #{opened.number}" in email.text_body
    assert f"/tickets/{opened.number}" in email.text_body


def test_a_ticket_opened_with_an_assignee_tells_them(org, agent, customer):
    colleague = UserFactory(organization=org)
    ticket = make_ticket(org, actor=agent, customer=customer, assignee=colleague)
    own = make_ticket(org, actor=agent, customer=customer, assignee=agent)
    db.session.commit()
    [email] = _emails(ticket, Notification.TICKET_ASSIGNED)
    assert email.to_address == colleague.email and email.message_id is None
    assert "Something is not working." in email.text_body  # the request, quoted
    assert _emails(own, Notification.TICKET_ASSIGNED) == []


def test_nobody_is_told_about_their_own_assignment(org, opened):
    colleague = UserFactory(organization=org)
    tickets.assign(colleague, opened, assignee_id=colleague.id, team_id=None)
    db.session.commit()
    assert [e.kind for e in _emails(opened)] == AT_OPENING


def test_unassigning_sends_nothing(opened, agent, admin):
    tickets.assign(admin, opened, assignee_id=None, team_id=None)
    db.session.commit()
    assert [e.kind for e in _emails(opened)] == AT_OPENING


def test_a_customer_reply_tells_the_assignee(opened, agent, customer):
    message = tickets.customer_reply(opened, customer, "Any news?")
    db.session.commit()
    [email] = _emails(opened, Notification.CUSTOMER_REPLIED)
    assert (email.to_address, email.message_id) == (agent.email, message.id)
    assert "Any news?" in email.text_body


def test_a_customer_reply_on_an_unassigned_ticket_emails_nobody(org, customer):
    ticket = make_ticket(org, customer=customer)
    db.session.commit()
    tickets.customer_reply(ticket, customer, "Hello?")
    db.session.commit()
    assert _emails(ticket, Notification.CUSTOMER_REPLIED) == []


def test_a_deactivated_assignee_is_not_emailed(opened, agent, customer):
    agent.active = False
    tickets.customer_reply(opened, customer, "Hello?")
    db.session.commit()
    assert _emails(opened, Notification.CUSTOMER_REPLIED) == []


SWITCHES = [pytest.param(n, id=n.value) for n in Notification if n.switchable]


def _trigger(notification, org, admin, customer):
    """Cause `notification` once, on a fresh ticket assigned to a colleague."""
    colleague = UserFactory(organization=org)
    ticket = make_ticket(org, customer=customer, assignee=colleague)
    if notification is not Notification.TICKET_ACKNOWLEDGED:
        # Only the email of the action below counts: forget those of the opening.
        db.session.commit()
        db.session.execute(db.delete(EmailMessage).where(EmailMessage.ticket_id == ticket.id))
    if notification is Notification.AGENT_REPLIED:
        tickets.reply(admin, ticket, "Reply")
    elif notification is Notification.TICKET_RESOLVED:
        tickets.change_status(admin, ticket, Status.RESOLVED)
    elif notification is Notification.TICKET_ASSIGNED:
        tickets.assign(admin, ticket, assignee_id=UserFactory(organization=org).id, team_id=None)
    elif notification is Notification.CUSTOMER_REPLIED:
        tickets.customer_reply(ticket, customer, "Reply")
    db.session.commit()
    return ticket


@pytest.mark.parametrize("notification", SWITCHES)
def test_each_switch_turns_its_email_off(org, admin, customer, notification):
    settings_for(org.id).__setattr__(notification.value, False)
    ticket = _trigger(notification, org, admin, customer)
    assert _emails(ticket, notification) == []


@pytest.mark.parametrize("notification", SWITCHES)
def test_each_switch_on_sends_its_email(org, admin, customer, notification):
    ticket = _trigger(notification, org, admin, customer)
    assert len(_emails(ticket, notification)) == 1


def test_auto_reply_flagged_events_send_no_mail(opened, customer):
    # What inbound mail does for an auto-reply or a bounce: the event carries the flag.
    tickets.customer_reply(opened, customer, "I am out of the office until Monday.")
    _flag_pending_events()
    db.session.commit()
    assert [e.kind for e in _emails(opened)] == AT_OPENING


def test_a_suppressed_new_ticket_is_not_acknowledged(org):
    ticket = make_ticket(org, customer_email="mailer-daemon@example.com")
    _flag_pending_events()
    db.session.commit()
    assert _emails(ticket) == []


def test_other_domain_events_are_ignored(app):
    others = ["webhook.sent", object(), {"kind": "created"}]
    assert [matching(e) for e in others] == [[], [], []]
    on_events(others)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) == 0


def _event(kind: EventKind, **data) -> TicketEvent:
    return TicketEvent(organization_id=1, ticket_id=1, kind=kind, data=data)


N = Notification
DUE = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
TABLE = [
    pytest.param(_event(EventKind.CREATED), [N.TICKET_ACKNOWLEDGED, N.TICKET_ASSIGNED], id="new"),
    pytest.param(
        _event(EventKind.CREATED, dmarc="pass"),
        [N.TICKET_ACKNOWLEDGED, N.TICKET_ASSIGNED],
        id="new-dmarc-pass",
    ),
    pytest.param(_event(EventKind.CREATED, dmarc="fail"), [N.TICKET_ASSIGNED], id="new-forged"),
    pytest.param(_event(EventKind.CREATED, suppress_notifications=True), [], id="new-suppressed"),
    pytest.param(
        _event(EventKind.CREATED, suppress_notifications="yes"),
        [N.TICKET_ACKNOWLEDGED, N.TICKET_ASSIGNED],
        id="suppressed-only-by-true",
    ),
    pytest.param(_event(EventKind.REPLIED), [N.AGENT_REPLIED], id="reply"),
    pytest.param(_event(EventKind.REPLIED, suppress_notifications=True), [], id="reply-suppressed"),
    pytest.param(_event(EventKind.NOTED), [], id="note"),
    pytest.param(
        _event(EventKind.STATUS, old="open", new="resolved"), [N.TICKET_RESOLVED], id="resolved"
    ),
    pytest.param(_event(EventKind.STATUS, old="resolved", new="closed"), [], id="closed"),
    pytest.param(_event(EventKind.STATUS, old="open", new="pending"), [], id="pending"),
    pytest.param(_event(EventKind.ASSIGNEE, old=None, new=7), [N.TICKET_ASSIGNED], id="assigned"),
    pytest.param(_event(EventKind.ASSIGNEE, old=7, new=None), [], id="unassigned"),
    pytest.param(_event(EventKind.CUSTOMER_REPLIED), [N.CUSTOMER_REPLIED], id="customer-reply"),
    pytest.param(_event(EventKind.PRIORITY, new="high"), [], id="priority"),
    pytest.param(_event(EventKind.SLA_BREACHED), [], id="breach-history-row"),
    pytest.param(SlaBreached(1, 1, "resolution", DUE), [N.SLA_BREACHED], id="sla-breach"),
    pytest.param(
        EndpointDisabled(1, 1, "https://x.example", "", "410", DUE),
        [N.WEBHOOK_DISABLED],
        id="endpoint-disabled",
    ),
    pytest.param(
        ConnectionBroken(1, 1, "HubSpot", "HubSpot refused the access token (401).", DUE),
        [N.CRM_CONNECTION_BROKEN],
        id="crm-connection-broken",
    ),
    pytest.param(VerificationRequested(1, 1, "a@b.example", "c"), [EMAIL_KIND], id="verification"),
]


@pytest.mark.parametrize(("event", "templates"), TABLE)
def test_the_rules_table(event, templates):
    assert [rule.template for rule in matching(event)] == templates


def test_every_email_we_send_on_our_own_has_a_rule():
    assert {rule.template for rule in RULES} == {
        *Notification,
        EMAIL_KIND,
        AGENT_INVITATION,
        PASSWORD_RESET,
        PORTAL_SIGN_IN,
        SATISFACTION_SURVEY,
        EXPORT_FINISHED,
        REPORT_SUMMARY,
    }


def test_automatic_mail_to_one_address_is_capped(org, agent, customer, mail_config):
    mail_config(MAIL_CAP_PER_WINDOW=2)
    made = [make_ticket(org, customer=customer) for _ in range(3)]
    db.session.commit()
    states = [e.state for e in _emails() if e.ticket_id in {t.id for t in made}]
    assert states == [OutboxState.QUEUED, OutboxState.QUEUED, OutboxState.FAILED]
    capped = _emails(made[2])[0]
    assert "2 automatic emails already went to this address in the last 60 minutes" in (
        capped.last_error
    )
    # An agent's own reply is not automatic mail: it is never capped.
    tickets.reply(agent, made[2], "Personal answer")
    db.session.commit()
    assert _emails(made[2], Notification.AGENT_REPLIED)[0].state is OutboxState.QUEUED


def test_replies_thread_on_our_earlier_mail_and_the_customers_own(opened, agent, customer):
    [ack] = _emails(opened, Notification.TICKET_ACKNOWLEDGED)
    tickets.customer_reply(
        opened, customer, "More details", message_id="<abc@mail.customer.example>"
    )
    db.session.commit()
    tickets.reply(agent, opened, "Thanks")
    db.session.commit()
    [reply] = _emails(opened, Notification.AGENT_REPLIED)
    assert reply.references == f"{ack.message_id_header} <abc@mail.customer.example>"
    assert reply.in_reply_to == "<abc@mail.customer.example>"


def test_header_injection_through_a_customer_name_adds_no_header(org, mail_config):
    from supportdesk.jobs.email import send_email

    evil = CustomerFactory(organization=org, name="Eve\r\nBcc: victim@evil.example")
    ticket = make_ticket(org, customer=evil, subject="Hi\r\nX-Injected: yes")
    db.session.commit()
    [email] = _emails(ticket)
    assert send_email(email.id) == "sent"
    raw = (Path(current_app.config["MAIL_DIR"]) / f"email-{email.id}.eml").read_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert parsed["To"].addresses[0].addr_spec == evil.email
    headers = raw.split(b"\r\n\r\n")[0].decode()
    assert "\r\nBcc:" not in headers and "\r\nX-Injected:" not in headers
    assert parsed["Subject"] == f"[#{ticket.number}] We received your request: Hi X-Injected: yes"


def test_internal_notes_never_become_email(opened, agent):
    tickets.add_note(agent, opened, "Internal only")
    db.session.commit()
    assert [e.kind for e in _emails(opened)] == AT_OPENING
    assert db.session.scalars(
        db.select(Message.kind).where(Message.ticket_id == opened.id).order_by(Message.id)
    ).all() == [MessageKind.PUBLIC, MessageKind.INTERNAL]


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("support@help.acme.example", id="our-domain"),
        pytest.param("support+12.abcdefabcdef@HELP.acme.example", id="our-reply-address"),
        pytest.param("help@acme.example", id="mail-from-setting"),
    ],
)
def test_mail_to_our_own_addresses_is_refused_to_stop_loops(org, mail_config, address):
    mail_config(MAIL_FROM="help@acme.example", MAIL_DOMAIN="help.acme.example")
    ticket = make_ticket(org, customer_email=address)
    db.session.commit()
    [email] = _emails(ticket)
    assert email.state is OutboxState.FAILED
    assert "one of our own addresses" in email.last_error


def test_an_endpoint_disabled_event_mails_every_active_admin_but_no_agent(org, admin):
    other_admin = UserFactory(organization=org, role=Role.ADMIN, name="Second Admin")
    UserFactory(organization=org, role=Role.ADMIN, active=False)
    UserFactory(organization=org, role=Role.AGENT)
    endpoint = make_endpoint(org, "https://crm.example/hooks")
    webhooks.disable_endpoint(endpoint, "The receiver answered 410 Gone.")
    db.session.commit()  # the event is read at the commit

    sent = db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.kind == Notification.WEBHOOK_DISABLED.value)
    ).all()
    assert sorted(e.to_address for e in sent) == sorted([admin.email, other_admin.email])
    assert all("410 Gone" in e.text_body for e in sent)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        pytest.param(None, [1, 2, None], id="no-actor"),
        pytest.param(1, [2, None], id="the-actor-is-left-out-the-rest-stay"),
        pytest.param(2, [1, None], id="whatever-their-place"),
    ],
)
def test_nobody_is_told_about_their_own_action(actor, expected):
    people = [Recipient("a@x", "A", 1), Recipient("b@x", "B", 2), Recipient("c@x", "C")]
    assert [p.user_id for p in _not_the_actor(people, actor)] == expected
