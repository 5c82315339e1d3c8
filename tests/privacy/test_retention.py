"""Retention: preview matches the run, each rule removes only what is due, runs are audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from supportdesk.attachments.models import Attachment
from supportdesk.audit.models import AuditEntry
from supportdesk.db import utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.jobs.schedule import PERIODIC
from supportdesk.mail.inbound.models import InboundEmail
from supportdesk.privacy import retention
from supportdesk.privacy.erase import ERASED_SUBJECT
from supportdesk.privacy.models import RetentionPolicy
from supportdesk.tickets.deletions import TicketDeletion
from supportdesk.tickets.models import Message, Status, Ticket
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

POLICY = {"closed_ticket_days": 30, "inbound_mail_days": 10, "export_days": 7}


def _closed(org, days_ago: int) -> Ticket:
    ticket = factories.make_ticket(org, status=Status.CLOSED, subject=f"Old {days_ago}")
    ticket.closed_at = utcnow() - dt.timedelta(days=days_ago)
    db.session.flush()
    return ticket


@pytest.mark.parametrize("action", ["delete", "anonymize"])
def test_closed_tickets_past_their_age_go_and_younger_ones_stay(org, admin, action):
    old, young = _closed(org, 40), _closed(org, 20)
    policy = retention.save_policy(
        admin, {**POLICY, "enabled": True, "closed_ticket_action": action}
    )
    rules = retention.preview(policy)
    assert rules[0].count == 1 and "Old 40" in rules[0].sample[0]

    counts = retention.apply_policy(policy)

    assert counts["tickets"] == 1
    db.session.expire_all()
    assert db.session.get(Ticket, young.id).subject == "Old 20"
    if action == "delete":
        assert db.session.get(Ticket, old.id) is None
        assert db.session.scalars(db.select(TicketDeletion.reason)).one().startswith("Retention")
    else:
        kept = db.session.get(Ticket, old.id)
        assert kept.subject == ERASED_SUBJECT and kept.status is Status.CLOSED
        body = db.session.scalars(db.select(Message.body_text).where(Message.ticket_id == old.id))
        assert set(body) == {"[erased]"}
    assert retention.preview(policy)[0].count == 0


def test_raw_mail_past_its_age_is_purged_and_the_row_stays(org, admin):
    def mail(days):
        row = InboundEmail(
            organization_id=org.id, source="http", size=5, raw=b"From: a\n\nhello",
            status="processed", decision="new_ticket",
            received_at=utcnow() - dt.timedelta(days=days),
        )  # fmt: skip
        db.session.add(row)
        return row

    old, young = mail(11), mail(9)
    db.session.flush()
    policy = retention.save_policy(admin, {**POLICY, "enabled": True})
    assert retention.preview(policy)[1].count == 1

    retention.apply_policy(policy)

    db.session.expire_all()
    assert db.session.get(InboundEmail, old.id).raw == b""
    assert db.session.get(InboundEmail, young.id).raw != b""


def test_files_of_removed_exports_and_tickets_go_after_the_commit(app, org, admin, agent, customer):
    from supportdesk.attachments.service import Upload
    from supportdesk.privacy.models import DataExport, ExportStatus
    from supportdesk.storage import storage
    from supportdesk.tickets import service as tickets
    from tests.privacy.conftest import run_jobs

    def export(days: int, content: bytes) -> str:
        key = storage().put(io.BytesIO(content))
        db.session.add(
            DataExport(
                organization_id=org.id, customer_id=customer.id, requested_by_user_id=admin.id,
                status=ExportStatus.READY, storage_key=key,
                created_at=utcnow() - dt.timedelta(days=days),
            )
        )  # fmt: skip
        return key

    old_key, young_key = export(8, b"old archive"), export(6, b"young archive")
    ticket = _closed(org, 40)
    tickets.reply(agent, ticket, "Here", [Upload("a.pdf", "application/pdf", b"%PDF-retention")])
    policy = retention.save_policy(
        admin, {**POLICY, "enabled": True, "closed_ticket_action": "delete"}
    )
    db.session.commit()
    [pdf_key] = db.session.scalars(db.select(Attachment.storage_key)).all()
    org_id = org.id

    retention.apply_policy(policy)
    db.session.rollback()  # a run that did not commit removes no file
    run_jobs(app)
    assert all(storage().exists(k) for k in (old_key, young_key, pdf_key))

    policy = db.session.get(RetentionPolicy, org_id)
    counts = retention.apply_policy(policy)
    db.session.commit()
    assert (counts["exports"], counts["tickets"]) == (1, 1)
    assert storage().exists(old_key) and storage().exists(pdf_key)  # not before the commit
    run_jobs(app)

    assert not storage().exists(old_key) and not storage().exists(pdf_key)
    assert storage().exists(young_key)


def test_only_enabled_policies_run_and_each_run_is_audited(org, admin, other_org):
    _closed(org, 40)
    _closed(other_org, 40)
    retention.save_policy(admin, {**POLICY, "enabled": True, "closed_ticket_action": "delete"})
    db.session.commit()

    assert retention.apply_all()["tickets"] == 1
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "retention.applied")
    ).one()
    assert entry.organization_id == org.id and entry.after["tickets"] == 1


def test_the_scheduler_runs_retention_hourly():
    assert ("supportdesk.jobs.privacy.apply_retention", "default", 3600) in PERIODIC


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param({"closed_ticket_days": 0}, "closed_ticket_days", id="zero-days"),
        pytest.param({"export_days": "x"}, "export_days", id="not-a-number"),
        pytest.param({"inbound_mail_days": 99999}, "inbound_mail_days", id="too-long"),
        pytest.param({"closed_ticket_action": "burn"}, "closed_ticket_action", id="action"),
    ],
)
def test_bad_values_are_field_errors(admin, values, field):
    with pytest.raises(ValidationFailed) as refused:
        retention.save_policy(admin, {**POLICY, **values})
    assert field in refused.value.fields


def test_the_preview_button_shows_counts_and_saves_nothing(client, org, admin):
    _closed(org, 40)
    db.session.commit()
    login_as(client, admin)
    page = client.get("/admin/retention")
    html = client.post(
        "/admin/retention",
        data={
            "csrf_token": csrf_token(page), "closed_ticket_action": "delete",
            "closed_ticket_days": "30", "export_days": "7", "preview": "1",
        },
    ).get_data(as_text=True)  # fmt: skip
    assert "Preview of these values" in html and "Old 40" in html
    assert retention.policy_for(org.id).closed_ticket_action.value == "off"
    assert not db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "retention.updated")
    ).all()


def test_the_page_previews_and_saves_the_admin_s_own_organization_only(
    client, org, admin, other_org
):
    _closed(other_org, 45)
    db.session.commit()
    login_as(client, admin)
    form = {
        "closed_ticket_action": "delete", "closed_ticket_days": "30", "inbound_mail_days": "",
        "export_days": "7",
    }  # fmt: skip
    page = client.get("/admin/retention")
    preview = client.post(
        "/admin/retention", data={"csrf_token": csrf_token(page), **form, "preview": "1"}
    ).get_data(as_text=True)
    assert "Old 45" not in preview

    client.post("/admin/retention", data={"csrf_token": csrf_token(page), **form, "save": "1"})

    assert retention.policy_for(org.id).closed_ticket_action.value == "delete"
    assert retention.policy_for(other_org.id).closed_ticket_action.value == "off"
    assert db.session.get(RetentionPolicy, other_org.id) is None
