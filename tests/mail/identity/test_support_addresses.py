"""Support addresses: each organization's namespace is its own, other addresses are verified by
a one-time code that comes back in through receive_email, and until then route nothing."""

from __future__ import annotations

import pytest

from supportdesk.accounts.service import create_organization
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.mail.identity import support_addresses
from supportdesk.mail.inbound.models import Decision, InboundStatus, SupportAddress
from supportdesk.mail.inbound.queries import list_unprocessed
from supportdesk.mail.inbound.service import receive_email
from supportdesk.mail.outbound.models import EmailMessage
from tests import factories
from tests.fixtures.mail import forwarded_copy, verification_email

DOMAIN = "help.example.com"
ORDERS = "orders@beta.example"


@pytest.fixture
def domain(mail_config):
    """A mail domain email_validator accepts (it refuses .localhost addresses)."""
    mail_config(MAIL_DOMAIN=DOMAIN)


@pytest.fixture
def forward_to(domain, org) -> str:
    """The organization's own namespace address, where an admin forwards an outside address."""
    return support_addresses.create_default_address(org).address


def _come_back(address: str, forward_to: str):
    """Our newest verification email to `address`, forwarded by that mailbox to `forward_to`."""
    email = verification_email(address)
    raw = forwarded_copy(email, delivered_to=address)
    return receive_email(raw, envelope_recipients=[forward_to], source="test")


def _mail_to(address: str, msgid: str = "<order-1@shop.example>") -> bytes:
    return (
        f"From: Jane <jane@shop.example>\r\nTo: {address}\r\nSubject: Order 17\r\n"
        f"Message-ID: {msgid}\r\n\r\nWhere is my order?\r\n"
    ).encode()


def _address(address: str) -> SupportAddress:
    return db.session.scalar(db.select(SupportAddress).where(SupportAddress.address == address))


# -- the namespace ---------------------------------------------------------------------------


def test_an_admin_cannot_take_another_organizations_namespace(domain, admin, other_org):
    with pytest.raises(ValidationFailed, match="cannot be added"):
        support_addresses.add_address(admin, f"support@{other_org.slug}.{DOMAIN}")


def test_an_address_in_the_own_namespace_is_verified_at_once(domain, admin, org):
    row = support_addresses.add_address(admin, f"billing@{org.slug}.{DOMAIN}")
    assert row.verified
    db.session.commit()
    assert verification_email(row.address) is None  # nothing to verify: no mail sent


def test_a_new_organization_never_loses_its_default_address_to_a_squatter(domain, org):
    # An address registered in the namespace before the organization existed (old data).
    db.session.add(SupportAddress(organization_id=org.id, address=f"support@globex.{DOMAIN}"))
    db.session.flush()
    globex = create_organization("Globex")
    assert globex.slug.startswith("globex-")  # a free slug was picked
    (default,) = db.session.scalars(
        db.select(SupportAddress).where(SupportAddress.organization_id == globex.id)
    )
    assert default.address == f"support@{globex.slug}.{DOMAIN}"
    assert default.is_default and default.verified


# -- verification ----------------------------------------------------------------------------


def test_an_outside_address_is_verified_when_its_code_comes_back_in(forward_to, admin, org):
    row = support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    assert not row.verified and row.verification_hash
    email = verification_email(ORDERS)
    assert email.body_hidden and "sd-verify-" in email.text_body
    assert "sd-verify-" not in email.subject  # lists and the mail log show subjects

    unrouted = receive_email(_mail_to(ORDERS), source="test")
    assert unrouted.decision is Decision.UNROUTED  # routes nothing while unverified
    assert list_unprocessed(org.id) == []  # and claims nothing

    back = _come_back(ORDERS, forward_to)
    assert (back.status, back.decision) == (InboundStatus.IGNORED, Decision.ADDRESS_VERIFICATION)
    assert _address(ORDERS).verified and _address(ORDERS).verification_hash is None
    routed = receive_email(_mail_to(ORDERS, "<order-2@shop.example>"), source="test")
    assert routed.decision is Decision.NEW_TICKET
    assert [m.id for m in list_unprocessed(org.id)] == [unrouted.inbound_id]  # now claimable


def test_a_code_works_once(forward_to, admin):
    support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    assert _come_back(ORDERS, forward_to).decision is Decision.ADDRESS_VERIFICATION
    assert _come_back(ORDERS, forward_to).decision is not Decision.ADDRESS_VERIFICATION


def test_a_new_code_replaces_the_old_one(forward_to, admin):
    row = support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    old = forwarded_copy(verification_email(ORDERS), delivered_to=ORDERS)
    support_addresses.resend_verification(admin, row.id)
    db.session.commit()
    stale = receive_email(old, envelope_recipients=[forward_to], source="test")
    assert stale.decision is not Decision.ADDRESS_VERIFICATION
    assert not _address(ORDERS).verified
    assert _come_back(ORDERS, forward_to).decision is Decision.ADDRESS_VERIFICATION


def test_a_code_forwarded_to_another_organization_verifies_nothing(forward_to, admin, other_org):
    """A mailbox that forwards to another organization proves nothing for this one."""
    theirs = support_addresses.create_default_address(other_org).address
    support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    assert _come_back(ORDERS, theirs).decision is not Decision.ADDRESS_VERIFICATION
    row = _address(ORDERS)
    assert not row.verified and row.verification_hash is None
    assert "send a new one" in row.verification_note


