"""Self-service rules: sign-in links (single use, expiry, newest only, per organization), what a
customer sees (their own tickets, their company's when allowed, never notes), replies and closing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk.accounts.resets import LinkInvalid
from supportdesk.attachments.service import Upload
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.selfservice import queries, service
from supportdesk.selfservice.models import PortalLink
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Status, TicketEvent
from tests.factories import CustomerFactory, make_ticket


def _secret(published) -> str:
    sent = [e for e in published if isinstance(e, service.PortalLinkSent)]
    return sent[-1].secret


def test_a_known_customer_gets_a_link_that_signs_them_in_once(org, customer, published):
    service.send_link(org.id, customer.email.upper())
    db.session.commit()
    secret = _secret(published)
    assert service.use_link(org.id, secret) == customer
    with pytest.raises(LinkInvalid):
        service.use_link(org.id, secret)


def test_an_unknown_address_gets_no_link_and_no_customer(org, published):
    assert service.send_link(org.id, "stranger@example.com") is None
    assert not [e for e in published if isinstance(e, service.PortalLinkSent)]


@pytest.mark.parametrize("address", ["", "not-an-address", "a@"])
def test_a_malformed_address_is_a_field_error(org, address):
    with pytest.raises(ValidationFailed) as refused:
        service.request_link(org.id, address)
    assert "email" in refused.value.fields


def test_a_link_does_not_work_in_another_organization(org, other_org, customer, published):
    service.send_link(org.id, customer.email)
    db.session.commit()
    with pytest.raises(LinkInvalid):
        service.use_link(other_org.id, _secret(published))


def test_an_expired_link_is_refused(org, customer, published):
    row = service.send_link(org.id, customer.email)
    db.session.commit()
    row.expires_at = row.created_at - dt.timedelta(seconds=1)
    with pytest.raises(LinkInvalid):
        service.use_link(org.id, _secret(published))


def test_a_new_link_replaces_the_open_one(org, customer, published):
    service.send_link(org.id, customer.email)
    db.session.commit()
    first = _secret(published)
    service.send_link(org.id, customer.email)
    db.session.commit()
    with pytest.raises(LinkInvalid):
        service.use_link(org.id, first)
    assert service.use_link(org.id, _secret(published)) == customer


@pytest.mark.parametrize("secret", ["", "x" * 101, "nope"])
def test_a_made_up_secret_is_refused(org, secret):
    with pytest.raises(LinkInvalid):
        service.use_link(org.id, secret)


def test_only_the_hash_of_a_link_is_stored(org, customer, published):
    row = service.send_link(org.id, customer.email)
    db.session.commit()
    assert _secret(published) not in (row.token_hash,)
    stored = db.session.scalars(sa.select(PortalLink.token_hash)).all()
    assert all(_secret(published) not in value for value in stored)


# -- what a customer sees ----------------------------------------------------------------------


@pytest.fixture
def company(org):
    """Two colleagues at Initech, a stranger, and one ticket each."""
    ann = CustomerFactory(organization=org, company="Initech")
    bob = CustomerFactory(organization=org, company=" initech ")
    eve = CustomerFactory(organization=org, company="")
    return {
        "ann": (ann, make_ticket(org, customer=ann)),
        "bob": (bob, make_ticket(org, customer=bob)),
        "eve": (eve, make_ticket(org, customer=eve)),
    }


def _numbers(customer, company_tickets: bool) -> set[int]:
    settings = service.settings_for(customer.organization_id)
    settings.company_tickets = company_tickets
    return {t.number for t in queries.list_tickets(customer, settings)}


@pytest.mark.parametrize(
    ("who", "company_tickets", "sees"),
    [
        pytest.param("ann", False, {"ann"}, id="own-only-by-default"),
        pytest.param("ann", True, {"ann", "bob"}, id="company-when-enabled"),
        pytest.param("bob", True, {"ann", "bob"}, id="company-name-in-any-case"),
        pytest.param("eve", True, {"eve"}, id="no-company-own-only"),
    ],
)
def test_a_customer_sees_their_own_tickets_and_their_company_s_when_enabled(
    company, who, company_tickets, sees
):
    customer = company[who][0]
    assert _numbers(customer, company_tickets) == {company[name][1].number for name in sees}


def test_another_customer_s_ticket_is_not_found(org, company):
    ann = company["ann"][0]
    settings = service.settings_for(org.id)
    with pytest.raises(NotFound):
        queries.get_ticket(ann, settings, company["eve"][1].number)


def test_a_customer_of_another_organization_reaches_nothing(org, other_org, company):
    outsider = CustomerFactory(organization=other_org, email=company["ann"][0].email)
    make_ticket(other_org, customer=outsider)
    settings = service.settings_for(other_org.id)
    with pytest.raises(NotFound):
        queries.get_ticket(outsider, settings, company["ann"][1].number + 1000)
    assert all(t.organization_id == other_org.id for t in queries.list_tickets(outsider, settings))


def test_the_conversation_never_shows_internal_notes(org, agent, customer, ticket):
    tickets.add_note(agent, ticket, "Customer is a bit difficult")
    tickets.reply(agent, ticket, "We are on it")
    messages, _ = queries.conversation(ticket)
    bodies = [m.body_text for m in messages]
    assert "We are on it" in bodies and "Customer is a bit difficult" not in bodies


# -- what a customer does ----------------------------------------------------------------------


def test_a_portal_reply_is_a_customer_reply_with_files(org, customer, ticket):
    ticket.status = Status.RESOLVED
    db.session.flush()
    message = service.reply(
        customer, ticket, "Still broken", [Upload("log.txt", "text/plain", b"trace")]
    )
    db.session.commit()
    assert message.author_customer_id == customer.id and not message.is_internal
    kinds = db.session.scalars(
        sa.select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
    ).all()
    assert EventKind.CUSTOMER_REPLIED in kinds
    assert ticket.status is Status.OPEN  # reopened, as an emailed reply does
    _, files = queries.conversation(ticket)
    assert [a.filename for a in files[message.id]] == ["log.txt"]


def test_a_reply_over_the_file_limit_is_refused(app, org, customer, ticket):
    too_big = b"x" * (int(app.config["ATTACHMENT_MAX_FILE_BYTES"]) + 1)
    with pytest.raises(ValidationFailed) as refused:
        service.reply(
            customer, ticket, "Here", [Upload("big.bin", "application/octet-stream", too_big)]
        )
    assert "attachments" in refused.value.fields


def test_a_closed_ticket_takes_no_portal_reply(org, customer, ticket):
    service.close(customer, ticket)
    with pytest.raises(service.TicketClosed):
        service.reply(customer, ticket, "One more thing")


def test_the_customer_closes_their_ticket_once(org, customer, ticket):
    assert service.close(customer, ticket) is True
    assert ticket.status is Status.CLOSED
    assert service.close(customer, ticket) is False
    event = db.session.scalars(
        sa.select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.STATUS
        )
    ).one()
    assert event.actor_customer_id == customer.id and event.data["new"] == "closed"


# -- settings ----------------------------------------------------------------------------------


def test_settings_are_saved_by_an_admin_and_audited(org, admin):
    from supportdesk.audit.models import AuditEntry

    service.update_settings(
        admin, company_tickets=True, contact_form=False, csat_enabled=True, csat_delay_hours=24
    )
    db.session.commit()
    saved = service.settings_for(org.id)
    assert (saved.company_tickets, saved.contact_form, saved.csat_delay_hours) == (True, False, 24)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "portal_settings.updated")
    ).one()
    assert entry.after["csat_delay_hours"] == 24


def test_an_agent_may_not_change_the_settings(agent):
    from supportdesk.accounts.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        service.update_settings(
            agent, company_tickets=True, contact_form=True, csat_enabled=True, csat_delay_hours=0
        )


@pytest.mark.parametrize("hours", [-1, 24 * 14 + 1])
def test_a_delay_out_of_range_is_a_field_error(admin, hours):
    with pytest.raises(ValidationFailed) as refused:
        service.update_settings(
            admin, company_tickets=False, contact_form=True, csat_enabled=True,
            csat_delay_hours=hours,
        )  # fmt: skip
    assert "csat_delay_hours" in refused.value.fields


def test_a_portal_reply_notifies_the_assignee_and_webhooks_like_an_emailed_one(
    org, agent, customer
):
    from supportdesk.mail.outbound.models import EmailMessage
    from tests.fixtures.webhooks import deliveries, make_endpoint

    make_endpoint(org, "http://127.0.0.1:9/hooks")
    ticket = make_ticket(org, customer=customer, assignee=agent)
    db.session.commit()
    service.reply(customer, ticket, "Any news?")
    db.session.commit()
    to_agent = db.session.scalars(
        sa.select(EmailMessage.kind).where(
            EmailMessage.ticket_id == ticket.id, EmailMessage.to_address == agent.email
        )
    ).all()
    assert "customer_replied" in to_agent
    assert [d.event_type for d in deliveries()][-1] == "message.created"
