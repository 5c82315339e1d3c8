"""Signed reply addresses and Message-IDs: ours verify, forgeries and strangers' do not."""

from __future__ import annotations

import pytest

from supportdesk.mail.identity import signing

pytestmark = pytest.mark.unit


@pytest.fixture
def mail_app():
    from supportdesk import create_app

    return create_app(
        {"DATABASE_URL": "sqlite://", "SECRET_KEY": "k1", "MAIL_DOMAIN": "help.example.com"}
    )


def test_a_reply_address_names_its_ticket(mail_app):
    with mail_app.app_context():
        address = signing.reply_address(42)
        assert address.startswith("support+42.") and address.endswith("@help.example.com")
        assert signing.ticket_from_reply_address(address.upper()) == 42


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda a: a.replace("support+42.", "support+43."), id="other-ticket-id"),
        pytest.param(lambda a: a[:-25] + "0" + a[-24:], id="tampered-signature"),
        pytest.param(lambda a: a.replace("help.example.com", "evil.example"), id="other-domain"),
        pytest.param(lambda a: "support@help.example.com", id="plain-support-address"),
        pytest.param(lambda a: "", id="empty"),
    ],
)
def test_a_forged_reply_address_is_not_ours(mail_app, forge):
    with mail_app.app_context():
        assert signing.ticket_from_reply_address(forge(signing.reply_address(42))) is None


def test_a_reply_address_signed_with_another_key_is_refused(mail_app):
    with mail_app.app_context():
        address = signing.reply_address(7)
    mail_app.config["SECRET_KEY"] = "k2"
    with mail_app.app_context():
        assert signing.ticket_from_reply_address(address) is None


def test_our_message_id_is_found_among_references(mail_app):
    with mail_app.app_context():
        ours = signing.new_message_id(99)
        references = f"<CAF=abc@mail.gmail.com> {ours} <other@example.org>"
        assert signing.ticket_from_message_ids(references) == 99
        assert signing.new_message_id(99) != ours  # every email gets its own id


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="absent"),
        pytest.param("<CAF=abc@mail.gmail.com>", id="foreign"),
        pytest.param("<sd.99.0123456789abcdef.000000000000@help.example.com>", id="bad-signature"),
    ],
)
def test_headers_without_a_valid_message_id_of_ours_match_nothing(mail_app, header):
    with mail_app.app_context():
        assert signing.ticket_from_message_ids(header) is None


def test_a_message_id_about_no_ticket_is_ours_but_leads_to_no_ticket(mail_app):
    with mail_app.app_context():
        ours = signing.new_message_id(None)
        assert ours.startswith("<sd.mail.") and ours.endswith("@help.example.com>")
        assert signing.new_message_id(None) != ours
        assert signing.ticket_from_message_ids(f"{ours} {ours}") is None


def test_a_message_id_of_another_domain_is_ignored(mail_app):
    with mail_app.app_context():
        ours = signing.new_message_id(5)
    mail_app.config["MAIL_DOMAIN"] = "other.example.com"
    with mail_app.app_context():
        assert signing.ticket_from_message_ids(ours) is None
