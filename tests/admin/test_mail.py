"""Admin pages for inbound mail: support addresses, the unprocessed list and the mail log."""

from __future__ import annotations

import pytest

from supportdesk.accounts.service import create_organization
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.mail.inbound.models import InboundEmail, InboundStatus, SupportAddress
from supportdesk.mail.inbound.service import receive_email
from tests.fixtures.mail import SUPPORT
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_a_new_organization_gets_a_default_address(app):
    org = create_organization("Globex Corp")
    (address,) = db.session.scalars(
        db.select(SupportAddress).where(SupportAddress.organization_id == org.id)
    )
    assert address.address == f"support@globex-corp.{app.config['MAIL_DOMAIN']}"
    assert address.is_default


def test_an_admin_adds_makes_default_and_removes_addresses(
    app, client, admin, mail_world, mail_config
):
    mail_config(MAIL_DOMAIN="help.example.com")  # .localhost addresses fail email validation
    login_as(client, admin)
    token = csrf_token(client.get("/admin/addresses"))
    own = f"Sales@{mail_world.org.slug}.{app.config['MAIL_DOMAIN']}"
    response = client.post("/admin/addresses", data={"csrf_token": token, "address": own})
    assert response.status_code == 302
    row = db.session.scalar(db.select(SupportAddress).where(SupportAddress.address == own.lower()))
    assert row is not None and not row.is_default and row.verified  # its own namespace

    client.post(f"/admin/addresses/{row.id}/default", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(SupportAddress, row.id).is_default
    refused = client.post(f"/admin/addresses/{row.id}/delete", data={"csrf_token": token})
    assert "cannot be removed" in client.get(refused.location).get_data(as_text=True)

    old_id = db.session.scalar(
        db.select(SupportAddress.id).where(SupportAddress.address == SUPPORT)
    )
    client.post(f"/admin/addresses/{old_id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(SupportAddress, old_id) is None


@pytest.mark.parametrize(
    ("address", "message"),
    [
        pytest.param(SUPPORT, "already routes mail", id="taken"),
        pytest.param("not-an-address", "Invalid email address", id="malformed"),
        pytest.param("support@help.example.com", "you can only add", id="bare-mail-domain"),
        pytest.param("help@beta.help.example.com", "you can only add", id="other-namespace"),
        pytest.param("x@a.b.help.example.com", "you can only add", id="deeper-subdomain"),
        pytest.param("desk@mail-from.example", "own sender address", id="our-sender"),
    ],
)
def test_bad_addresses_are_refused(client, admin, mail_world, mail_config, address, message):
    mail_config(MAIL_DOMAIN="help.example.com", MAIL_FROM="desk@mail-from.example")
    login_as(client, admin)
    token = csrf_token(client.get("/admin/addresses"))
    response = client.post("/admin/addresses", data={"csrf_token": token, "address": address})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_agents_cannot_manage_mail(client, agent):
    login_as(client, agent)
    assert client.get("/admin/addresses").status_code == 403
    assert client.get("/admin/unprocessed").status_code == 403
    assert "/admin/addresses" not in client.get("/").get_data(as_text=True)


def test_unrouted_mail_appears_once_the_address_is_ours_and_retry_opens_a_ticket(
    client, admin, mail_world
):
    result = receive_email(mail_world.load("unknown_address.eml"), source="test")
    db.session.commit()
    login_as(client, admin)
    assert "Pricing" not in client.get("/admin/unprocessed").get_data(as_text=True)
    assert client.get(f"/admin/inbound/{result.inbound_id}").status_code == 404

    db.session.add(
        SupportAddress(
            organization_id=mail_world.org.id, address="sales@unknown.example", verified_at=utcnow()
        )
    )
    db.session.commit()
    listing = client.get("/admin/unprocessed")
    assert "Pricing" in listing.get_data(as_text=True)
    page = client.get(f"/admin/inbound/{result.inbound_id}")
    assert "Hello? Is this the sales team?" in page.get_data(as_text=True)
    response = client.post(
        f"/admin/inbound/{result.inbound_id}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302 and "/tickets/" in response.location
    assert db.session.get(InboundEmail, result.inbound_id).status is InboundStatus.PROCESSED


def test_retrying_mail_that_is_still_unreadable_keeps_it(client, admin, mail_world):
    result = receive_email(
        mail_world.load("garbage.eml"), envelope_recipients=[SUPPORT], source="test"
    )
    db.session.commit()
    login_as(client, admin)
    page = client.get(f"/admin/inbound/{result.inbound_id}")
    response = client.post(
        f"/admin/inbound/{result.inbound_id}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert response.location.endswith("/admin/unprocessed")
    again = client.post(
        f"/admin/inbound/{result.inbound_id}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert again.status_code == 302


def test_an_admin_deletes_kept_mail(client, admin, mail_world):
    result = receive_email(
        mail_world.load("garbage.eml"), envelope_recipients=[SUPPORT], source="test"
    )
    db.session.commit()
    login_as(client, admin)
    page = client.get("/admin/unprocessed")
    assert "Could not be read" in page.get_data(as_text=True)
    client.post(f"/admin/inbound/{result.inbound_id}/delete", data={"csrf_token": csrf_token(page)})
    assert db.session.get(InboundEmail, result.inbound_id) is None


@pytest.mark.parametrize(
    ("corpus", "status"),
    [
        pytest.param("text_only.eml", InboundStatus.PROCESSED, id="processed"),
        pytest.param("out_of_office.eml", InboundStatus.IGNORED, id="auto-reply"),
        pytest.param("bounce_dsn.eml", InboundStatus.IGNORED, id="bounce"),
    ],
)
def test_only_unprocessed_mail_can_be_deleted_and_the_original_is_kept(
    client, admin, mail_world, corpus, status
):
    raw = mail_world.load(corpus)
    result = receive_email(raw, source="test")
    assert result.status is status
    db.session.commit()
    login_as(client, admin)
    page = client.get(f"/admin/inbound/{result.inbound_id}")
    assert ">Delete</button>" not in page.get_data(as_text=True)
    response = client.post(
        f"/admin/inbound/{result.inbound_id}/delete", data={"csrf_token": csrf_token(page)}
    )
    assert "Only unprocessed mail can be deleted" in client.get(response.location).get_data(
        as_text=True
    )
    db.session.expire_all()
    row = db.session.scalar(
        db.select(InboundEmail)
        .where(InboundEmail.id == result.inbound_id)
        .options(db.undefer(InboundEmail.raw))
    )
    assert row is not None and row.raw == raw


def test_retry_refuses_processed_mail(client, admin, mail_world):
    result = receive_email(mail_world.load("text_only.eml"), source="test")
    db.session.commit()
    login_as(client, admin)
    token = csrf_token(client.get("/admin/addresses"))
    response = client.post(f"/admin/inbound/{result.inbound_id}/retry", data={"csrf_token": token})
    assert response.location.endswith(f"/admin/inbound/{result.inbound_id}")


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        pytest.param("", ["Export to CSV", "Out of office"], [], id="all"),
        pytest.param("?status=ignored", ["Out of office"], ["Export to CSV"], id="ignored"),
        pytest.param("?status=bogus", ["Export to CSV", "Out of office"], [], id="unknown-filter"),
    ],
)
def test_the_mail_log_lists_the_organizations_mail(client, admin, mail_world, query, shown, hidden):
    for name in ("text_only.eml", "out_of_office.eml"):
        receive_email(mail_world.load(name), source="test")
    db.session.commit()
    login_as(client, admin)
    page = client.get("/admin/inbound" + query).get_data(as_text=True)
    assert all(s in page for s in shown) and not any(h in page for h in hidden)
