"""Email templates: snapshots of every HTML and text part on fixed data, escaping, branding."""

from __future__ import annotations

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from supportdesk.mail.outbound.compose import render
from supportdesk.mail.outbound.models import Notification

pytestmark = pytest.mark.unit


class HTMLSnapshot(SingleFileSnapshotExtension):
    """One readable .html file per snapshot."""

    _file_extension = "html"
    file_extension = "html"
    _write_mode = WriteMode.TEXT


class TextSnapshot(SingleFileSnapshotExtension):
    """One readable .txt file per snapshot."""

    _file_extension = "txt"
    file_extension = "txt"
    _write_mode = WriteMode.TEXT


def fixed_context(**overrides) -> dict:
    """The data every template is rendered with in the snapshots (no clock, no database)."""
    context = {
        "org_name": "Snapshot Support",
        "brand": {
            "sender_name": "Snapshot Support Team",
            "accent_color": "#0f766e",
            "logo_url": "",
            "footer_text": "Snapshot Support · 1 Example Street · Lisbon",
        },
        "ticket": {
            "number": 42,
            "subject": "Invoice shows the wrong VAT rate",
            "status": "Open",
            "priority": "High",
            "url": "https://help.snapshot.example/tickets/42",
        },
        "customer": {
            "name": "Inès Duarte",
            "email": "ines@customer.example",
            "address": "Inès Duarte <ines@customer.example>",
        },
        "recipient_name": "Inès Duarte",
        "actor_name": "Lena Lead",
        "message": {
            "author": "Omar Agent",
            "body": "Thanks Inès, we are correcting it now.\nYou will get a new invoice today.",
            "date": "02 Mar 2026, 10:10 UTC",
        },
        "quoted": [
            {
                "author": "Inès Duarte",
                "body": "Hello,\nour March invoice uses 19 % instead of 7 %.",
                "date": "02 Mar 2026, 09:30 UTC",
            }
        ],
        "to_customer": True,
        "assignment": {"team": "Billing", "rule": ""},
        "sender_verified": True,
    }
    context.update(overrides)
    return context


def organization_context(**overrides) -> dict:
    """The data of mail about the organization, not a ticket (no ticket, no conversation)."""
    context = {
        "org_name": "Snapshot Support",
        "brand": fixed_context()["brand"],
        "recipient_name": "Ada Admin",
        "endpoint": {
            "url": "https://crm.example/hooks/supportdesk",
            "description": "CRM sync (sales team)",
            "reason": "The receiver answered 410 Gone: it asked for no more events.",
            "disabled_at": "02 Mar 2026, 11:05 UTC",
            "page_url": "https://help.snapshot.example/admin/webhooks/7",
        },
        "crm": {
            "provider": "HubSpot",
            "reason": "HubSpot refused the access token (401): Authentication credentials not found.",
            "broken_at": "02 Mar 2026, 11:05 UTC",
            "page_url": "https://help.snapshot.example/admin/crm",
        },
    }
    context.update(overrides)
    return context


def sla_context(**overrides) -> dict:
    """A missed target as the breach mail sees it (the recipient is the assignee)."""
    context = fixed_context(
        recipient_name="Omar Agent",
        to_assignee=True,
        message=None,
        quoted=[],
        sla={"target": "first response", "due": "02 Mar 2026, 10:00 UTC", "team": "Billing"},
    )
    context.update(overrides)
    return context


def mention_context(**overrides) -> dict:
    """An internal note that mentions the recipient (an agent)."""
    context = fixed_context(
        recipient_name="Omar Agent",
        message=None,
        quoted=[],
        note={
            "author": "Lena Lead",
            "body": "@omar can you check the VAT rate?\nThe customer is on the 7 % plan.",
            "date": "02 Mar 2026, 10:12 UTC",
        },
    )
    context.update(overrides)
    return context


ORGANIZATION_KINDS = [Notification.WEBHOOK_DISABLED, Notification.CRM_CONNECTION_BROKEN]
SLA_KINDS = [Notification.SLA_BREACHED]
MENTION_KINDS = [Notification.MENTIONED]
TICKET_KINDS = [
    pytest.param(n.value, id=n.value)
    for n in Notification
    if n.switchable or n in SLA_KINDS or n in MENTION_KINDS
]
KINDS = [
    *TICKET_KINDS,
    *(pytest.param(n.value, id=n.value) for n in ORGANIZATION_KINDS),
]


def context_for(kind: str) -> dict:
    if Notification(kind) in MENTION_KINDS:
        return mention_context()
    if Notification(kind) in SLA_KINDS:
        return sla_context()
    return organization_context() if Notification(kind) in ORGANIZATION_KINDS else fixed_context()


def test_every_notification_is_either_about_a_ticket_or_about_the_organization():
    assert len(KINDS) == len(Notification)


