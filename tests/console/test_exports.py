"""Export pages: ask from a queue, follow the job, download once (audited), and who may."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from rq import Queue, SimpleWorker

from supportdesk.audit.models import AuditEntry
from supportdesk.exports.models import Export
from supportdesk.extensions import db
from tests.factories import OrganizationFactory, make_staff, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _work(app) -> None:
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


@pytest.fixture
def staff(app):
    staff = make_staff()
    make_ticket(staff.org, subject="Printer on fire")
    make_ticket(staff.org, subject="@SUM(1)")
    db.session.commit()
    return staff


def _ask(client, query: str = "queue=all") -> int:
    page = client.get(f"/?{query}")
    response = client.post(
        "/exports",
        data={
            "csrf_token": csrf_token(page),
            "kind": "tickets",
            "format": "csv",
            "parameters": query,
        },
    )
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_agent_exports_a_queue_and_downloads_it_once_ready(app, client, staff):
    login_as(client, staff.agent)
    export_id = _ask(client)
    assert client.get(f"/exports/{export_id}/download").status_code == 410
    assert "Cancel export" in client.get(f"/exports/{export_id}").get_data(as_text=True)
    _work(app)
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "Download tickets-export" in page
    response = client.get(f"/exports/{export_id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["subject"] for r in rows) == ["'@SUM(1)", "Printer on fire"]
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.target_id == export_id)
    ).all()
    assert sorted(actions) == ["export.downloaded", "export.requested"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("admin", 200, id="admin-any"),
        pytest.param("senior_agent", 403, id="other-agent"),
        pytest.param("outsider", 404, id="other-organization"),
    ],
)
def test_only_the_requester_and_admins_see_an_export(app, client, staff, who, status):
    login_as(client, staff.agent)
    export_id = _ask(client)
    user = make_staff(OrganizationFactory()).admin if who == "outsider" else getattr(staff, who)
    db.session.commit()
    login_as(client, user)
    assert client.get(f"/exports/{export_id}").status_code == status


def test_a_running_export_can_be_cancelled(app, client, staff):
    login_as(client, staff.agent)
    export_id = _ask(client)
    page = client.get(f"/exports/{export_id}")
    client.post(f"/exports/{export_id}/cancel", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.get(Export, export_id).status.value == "cancelled"
    _work(app)  # the job finds it cancelled and writes nothing
    db.session.expire_all()
    assert db.session.get(Export, export_id).storage_key is None


def test_an_unknown_format_is_refused_with_a_message(client, staff):
    login_as(client, staff.agent)
    page = client.get("/")
    response = client.post(
        "/exports",
        data={
            "csrf_token": csrf_token(page),
            "kind": "tickets",
            "format": "xlsx",
            "parameters": "",
        },
        follow_redirects=True,
    )
    assert "This export cannot be made." in response.get_data(as_text=True)
