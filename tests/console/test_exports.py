"""Export pages: ask from a queue, follow the job, download once (audited), and who may."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa

from supportdesk.audit.models import AuditEntry
from supportdesk.db import utcnow
from supportdesk.exports.models import Export
from supportdesk.extensions import db
from supportdesk.tickets.models import Priority
from tests.exports.helpers import work
from tests.factories import OrganizationFactory, make_staff, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


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
    work(app)
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


def test_the_search_page_exports_the_tickets_it_finds(app, client, staff):
    make_ticket(staff.org, subject="Refund asked", priority=Priority.HIGH)
    make_ticket(staff.org, subject="Second refund", priority=Priority.HIGH)
    make_ticket(staff.org, subject="Refund, low", priority=Priority.LOW)
    db.session.commit()
    login_as(client, staff.agent)
    page = client.get("/search?q=refund&priority=high&page=1").get_data(as_text=True)
    found = {int(n) for n in re.findall(r'href="/tickets/(\d+)"><span class="ticket-number"', page)}
    assert len(found) == 2
    form = re.search(r'<form class="export-form.*?</form>', page, re.S).group(0)
    assert "Export these results" in form
    asked = html.unescape(re.search(r'name="parameters" value="([^"]*)"', form).group(1))
    assert asked == "q=refund&priority=high"  # every page of the results, not page 1
    response = client.post(
        "/exports",
        data={
            "csrf_token": csrf_token(page),
            "kind": "tickets",
            "format": "csv",
            "parameters": asked,
        },
    )
    export_id = int(response.headers["Location"].rsplit("/", 1)[1])
    work(app)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/exports/{export_id}/download").get_data(as_text=True))
        )
    )
    assert {int(r["number"]) for r in rows} == found
    listed = client.get("/exports").get_data(as_text=True)
    assert "Search “refund”" in listed and "priority: high" in listed


def test_the_search_page_offers_no_export_without_results(client, staff):
    login_as(client, staff.agent)
    assert "export-form" not in client.get("/search?q=nothinglikethis").get_data(as_text=True)
    assert "export-form" not in client.get("/search").get_data(as_text=True)


def test_a_running_export_can_be_cancelled(app, client, staff):
    login_as(client, staff.agent)
    export_id = _ask(client)
    page = client.get(f"/exports/{export_id}")
    client.post(f"/exports/{export_id}/cancel", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.get(Export, export_id).status.value == "cancelled"
    work(app)  # the job finds it cancelled and writes nothing
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


def _finished(app, client, staff) -> int:
    """An export the agent asked for, made by the worker (it notifies the agent)."""
    login_as(client, staff.agent)
    export_id = _ask(client)
    work(app)
    return export_id


def _expire(export_id: int) -> None:
    db.session.expire_all()
    export = db.session.get(Export, export_id)
    export.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    [pytest.param("/notifications", id="page"), pytest.param("/notifications?menu=1", id="bell")],
)
def test_an_expired_export_s_notification_says_expired_instead_of_download(app, client, staff, url):
    export_id = _finished(app, client, staff)
    download = f'href="/exports/{export_id}/download"'
    assert download in client.get(url).get_data(as_text=True)
    _expire(export_id)
    page = client.get(url).get_data(as_text=True)
    assert download not in page
    assert '<span class="badge export-expired"' in page and ">Expired</span>" in page


def test_the_download_of_an_expired_export_answers_410_with_its_page(app, client, staff):
    export_id = _finished(app, client, staff)
    _expire(export_id)
    response = client.get(f"/exports/{export_id}/download")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This export's file has expired: files are kept for 7 days." in page
    assert "Export again" in page and "data-refresh-seconds" not in page
    again = client.post(
        "/exports",
        data={
            "csrf_token": csrf_token(page),
            "kind": "tickets",
            "format": "csv",
            "parameters": re.search(r'name="parameters" value="([^"]*)"', page).group(1),
        },
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Export, export_id + 1).parameters == {"queue": "all"}


def test_a_german_agent_reads_the_export_notification_and_pages_in_german(app, client, staff):
    staff.agent.language = "de"
    db.session.commit()
    export_id = _finished(app, client, staff)
    bell = client.get("/notifications?menu=1").get_data(as_text=True)
    assert f"Ihr Export „Tickets“ (#{export_id}) kann heruntergeladen werden: 2 Zeilen." in bell
    assert "Export fertig" in bell and "ready to download" not in bell
    listed = client.get("/exports").get_data(as_text=True)
    assert ">Fertig</span>" in listed and ">Completed<" not in listed
    shown = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert "Tickets als CSV" in shown
    assert ">Completed<" not in shown
    _expire(export_id)
    assert ">Abgelaufen</span>" in client.get("/notifications").get_data(as_text=True)
