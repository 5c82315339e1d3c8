"""The privacy and retention pages: roles, tenancy, export request → download, erase confirmation."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from supportdesk.accounts.models import Role
from supportdesk.audit.models import AuditEntry
from supportdesk.extensions import db
from supportdesk.privacy.export import run_export
from supportdesk.privacy.models import DataExport, ExportStatus
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

PAGES = [
    pytest.param("/admin/privacy", id="privacy"),
    pytest.param("/admin/privacy/erase", id="erase"),
    pytest.param("/admin/retention", id="retention"),
    pytest.param("/admin/privacy/exports/{export}", id="export"),
    pytest.param("/admin/privacy/exports/{export}/download", id="download"),
]


@pytest.fixture
def ready_export(org, admin, customer) -> DataExport:
    row = DataExport(organization_id=org.id, customer_id=customer.id, requested_by_user_id=admin.id)
    db.session.add(row)
    db.session.commit()
    run_export(row.id)
    return row


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ["senior_agent", "agent", "viewer"])
def test_only_admins_reach_the_pages(client, request, ready_export, path, role):
    login_as(client, request.getfixturevalue(role))
    assert client.get(path.format(export=ready_export.id)).status_code == 403


@pytest.mark.parametrize("path", [p for p in PAGES if p.id in ("export", "download")])
def test_another_organization_s_export_is_not_found(client, other_org, ready_export, path):
    stranger = factories.UserFactory(organization=other_org, role=Role.ADMIN)
    login_as(client, stranger)
    assert client.get(path.format(export=ready_export.id)).status_code == 404


def test_an_admin_requests_an_export_and_downloads_the_archive(client, admin, ticket, customer):
    login_as(client, admin)
    page = client.get("/admin/privacy")
    answer = client.post(
        "/admin/privacy/exports", data={"csrf_token": csrf_token(page), "email": customer.email}
    )
    assert answer.status_code == 302
    row = db.session.scalars(db.select(DataExport)).one()
    run_export(row.id)

    shown = client.get(f"/admin/privacy/exports/{row.id}").get_data(as_text=True)
    assert "Ready" in shown and "Download" in shown
    archive = client.get(f"/admin/privacy/exports/{row.id}/download")
    assert archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        assert json.loads(z.read("profile.json"))["email"] == customer.email
        assert json.loads(z.read("tickets.json"))[0]["subject"] == ticket.subject
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"customer.export_requested", "customer.export_downloaded"} <= actions


def test_an_unknown_email_is_a_field_error(client, admin):
    login_as(client, admin)
    page = client.get("/admin/privacy")
    answer = client.post(
        "/admin/privacy/exports", data={"csrf_token": csrf_token(page), "email": "no@one.example"}
    )
    assert answer.status_code == 404 and "No customer has that" in answer.get_data(as_text=True)


def test_a_queued_export_cannot_be_downloaded(client, org, admin, customer):
    row = DataExport(organization_id=org.id, customer_id=customer.id, status=ExportStatus.QUEUED)
    db.session.add(row)
    db.session.commit()
    login_as(client, admin)
    assert client.get(f"/admin/privacy/exports/{row.id}/download").status_code == 302


@pytest.mark.parametrize(
    ("typed", "status"),
    [pytest.param("wrong@example.com", 422, id="wrong"), pytest.param(None, 302, id="right")],
)
def test_erasure_asks_for_the_email_typed_again(client, admin, customer, typed, status):
    login_as(client, admin)
    page = client.get(f"/admin/privacy/erase?email={customer.email}")
    assert customer.email in page.get_data(as_text=True)
    answer = client.post(
        "/admin/privacy/erase",
        data={
            "csrf_token": csrf_token(page),
            "email": customer.email,
            "confirmation": typed or customer.email.upper(),
        },
    )
    assert answer.status_code == status
    db.session.expire_all()
    assert customer.email.endswith("erased.invalid") is (status == 302)


def test_another_organization_s_customer_cannot_be_erased(client, admin, other_org):
    stranger = factories.CustomerFactory(organization=other_org)
    login_as(client, admin)
    page = client.get("/admin/privacy/erase")
    answer = client.post(
        "/admin/privacy/erase",
        data={
            "csrf_token": csrf_token(page),
            "email": stranger.email,
            "confirmation": stranger.email,
        },
    )
    assert answer.status_code == 404
    db.session.expire_all()
    assert not stranger.email.endswith("erased.invalid")


def test_another_organization_s_customer_cannot_be_exported(client, admin, other_org):
    stranger = factories.CustomerFactory(organization=other_org)
    login_as(client, admin)
    page = client.get("/admin/privacy")
    answer = client.post(
        "/admin/privacy/exports", data={"csrf_token": csrf_token(page), "email": stranger.email}
    )
    assert answer.status_code == 404
    assert db.session.scalars(db.select(DataExport)).all() == []
