"""The MIME message built from an outbox row: headers we own, threading, no header injection."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from supportdesk.mail.outbound.compose import build_mime
from supportdesk.mail.outbound.models import Notification
from supportdesk.mail.outbound.service import settings_for, update_settings
from tests.mail.helpers import make_email

pytestmark = pytest.mark.integration


def _parsed(email, sender="Acme Support"):
    return message_from_bytes(build_mime(email, sender).as_bytes(), policy=policy.default)


def test_the_headers_are_ours_and_thread_the_conversation(org, app):
    email = make_email(
        org,
        automatic=True,
        reply_to="support+1.abcdefabcdef@supportdesk.localhost",
        in_reply_to="<b@x>",
        references="<a@x> <b@x>",
    )
    parsed = _parsed(email)
    assert parsed["From"] == "Acme Support <support@supportdesk.localhost>"
    assert parsed["To"] == "Some One <someone@example.com>"
    assert parsed["Message-ID"] == email.message_id_header
    assert (parsed["In-Reply-To"], parsed["References"]) == ("<b@x>", "<a@x> <b@x>")
    assert parsed["Reply-To"] == "support+1.abcdefabcdef@supportdesk.localhost"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hello</p>"


def test_an_agents_reply_is_not_marked_automatic(org, app):
    parsed = _parsed(make_email(org, automatic=False))
    assert parsed["Auto-Submitted"] is None and parsed["In-Reply-To"] is None


def test_mail_from_overrides_the_sender_address(org, app):
    app.config["MAIL_FROM"], saved = "help@acme.example", app.config["MAIL_FROM"]
    try:
        assert _parsed(make_email(org))["From"] == "Acme Support <help@acme.example>"
    finally:
        app.config["MAIL_FROM"] = saved


@pytest.mark.parametrize(
    "field, value",
    [
        pytest.param("to_name", "Eve\r\nBcc: victim@evil.example", id="name-crlf"),
        pytest.param("to_name", "Eve\nBcc: victim@evil.example", id="name-lf"),
        pytest.param("subject", "Hi\r\nBcc: victim@evil.example", id="subject-crlf"),
        pytest.param("subject", "Hi\rBcc: victim@evil.example", id="subject-cr"),
        pytest.param("in_reply_to", "<a@x>\r\nBcc: victim@evil.example", id="in-reply-to"),
    ],
)
def test_cr_lf_in_a_row_can_never_add_a_header(org, app, field, value):
    # Even a row written around the services (they already fold these) stays one header each.
    raw = build_mime(make_email(org, **{field: value}), "Acme\r\nX-Evil: 1").as_bytes()
    headers = raw.split(b"\r\n\r\n")[0].decode()
    assert "\r\nBcc:" not in headers and "\r\nX-Evil:" not in headers
    assert message_from_bytes(raw, policy=policy.default)["Bcc"] is None


def test_every_notification_has_a_label_and_an_audience():
    assert all(n.label for n in Notification)
    assert [n.value for n in Notification if n.to_customer] == [
        "ticket_acknowledged",
        "agent_replied",
        "ticket_resolved",
    ]
    assert [n.value for n in Notification if not n.automatic] == ["agent_replied"]
    assert [n.value for n in Notification if not n.switchable] == [
        "webhook_disabled",
        "crm_connection_broken",
        "sla_breached",
        "mentioned",
    ]


def test_mail_without_a_switch_is_always_enabled_whatever_the_settings_say(org, admin):
    update_settings(admin, accent_color="#2563eb")  # every switch off
    settings = settings_for(org.id)
    assert not settings.enabled(Notification.TICKET_ASSIGNED)
    assert settings.enabled(Notification.WEBHOOK_DISABLED)
    assert settings.enabled(Notification.SLA_BREACHED)
    assert settings.enabled(Notification.CRM_CONNECTION_BROKEN)
    assert not hasattr(settings, "webhook_disabled")
    assert not hasattr(settings, "crm_connection_broken")
    assert not hasattr(settings, "sla_breached")


def test_an_email_knows_its_notification(org, app):
    assert make_email(org, kind="ticket_resolved").notification is Notification.TICKET_RESOLVED
    assert make_email(org, kind="legacy").notification is None
    assert "legacy" in repr(make_email(org, kind="legacy"))
