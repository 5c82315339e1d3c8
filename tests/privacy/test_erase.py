"""Erasure on a fully populated customer, proven by the verification scan; the mutation check."""

from __future__ import annotations

import pytest

from supportdesk.attachments.models import Attachment
from supportdesk.audit.models import AuditEntry
from supportdesk.customers.models import Customer
from supportdesk.errors import ValidationFailed
from supportdesk.exports.models import Export
from supportdesk.extensions import db
from supportdesk.privacy import erase
from supportdesk.privacy.models import DataExport
from supportdesk.privacy.scan import needles, scan
from supportdesk.storage import storage
from supportdesk.tickets.models import Message, Ticket
from tests.privacy.conftest import run_jobs

pytestmark = pytest.mark.integration

# Each erasure step, and where the scan finds what it would have left behind.
STEP_LEFTOVERS = [
    pytest.param("data_exports", "storage", id="data_exports"),
    pytest.param("attachments", "attachments.filename", id="attachments"),
    pytest.param("inbound_emails", "inbound_emails.raw", id="inbound_emails"),
    pytest.param("email_messages", "email_messages.to_address", id="email_messages"),
    pytest.param("webhook_deliveries", "webhook_deliveries.payload", id="webhook_deliveries"),
    pytest.param("messages", "messages.body_text", id="messages"),
    pytest.param("tickets", "tickets.subject", id="tickets"),
    pytest.param("ticket_events", "ticket_events.new_value", id="ticket_events"),
    pytest.param("composer_drafts", "composer_drafts.body", id="composer_drafts"),
    pytest.param("agent_notifications", "agent_notifications.text", id="agent_notifications"),
    pytest.param("ticket_deletions", "ticket_deletions.customer_email", id="ticket_deletions"),
    pytest.param("saved_views", "saved_views.filters", id="saved_views"),
    pytest.param("bulk_jobs", "bulk_jobs.selection", id="bulk_jobs"),
    pytest.param("bulk_job_failures", "bulk_job_failures.reason", id="bulk_job_failures"),
    pytest.param("idempotency_keys", "idempotency_keys.response_body", id="idempotency_keys"),
    pytest.param("audit_entries", "audit_entries.before", id="audit_entries"),
    pytest.param("satisfaction_ratings", "satisfaction_ratings.comment", id="satisfaction_ratings"),
    pytest.param("crm_syncs", "crm_syncs.payload", id="crm_syncs"),
    pytest.param("exports", "storage", id="exports"),
    pytest.param("customers", "customers.email", id="customers"),
]


def _locations(person) -> set[str]:
    return {hit.location for hit in scan(needles(person.needles))}


def test_every_step_is_checked_by_the_mutation_table():
    assert {p.values[0] for p in STEP_LEFTOVERS} == set(erase.STEPS)


def test_the_populated_customer_is_found_in_every_place_before_erasure(person):
    found = _locations(person)
    assert {p.values[1] for p in STEP_LEFTOVERS} <= found


def test_erasure_leaves_no_trace_in_any_table_or_file(app, person, admin):
    erase.erase_customer(admin, person.customer, confirmation=person.email.upper())
    db.session.commit()
    run_jobs(app)  # the files go by a job after the commit

    assert scan(needles(person.needles)) == []


def test_the_files_go_after_the_commit_and_a_rollback_keeps_them(app, person, admin):
    keys = {
        *db.session.scalars(
            db.select(Attachment.storage_key)
            .join(Message, Message.id == Attachment.message_id)
            .where(Message.ticket_id == person.ticket.id)
        ),
        *db.session.scalars(
            db.select(DataExport.storage_key).where(DataExport.customer_id == person.customer.id)
        ),
        *db.session.scalars(db.select(Export.storage_key)),  # an agent's customers file
    }
    customer_id, admin_id = person.customer.id, admin.id
    assert len(keys) == 3 and all(storage().exists(key) for key in keys)

    erase.erase_customer(admin, person.customer, confirmation=person.email)
    db.session.rollback()  # an erasure that did not commit removes no file
    run_jobs(app)
    assert all(storage().exists(key) for key in keys)

    customer = db.session.get(Customer, customer_id)  # the worker ended the test's session
    erase.erase_customer(db.session.get(type(admin), admin_id), customer, confirmation=person.email)
    db.session.commit()
    assert all(storage().exists(key) for key in keys)  # not within the transaction either
    run_jobs(app)

    assert not any(storage().exists(key) for key in keys)
    assert scan(needles(person.needles)) == []


@pytest.mark.parametrize(("skipped", "location"), STEP_LEFTOVERS)
def test_the_scan_catches_an_erasure_that_skips_one_table(app, person, admin, skipped, location):
    erase.erase_customer(admin, person.customer, confirmation=person.email, skip={skipped})
    db.session.commit()
    run_jobs(app)

    assert location in _locations(person)


def test_erasure_keeps_the_ticket_statistics(person, admin):
    ticket_id, number, created = person.ticket.id, person.ticket.number, person.ticket.created_at
    messages = db.session.scalar(
        db.select(db.func.count()).select_from(Message).where(Message.ticket_id == ticket_id)
    )
    erase.erase_customer(admin, person.customer, confirmation=person.email)
    db.session.commit()

    ticket = db.session.get(Ticket, ticket_id)
    assert (ticket.number, ticket.created_at, ticket.customer_id) == (
        number,
        created,
        person.customer.id,
    )
    assert messages == db.session.scalar(
        db.select(db.func.count()).select_from(Message).where(Message.ticket_id == ticket_id)
    )
    assert person.customer.email.endswith("@erased.invalid") and person.customer.name == ""


def test_erasure_is_recorded_without_naming_the_customer(person, admin):
    erase.erase_customer(admin, person.customer, confirmation=person.email)
    db.session.commit()

    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "customer.erased")
    ).one()
    assert entry.target_id == person.customer.id and entry.after["rows"]["messages"] >= 3
    assert person.email not in str(entry.after) + entry.target_label


@pytest.mark.parametrize(
    "typed", [pytest.param("", id="empty"), pytest.param("someone@else.example", id="other")]
)
def test_erasure_needs_the_email_typed_again(person, admin, typed):
    with pytest.raises(ValidationFailed) as refused:
        erase.erase_customer(admin, person.customer, confirmation=typed)
    assert "confirmation" in refused.value.fields


def test_an_erased_customer_is_signed_out_of_the_portal_and_their_links_are_gone(
    app, org, person, admin
):
    from supportdesk.selfservice import service as selfservice
    from supportdesk.selfservice.models import PortalLink
    from tests.portal.conftest import portal_sign_in

    browser = app.test_client()
    portal_sign_in(browser, person.customer)
    tickets = f"/help/{org.slug}/portal/tickets"
    assert browser.get(tickets).status_code == 200
    selfservice.send_link(org.id, person.email)  # a sign-in link mailed, not used yet
    db.session.commit()

    erase.erase_customer(admin, person.customer, confirmation=person.email)
    db.session.commit()

    answer = browser.get(tickets)
    assert answer.status_code == 302 and answer.location.endswith(f"/help/{org.slug}/portal/")
    assert (
        db.session.scalars(
            db.select(PortalLink).where(PortalLink.customer_id == person.customer.id)
        ).all()
        == []
    )
