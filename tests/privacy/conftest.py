"""A fully populated customer: every kind of row and file that can hold their data."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.message import EmailMessage as Mime

import pytest
from rq import Queue, SimpleWorker

from supportdesk.api.idempotency import IdempotencyKey
from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure
from supportdesk.composer.service import save_draft
from supportdesk.crm.models import CrmConnection, CrmSync, Provider, SyncKind
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.exports import service as exports
from supportdesk.extensions import db
from supportdesk.fields.models import FieldType, SavedView
from supportdesk.fields.service import create_field
from supportdesk.mail.identity.models import SupportAddress
from supportdesk.mail.inbound.service import receive_email
from supportdesk.outbox import OutboxState
from supportdesk.privacy.export import request_export, run_export
from supportdesk.satisfaction.models import Rating, SatisfactionRating
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Ticket
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests import factories
from tests.fixtures.webhooks import make_endpoint


@dataclass
class Person:
    """The customer and the strings that must vanish with them."""

    customer: Customer
    ticket: Ticket
    email: str
    name: str
    strings: list[str]

    @property
    def needles(self) -> list[str]:
        return [self.email, self.name, *self.strings]


def run_jobs(app) -> None:
    """Run every job waiting on the default queue, in this thread."""
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def _mail(email: str, name: str, support: str, subject: str, body: str, file_text: str) -> bytes:
    mime = Mime()
    mime["From"] = f"{name} <{email}>"
    mime["To"] = support
    mime["Subject"] = subject
    mime["Message-ID"] = f"<{secrets.token_hex(6)}@mail.example.net>"
    mime.set_content(body, cte="base64")
    mime.add_attachment(
        file_text.encode(), maintype="text", subtype="plain", filename=f"{name}.txt"
    )
    return mime.as_bytes()


@pytest.fixture
def person(app, org, admin, agent) -> Person:
    """A customer who wrote in by mail (with a file), got replies, and left traces everywhere."""
    tag = secrets.token_hex(4)
    email, name = f"zed.{tag}@example.net", f"Zed Quill{tag}"
    strings = [
        f"parrot {tag} flew",
        f"attached secret {tag}",
        f"Parrot order {tag}",
        f"too slow for {tag}",
    ]
    support = f"help-{tag}@acme.example"
    db.session.add(
        SupportAddress(
            organization_id=org.id, address=support, is_default=True, verified_at=utcnow()
        )
    )
    make_endpoint(org, "https://hooks.example.com/in")
    field = create_field(admin, key="order_ref", label="Order ref", type=FieldType.TEXT)
    db.session.commit()

    raw = _mail(email, name, support, strings[2], f"Hello, my {strings[0]} away.", strings[1])
    receive_email(raw, envelope_recipients=[support], source="http")
    db.session.commit()
    customer = db.session.scalar(db.select(Customer).where(Customer.email == email))
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.customer_id == customer.id))

    tickets.reply(agent, ticket, f"Hi {name}, about your {strings[0]}: we are on it.")
    tickets.assign(admin, ticket, assignee_id=agent.id, team_id=None)
    tickets.set_custom_fields(agent, ticket, {field.key: f"REF {email}"})
    tickets.edit(agent, ticket, subject=f"{strings[2]} (follow-up)")
    tickets.add_note(agent, ticket, f"@{agent.name} {name} called about the {strings[0]}")
    save_draft(admin, ticket, mode="public", body=f"Dear {name}, draft")
    doomed = factories.make_ticket(org, customer=customer, subject=f"Spam from {name}")
    db.session.commit()
    tickets.delete_ticket(admin, doomed, reason="duplicate")
    db.session.commit()

    db.session.add(
        SavedView(organization_id=org.id, owner_id=agent.id, name="Zed", filters={"q": email})
    )
    job = BulkJob(
        organization_id=org.id, created_by_user_id=agent.id, action="status",
        selection={"q": email}, ticket_ids=[ticket.id],
    )  # fmt: skip
    db.session.add(job)
    db.session.flush()
    db.session.add(
        BulkJobFailure(
            organization_id=org.id, bulk_job_id=job.id, ticket_id=ticket.id,
            ticket_number=ticket.number, reason=f"{strings[2]} is locked",
        )
    )  # fmt: skip
    token, _ = create_token(agent, name="robot", scope=Scope.READ_WRITE)
    db.session.add(
        IdempotencyKey(
            organization_id=org.id, token_id=token.id, key=tag, fingerprint="f" * 64,
            response_status=201, response_body=f'{{"customer": "{email}"}}',
            response_headers={},
        )
    )  # fmt: skip
    now = utcnow()
    db.session.add(
        SatisfactionRating(
            organization_id=org.id, ticket_id=ticket.id, customer_id=customer.id,
            rating=Rating.BAD, comment=f"Sorry, {strings[3]} me", sent_at=now, rated_at=now,
            commented_at=now,
        )
    )  # fmt: skip
    crm = CrmConnection(
        organization_id=org.id, provider=Provider.HUBSPOT, base_url="https://api.hubapi.com",
        access_token="pat-test", field_map={},
    )  # fmt: skip
    db.session.add(crm)
    db.session.flush()
    db.session.add(
        CrmSync(
            organization_id=org.id, connection_id=crm.id, customer_id=customer.id,
            kind=SyncKind.CONTACT, event_key=f"contact:{customer.id}:1",
            payload={"email": email, "name": name}, state=OutboxState.SENT, attempts=1,
            request_summary=f"PATCH contact {email}", response_summary="", last_error="",
        )
    )  # fmt: skip
    customer.crm_synced_values = {"name": name}
    customer.crm_sync_error = f"HubSpot refused {email}"
    customers_file = exports.request_export(admin, "customers", "csv", {})
    export = request_export(admin, customer)
    db.session.commit()
    exports.run(customers_file.id)  # an agent's export of every customer, as a file
    run_export(export.id)  # as the embedded mode does after the commit
    return Person(customer, ticket, email, name, strings)