def test_another_organizations_unverified_claim_does_not_block_the_owner(
    forward_to, admin, other_org
):
    squatter = factories.UserFactory(organization=other_org, role=admin.role)
    support_addresses.add_address(squatter, ORDERS)
    row = support_addresses.add_address(admin, ORDERS)
    assert row.organization_id == admin.organization_id
    db.session.commit()
    assert _come_back(ORDERS, forward_to).decision is Decision.ADDRESS_VERIFICATION
    with pytest.raises(ValidationFailed, match="already in use"):
        support_addresses.add_address(squatter, ORDERS)  # a verified address is taken


def test_a_code_that_comes_back_without_the_address_is_withdrawn(forward_to, admin, org):
    """An auto-reply or a person answering our mail proves nothing about forwarding."""
    support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    email = verification_email(ORDERS)
    answer = (
        f"From: Bob <bob@beta.example>\r\nTo: support@{DOMAIN}\r\nSubject: Re: {email.subject}\r\n"
        f"Message-ID: <bob-1@beta.example>\r\n\r\nWhat is this?\r\n> {email.text_body}"
    ).encode()
    result = receive_email(answer, source="test")
    assert result.decision is not Decision.ADDRESS_VERIFICATION
    row = _address(ORDERS)
    assert not row.verified and row.verification_hash is None
    assert "send a new one" in row.verification_note
    assert _come_back(ORDERS, forward_to).decision is not Decision.ADDRESS_VERIFICATION


def test_an_unverified_address_cannot_be_the_default(domain, admin):
    row = support_addresses.add_address(admin, ORDERS)
    with pytest.raises(ValidationFailed, match="not verified"):
        support_addresses.make_default(admin, row.id)


def test_a_verified_address_cannot_be_verified_again(domain, admin, org):
    row = support_addresses.add_address(admin, f"sales@{org.slug}.{DOMAIN}")
    with pytest.raises(ValidationFailed, match="already verified"):
        support_addresses.resend_verification(admin, row.id)


def test_the_first_verified_address_of_an_organization_without_a_default_becomes_it(
    forward_to, admin, org
):
    db.session.execute(db.update(SupportAddress).values(is_default=False))
    support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    _come_back(ORDERS, forward_to)
    assert _address(ORDERS).is_default


def test_the_verification_email_goes_out_with_the_code_over_smtp(domain, admin, smtp, run_worker):
    support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    run_worker()
    (sent,) = [m for m in smtp.mailbox.messages if m["To"].addresses[0].addr_spec == ORDERS]
    assert "sd-verify-" in sent.get_body(("plain",)).get_content()
    assert sent["Auto-Submitted"] == "auto-generated"


def test_an_admin_sees_the_state_and_sends_a_new_code(forward_to, client, admin, org):
    from tests.fixtures.web import csrf_token, login_as

    login_as(client, admin)
    token = csrf_token(client.get("/admin/addresses"))
    added = client.post("/admin/addresses", data={"csrf_token": token, "address": ORDERS})
    page = client.get(added.location).get_data(as_text=True)
    assert "We mailed a one-time code to orders@beta.example" in page
    assert "Unverified" in page and "Send a new code" in page
    assert f"support@{org.slug}.{DOMAIN}" in page  # where to forward it
    row = _address(ORDERS)
    first = verification_email(ORDERS).id
    response = client.post(f"/admin/addresses/{row.id}/verify", data={"csrf_token": token})
    assert response.status_code == 302
    assert verification_email(ORDERS).id != first
    refused = client.post(f"/admin/addresses/{row.id}/default", data={"csrf_token": token})
    assert "not verified yet" in client.get(refused.location).get_data(as_text=True)

    _come_back(ORDERS, forward_to)
    db.session.commit()
    page = client.get("/admin/addresses").get_data(as_text=True)
    assert "Verified" in page and "Send a new code" not in page
    again = client.post(f"/admin/addresses/{row.id}/verify", data={"csrf_token": token})
    assert "already verified" in client.get(again.location).get_data(as_text=True)


def test_nobody_sees_the_code_in_a_preview(domain, client, admin):
    from tests.fixtures.web import login_as

    support_addresses.add_address(admin, ORDERS)
    db.session.commit()
    email = verification_email(ORDERS)
    login_as(client, admin)
    page = client.get(f"/admin/mail/{email.id}")
    assert page.status_code == 200 and "sd-verify-" not in page.get_data(as_text=True)
    assert client.get(f"/admin/mail/{email.id}/html").status_code == 404


def test_other_organizations_cannot_verify_or_see_an_address(domain, client, other_org, admin):
    from tests.fixtures.web import csrf_token, login_as

    row = support_addresses.add_address(admin, ORDERS)
    stranger = factories.UserFactory(organization=other_org, role=admin.role)
    db.session.commit()
    login_as(client, stranger)
    token = csrf_token(client.get("/admin/addresses"))
    client.post(f"/admin/addresses/{row.id}/verify", data={"csrf_token": token})
    assert db.session.scalar(db.select(db.func.count()).select_from(EmailMessage)) == 1
    assert ORDERS not in client.get("/admin/addresses").get_data(as_text=True)
