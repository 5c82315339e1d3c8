"""Exports of messages, ticket history and customers on real Redis, run by an RQ worker: each
kind and format parsed back, progress in batches, formulas neutralized, tenancy, who may ask,
and the notification (bell and email) when an export completes or fails."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.attachments.service import Upload
from supportdesk.customers.models import Tier
from supportdesk.db import utcnow
from supportdesk.exports import service
from supportdesk.exports.models import ExportStatus
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EXPORT_FINISHED, EmailMessage
from supportdesk.notifications import preferences
from supportdesk.notifications.models import AgentNotification, NotificationKind
from supportdesk.notifications.preferences import Choice
from supportdesk.sessions.models import AgentSession
from supportdesk.storage import storage
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority, Status
from tests.exports.helpers import parsed, reload, run, work
from tests.factories import CustomerFactory, OrganizationFactory, make_staff, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def desk(app, monkeypatch):
    """Two tickets with a conversation (a reply with a file, a note with a formula), a third
    customer without tickets, and another organization with look-alike rows."""
    monkeypatch.setattr(service, "BATCH", 2)
    staff = make_staff()
    vip = CustomerFactory(
        organization=staff.org,
        email="ada@acme.example",
        name="Ada",
        company="=Acme",
        tier=Tier.PREMIUM,
        external_ids={"billing": "B-1"},
    )
    vip.crm_id = "hs-42"
    first = make_ticket(staff.org, customer=vip, subject="Invoice", priority=Priority.HIGH)
    tickets.reply(
        staff.agent, first, "Here is the invoice.", [Upload("invoice.pdf", "application/pdf", b"x")]
    )
    tickets.add_note(staff.agent, first, "+1 refund it")
    tickets.change_status(staff.agent, first, Status.PENDING)
    second = make_ticket(
        staff.org, customer_email="login@example.com", subject="Login", body="I cannot sign in."
    )
    CustomerFactory(organization=staff.org, email="quiet@example.com")
    other = OrganizationFactory()
    make_ticket(other, subject="Other org", body="Another organization's secret")
    CustomerFactory(organization=other, email="secret@other.example")
    db.session.commit()
    # Plain values: the worker ends its job with a fresh session, detaching these rows.
    staff.numbers = (first.number, second.number)
    staff.second_email = "login@example.com"
    staff.agent_id, staff.agent_email, staff.agent_name = (
        staff.agent.id,
        staff.agent.email,
        staff.agent.name,
    )
    staff.admin_id = staff.admin.id
    return staff


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_messages_export_holds_each_message_of_the_filter(app, desk, fmt):
    done = run(app, desk.agent, "messages", fmt, excel_bom=fmt == "csv")
    assert (done.status, done.rows, done.total) == (ExportStatus.COMPLETED, 4, 4)
    rows = parsed(done)
    ids = [int(r["message_id"]) for r in rows]  # a CSV holds text: "99" sorts after "100"
    assert ids == sorted(ids)
    by_body = {r["body_text"]: r for r in rows}
    assert "Another organization's secret" not in by_body
    reply = by_body["Here is the invoice."]
    assert str(reply["ticket_number"]) == str(desk.numbers[0])
    assert (reply["visibility"], reply["author_kind"], reply["author_name"]) == (
        "public",
        "agent",
        desk.agent_name,
    )
    assert reply["attachments"] == "invoice.pdf"
    note = by_body["'+1 refund it" if fmt == "csv" else "+1 refund it"]
    assert note["visibility"] == "internal"
    opening = by_body["I cannot sign in."]
    assert opening["author_kind"] == "customer"
    assert opening["author_email"] == desk.second_email


def test_a_messages_export_takes_the_queue_filter(app, desk):
    done = run(app, desk.agent, "messages", "jsonl", {"queue": "all", "priority": "high"})
    assert {r["ticket_number"] for r in parsed(done)} == {desk.numbers[0]}
    assert done.rows == 3


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_history_export_holds_the_event_log_readably(app, desk, fmt):
    done = run(app, desk.agent, "history", fmt)
    rows = parsed(done)
    assert done.rows == done.total == len(rows)
    status = next(r for r in rows if r["event"] == "status")
    assert (status["before"], status["after"]) == ("Open", "Pending")
    assert (status["actor_kind"], status["actor"]) == ("agent", desk.agent_name)
    assert {r["event"] for r in rows} >= {"created", "replied", "noted", "status"}
    assert {str(r["ticket_number"]) for r in rows} == {str(n) for n in desk.numbers}
    details = [r["details"] for r in rows]
    if fmt == "csv":  # structured details are JSON text in a cell
        assert all(json.loads(d) is not None for d in details if d)
    else:
        assert all(isinstance(d, dict) for d in details)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_customers_export_holds_every_customer_with_ticket_counts(app, desk, fmt):
    done = run(app, desk.senior_agent, "customers", fmt)
    rows = {r["email"]: r for r in parsed(done)}
    assert "secret@other.example" not in rows
    ada = rows["ada@acme.example"]
    assert str(ada["tickets"]) == "1" and str(rows["quiet@example.com"]["tickets"]) == "0"
    assert (ada["tier"], ada["crm_id"]) == ("premium", "hs-42")
    if fmt == "csv":
        assert ada["company"] == "'=Acme"
        assert json.loads(ada["external_ids"]) == {"billing": "B-1"}
    else:
        assert ada["company"] == "=Acme"
        assert ada["external_ids"] == {"billing": "B-1"}
    assert done.parameters == {}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        pytest.param("viewer", False, id="viewer"),
        pytest.param("agent", False, id="agent"),
        pytest.param("senior_agent", True, id="lead"),
        pytest.param("admin", True, id="admin"),
    ],
)
def test_only_leads_and_admins_export_customers(app, desk, role, allowed):
    from supportdesk.accounts.models import Role

    user = desk.by_role(Role(role))
    if allowed:
        assert service.request_export(user, "customers", "csv", {}).kind == "customers"
    else:
        with pytest.raises(PermissionDenied):
            service.request_export(user, "customers", "csv", {})
    assert service.request_export(user, "messages", "csv", {}).kind == "messages"


@pytest.mark.parametrize("kind", ["tickets", "messages", "history", "customers"])
def test_no_export_holds_another_organization_s_rows(app, desk, kind):
    outsider = make_staff(OrganizationFactory())
    make_ticket(outsider.org, subject="Outsider's own")
    db.session.commit()
    done = run(app, outsider.admin, kind, "jsonl")
    text = storage().read(done.storage_key).decode()
    for secret in ("Invoice", "ada@acme.example", "invoice.pdf", "Another organization"):
        assert secret not in text
    assert done.rows >= 1


def test_progress_is_committed_after_every_batch(app, desk, monkeypatch):
    seen = []
    real = service._progress

    def watch(export_id, rows, total=None):
        seen.append(rows)
        real(export_id, rows, total)

    monkeypatch.setattr(service, "_progress", watch)
    done = run(app, desk.agent, "messages", "csv")
    assert seen == [0, 2, 4] and done.percent == 100


def _notifications(user_id: int) -> list[AgentNotification]:
    return list(
        db.session.scalars(
            sa.select(AgentNotification).where(
                AgentNotification.user_id == user_id,
                AgentNotification.kind == NotificationKind.EXPORT_FINISHED,
            )
        )
    )


def _export_mail(address: str) -> list[EmailMessage]:
    return list(
        db.session.scalars(
            sa.select(EmailMessage).where(
                EmailMessage.kind == EXPORT_FINISHED, EmailMessage.to_address == address
            )
        )
    )


def _seen(user, minutes_ago: int) -> None:
    db.session.add(
        AgentSession(
            organization_id=user.organization_id,
            user_id=user.id,
            token_hash=f"{user.id:064d}",
            last_seen_at=utcnow() - dt.timedelta(minutes=minutes_ago),
        )
    )
    db.session.commit()


def test_the_requester_is_told_in_the_console_and_not_mailed_while_active(app, desk):
    _seen(desk.agent, minutes_ago=1)
    done = run(app, desk.agent, "messages", "csv")
    [note] = _notifications(desk.agent_id)
    assert (note.export_id, note.ticket_id) == (done.id, None)
    assert note.text == f"Your messages export (#{done.id}) is ready to download: 4 rows."
    assert _export_mail(desk.agent_email) == []
    assert _notifications(desk.admin_id) == []


def test_an_away_requester_is_mailed_the_download_link(app, desk):
    _seen(desk.agent, minutes_ago=30)
    done = run(app, desk.agent, "history", "jsonl")
    [mail] = _export_mail(desk.agent_email)
    assert f"/exports/{done.id}/download" in mail.text_body
    assert "Your export is ready" in mail.subject
    assert len(_notifications(desk.agent_id)) == 1


@pytest.mark.parametrize(
    ("fail", "subject", "said", "english"),
    [
        pytest.param(
            False,
            "Ihr Export ist fertig: Ticketverlauf (#{id})",
            "Der angeforderte Export „Ticketverlauf“ wurde am",
            "ticket history",
            id="ready",
        ),
        pytest.param(
            True,
            "Ihr Export ist fehlgeschlagen: Ticketverlauf (#{id})",
            "Fordern Sie ihn erneut an; schlägt er wieder fehl, sagen Sie es einem Admin.",
            "Ask for it again",
            id="failed",
        ),
    ],
)
def test_a_german_agent_is_mailed_in_german_with_the_kind_translated(
    app, desk, monkeypatch, fail, subject, said, english
):
    desk.agent.language = "de"
    db.session.commit()
    if fail:
        monkeypatch.setattr(storage().__class__, "put", lambda *a, **k: 1 / 0)
    done = run(app, desk.agent, "history", "csv")
    [mail] = _export_mail(desk.agent_email)
    assert mail.subject == subject.format(id=done.id)
    for body in (mail.text_body, mail.html_body):
        assert said in body
        assert english not in body


def test_a_requester_who_wants_no_export_email_gets_none(app, desk):
    preferences.save(desk.agent, {NotificationKind.EXPORT_FINISHED: Choice(True, False)})
    db.session.commit()
    run(app, desk.agent, "messages", "csv")
    assert _export_mail(desk.agent_email) == []
    assert len(_notifications(desk.agent_id)) == 1


def test_a_failed_export_is_announced_with_its_reason(app, desk, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("the file storage is full")

    monkeypatch.setattr(storage().__class__, "put", broken)
    done = run(app, desk.agent, "messages", "csv")
    assert (done.status, done.error) == (ExportStatus.FAILED, "the file storage is full")
    [note] = _notifications(desk.agent_id)
    assert note.text == (
        f"Your messages export (#{done.id}) failed: The file storage is full. "
        "Ask for it again; if it fails again, tell an admin."
    )
    [mail] = _export_mail(desk.agent_email)  # no session: away
    assert "Why: The file storage is full." in mail.text_body
    assert f"/exports/{done.id}" in mail.text_body


def test_a_cancelled_export_is_not_announced(app, desk, monkeypatch):
    export = service.request_export(desk.agent, "messages", "csv", {"queue": "all"})
    db.session.commit()
    export_id, agent_id = export.id, desk.agent.id
    real = service._progress

    def cancel_midway(export_id, rows, total=None):
        if rows == 2:
            from supportdesk.accounts.models import User

            service.cancel_export(db.session.get(User, agent_id), export_id)
            db.session.commit()
        real(export_id, rows, total)

    monkeypatch.setattr(service, "_progress", cancel_midway)
    work(app)
    assert reload(export_id).status is ExportStatus.CANCELLED
    assert _notifications(agent_id) == []
