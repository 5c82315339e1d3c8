"""Deleting a ticket: its rows go, a `ticket_deletions` row stays (who, when, why, what it was),
and the deletion is published for webhooks in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.deletions import TicketDeletion, list_deletions
from supportdesk.tickets.errors import StaleTicket
from supportdesk.tickets.models import Message, Status, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.integration


def _count(model, **where) -> int:
    query = db.select(db.func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_a_deleted_ticket_leaves_a_record_that_outlives_its_history(org, admin, agent, customer):
    ticket = make_ticket(org, customer=customer, assignee=agent, tags=["spam", "Bulk"])
    service.reply(agent, ticket, "Is this real?")
    service.change_status(agent, ticket, Status.PENDING)
    db.session.commit()
    ticket_id, number, version = ticket.id, ticket.number, ticket.version

    deletion = service.delete_ticket(admin, ticket, expected_version=version, reason="  Spam  run ")
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Ticket, ticket_id) is None
    assert _count(TicketEvent, ticket_id=ticket_id) == 0
    assert _count(Message, ticket_id=ticket_id) == 0
    kept = db.session.get(TicketDeletion, deletion.id)
    assert (kept.ticket_id, kept.number, kept.status, kept.ticket_version) == (
        ticket_id,
        number,
        "pending",
        version,
    )
    assert (kept.customer_id, kept.customer_email) == (customer.id, customer.email)
    assert kept.message_count == 2
    assert kept.details == {"tags": ["bulk", "spam"], "assignee_id": agent.id, "team_id": None}
    assert (kept.deleted_by_user_id, kept.reason) == (admin.id, "Spam run")
    assert kept.ticket_created_at == ticket.created_at


def test_a_stale_delete_deletes_nothing_and_records_nothing(org, admin):
    ticket = make_ticket(org)
    db.session.commit()

    with pytest.raises(StaleTicket):
        service.delete_ticket(admin, ticket, expected_version=ticket.version + 1)

    db.session.rollback()
    assert db.session.get(Ticket, ticket.id) is not None
    assert _count(TicketDeletion) == 0


def test_a_reason_longer_than_the_column_is_refused(org, admin):
    ticket = make_ticket(org)

    with pytest.raises(ValidationFailed) as raised:
        service.delete_ticket(admin, ticket, reason="x" * 501)

    assert list(raised.value.fields) == ["reason"]


def test_deletions_are_listed_newest_first_within_the_organization(org, other_org, admin):
    first, second = make_ticket(org), make_ticket(org)
    make_ticket(other_org)
    db.session.commit()
    older = service.delete_ticket(admin, first)
    older.deleted_at -= dt.timedelta(minutes=5)
    newer = service.delete_ticket(admin, second)
    db.session.commit()

    listed = list_deletions(org.id)

    assert [d.id for d in listed] == [newer.id, older.id]
    assert listed[0].deleted_by.name == admin.name
    assert list_deletions(other_org.id) == []


def test_a_deleted_ticket_s_files_go_after_the_commit_unless_another_message_shares_them(
    app, org, admin, agent, redis_client
):
    from rq import Queue, SimpleWorker

    from supportdesk.attachments.models import Attachment
    from supportdesk.attachments.service import Upload
    from supportdesk.storage import storage

    doomed, kept = make_ticket(org), make_ticket(org)
    service.reply(agent, doomed, "Only here", [Upload("a.pdf", "application/pdf", b"%PDF-only")])
    service.reply(agent, doomed, "Shared", [Upload("b.pdf", "application/pdf", b"%PDF-both")])
    service.reply(agent, kept, "Shared", [Upload("c.pdf", "application/pdf", b"%PDF-both")])
    db.session.commit()
    keys = dict(db.session.execute(db.select(Attachment.filename, Attachment.storage_key)).all())
    doomed_id, admin_id = doomed.id, admin.id

    service.delete_ticket(admin, doomed)
    db.session.rollback()  # a deletion that did not commit removes no file
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)
    assert storage().exists(keys["a.pdf"])

    admin = db.session.get(type(admin), admin_id)  # the worker ended the test's session
    service.delete_ticket(admin, db.session.get(Ticket, doomed_id))
    db.session.commit()
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)

    assert not storage().exists(keys["a.pdf"])
    assert storage().exists(keys["c.pdf"]) and keys["b.pdf"] == keys["c.pdf"]
    assert storage().read(keys["c.pdf"]) == b"%PDF-both"
