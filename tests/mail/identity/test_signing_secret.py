"""Our signed reply addresses and Message-IDs round-trip; tampered ones are refused."""

from __future__ import annotations

import pytest

from supportdesk.mail.identity import signing

pytestmark = pytest.mark.integration


def test_a_reply_address_names_its_ticket(app):
    with app.app_context():
        address = signing.reply_address(42)
        assert address.startswith("support+42.") and address.endswith("@supportdesk.localhost")
        assert signing.ticket_from_reply_address(address.upper()) == 42


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda a: a.replace("support+42.", "support+43."), id="other-ticket"),
        pytest.param(lambda a: a.replace("@supportdesk.localhost", "@evil.example"), id="domain"),
        pytest.param(lambda a: "someone@example.com", id="not-ours"),
        pytest.param(lambda a: "", id="empty"),
    ],
)
def test_a_tampered_reply_address_is_refused(app, make):
    with app.app_context():
        assert signing.ticket_from_reply_address(make(signing.reply_address(42))) is None


def test_a_message_id_of_ours_is_found_among_references(app):
    with app.app_context():
        ours = signing.new_message_id(7)
        forged = ours.replace("sd.7.", "sd.8.")
        other_domain = signing.new_message_id(9).replace("supportdesk.localhost", "x.example")
        header = f"<a@b.example> {forged} {other_domain} {ours}"
        assert signing.ticket_from_message_ids(header) == 7
        assert signing.ticket_from_message_ids(f"{forged} {other_domain}") is None
        assert signing.ticket_from_message_ids(None) is None