@pytest.mark.parametrize("kind", KINDS)
def test_the_html_part_looks_as_recorded(kind, snapshot):
    assert render(kind, context_for(kind)).html == snapshot.use_extension(HTMLSnapshot)


@pytest.mark.parametrize("kind", KINDS)
def test_the_text_part_looks_as_recorded(kind, snapshot):
    rendered = render(kind, context_for(kind))
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("kind", TICKET_KINDS)
def test_every_subject_carries_the_ticket_number(kind):
    assert "[#42]" in render(kind, context_for(kind)).subject


@pytest.mark.parametrize("kind", TICKET_KINDS)
def test_user_text_is_escaped_in_html_and_verbatim_in_text(kind):
    evil = '<script>alert("x")</script>'
    context = context_for(kind)
    context.update(
        customer={"name": evil, "email": "a@b.example", "address": f"{evil} <a@b.example>"},
        recipient_name=evil,
        assignment={"team": evil, "rule": evil},
        ticket={**fixed_context()["ticket"], "subject": evil},
        message={"author": evil, "body": evil, "date": "today"},
        quoted=[{"author": evil, "body": evil, "date": "today"}],
    )
    rendered = render(kind, context)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert evil in rendered.text


def test_the_css_is_inlined_for_mail_clients():
    html = render("agent_replied", fixed_context()).html
    assert "<style" not in html
    assert 'style="' in html and "#0f766e" in html


def test_a_logo_replaces_the_sender_name_in_the_header():
    brand = {**fixed_context()["brand"], "logo_url": "https://cdn.example/logo.png"}
    html = render("ticket_resolved", fixed_context(brand=brand)).html
    assert 'src="https://cdn.example/logo.png"' in html


def test_a_subject_is_one_line_whatever_the_ticket_subject_holds():
    ticket = {**fixed_context()["ticket"], "subject": "Line one\r\nBcc: x@y.example"}
    subject = render("ticket_acknowledged", fixed_context(ticket=ticket)).subject
    assert subject == "[#42] We received your request: Line one Bcc: x@y.example"


def test_an_endpoint_s_url_description_and_reason_are_escaped_in_html_and_verbatim_in_text():
    evil = '<script>alert("x")</script>'
    endpoint = {
        **organization_context()["endpoint"],
        "url": f"https://crm.example/?q={evil}",
        "description": evil,
        "reason": evil,
    }
    rendered = render("webhook_disabled", organization_context(endpoint=endpoint, org_name=evil))
    assert "<script>" not in rendered.html
    assert rendered.html.count("&lt;script&gt;") >= 4
    assert rendered.text.count(evil) >= 4
    assert rendered.subject == f"Webhook endpoint disabled: https://crm.example/?q={evil}"


def test_the_webhook_mail_without_a_description_leaves_the_line_out():
    endpoint = {**organization_context()["endpoint"], "description": ""}
    rendered = render("webhook_disabled", organization_context(endpoint=endpoint))
    assert "Description:" not in rendered.text
    assert "Ticket #" not in rendered.text and "Ticket #" not in rendered.html


def test_the_breach_mail_to_a_team_lead_says_nobody_is_assigned():
    rendered = render("sla_breached", sla_context(recipient_name="Lena Lead", to_assignee=False))
    assert (
        rendered.subject
        == "[#42] Missed the first response target: Invoice shows the wrong VAT rate"
    )
    assert "nobody is assigned to it" in rendered.text
    assert "You are told as a team lead of Billing: please assign it or answer it." in rendered.text
    assert "assigned to you" not in rendered.text and "assigned to you" not in rendered.html
    assert "nobody is assigned to it" in rendered.html


def test_the_breach_mail_to_a_lead_without_a_team_names_none():
    sla = {**sla_context()["sla"], "team": "", "target": "resolution"}
    rendered = render("sla_breached", sla_context(to_assignee=False, sla=sla))
    assert "You are told as a team lead: please" in rendered.text
    assert "missed its resolution target" in rendered.text


def test_a_team_name_is_escaped_in_html_and_verbatim_in_text():
    evil = '<script>alert("x")</script>'
    sla = {**sla_context()["sla"], "team": evil}
    rendered = render("sla_breached", sla_context(to_assignee=False, sla=sla))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert evil in rendered.text


def test_the_crm_mail_escapes_the_reason_in_html_and_says_it_verbatim_in_text():
    evil = '<script>alert("x")</script>'
    crm = {**organization_context()["crm"], "reason": evil}
    rendered = render("crm_connection_broken", organization_context(crm=crm, org_name=evil))
    assert "<script>" not in rendered.html
    assert rendered.html.count("&lt;script&gt;") >= 2
    assert rendered.text.count(evil) >= 2
    assert rendered.subject == "CRM connection broken: HubSpot"
    assert "https://help.snapshot.example/admin/crm" in rendered.html
    assert "Ticket #" not in rendered.text and "Ticket #" not in rendered.html
