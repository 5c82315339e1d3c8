"""The CRM side of the sync: runs the outbox rows against the CRM, pulls changes back, tests a
connection. The one module of the package that does HTTP; jobs and the "test connection" and
"refresh from CRM" buttons call it, and it commits what it learned as it goes.

Failures per kind (crm.providers.base): a rate limit defers every remaining row of the connection
to the moment the CRM named, without counting an attempt; an unavailable CRM retries with backoff
(CRM_RETRY_SCHEDULE) and then fails the row; a refused record fails that row with the CRM's words
on the customer; refused credentials mark the connection broken and hold its rows until an admin
saves the connection again. A timeline row records the id of what it wrote: a retry after that
writes nothing, and a retry of an attempt that died mid-way looks the note up by its marker
(HubSpot) or upserts by our event key (Salesforce), so no entry is written twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from flask import current_app

from supportdesk import jobs, outbox
from supportdesk.crm import mapping, service
from supportdesk.crm.models import CrmConnection, CrmSync, Provider, SyncKind
from supportdesk.crm.providers import hubspot, salesforce
from supportdesk.crm.providers.base import (
    AuthFailed,
    CallLog,
    CrmError,
    Http,
    RateLimited,
    Rejected,
)
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.outbox import OutboxState

log = logging.getLogger(__name__)

CLAIM = 200
INTERRUPTED = "Interrupted: the worker stopped during this attempt."
VERBS = {"ticket.created": "opened", "ticket.resolved": "resolved"}


def client(connection: CrmConnection) -> hubspot.HubSpot | salesforce.Salesforce:
    """A client for the connection, on a fresh HTTP session (close `.http` when done)."""
    http = Http(
        connection.base_url,
        timeout=float(current_app.config["CRM_TIMEOUT"]),
        provider=connection.provider.label,
    )
    if connection.provider is Provider.HUBSPOT:
        return hubspot.HubSpot(http, connection.access_token or "")

    def keep(session: str, instance_url: str) -> None:
        connection.session_token, connection.instance_url = session, instance_url

    return salesforce.Salesforce(
        http,
        client_id=connection.client_id,
        client_secret=connection.client_secret or "",
        refresh_token=connection.refresh_token or "",
        session=connection.session_token,
        instance_url=connection.instance_url,
        on_session=keep,
    )


def _mapped(connection: CrmConnection, which) -> dict[str, str]:
    fields = {}
    for f in mapping.FIELDS:
        prop = which(connection.field_map or {}, f.field)
        if prop:
            fields[f.field] = prop
    return fields


# -- test connection ----------------------------------------------------------------------


def check_connection(connection: CrmConnection) -> str | None:
    """Call the CRM as the sync would; None when it works, else what is wrong in a sentence.
    The outcome is kept on the connection and committed."""
    crm = client(connection)
    problem = None
    try:
        wanted = [
            p
            for p in {
                **_mapped(connection, mapping.pushes),
                **_mapped(connection, mapping.pulls),
            }.values()
            if "." not in p
        ]
        if isinstance(crm, salesforce.Salesforce):
            wanted.append(mapping.SALESFORCE_EXTERNAL_ID)
        crm.check(sorted(set(wanted)))
    except CrmError as exc:
        problem = str(exc)
    finally:
        crm.http.close()
    service.record_check(connection, problem)
    if problem is None:
        service.resume(connection)  # writes held while it was broken go out now
    db.session.commit()
    return problem


# -- outbound -----------------------------------------------------------------------------


def run(ids: list[int] | None = None) -> dict[int, bool]:
    """Send what is due (only `ids`, if given); returns sync id -> written."""
    lease = int(current_app.config["CRM_LEASE_SECONDS"])
    claimed = outbox.claim_due(CrmSync, lease_seconds=lease, limit=CLAIM, ids=ids)
    db.session.commit()
    if not claimed:
        return {}
    outcomes: dict[int, bool] = {}
    with outbox.released_on_stop(CrmSync, lambda: claimed, service.DRAIN_JOB, queue=service.QUEUE):
        rows = list(
            db.session.scalars(
                sa.select(CrmSync).where(CrmSync.id.in_(claimed)).order_by(CrmSync.id)
            )
        )
        by_connection: dict[int, list[CrmSync]] = defaultdict(list)
        for row in rows:
            by_connection[row.connection_id].append(row)
        for connection_id, group in by_connection.items():
            connection = db.session.get(CrmConnection, connection_id)
            _Run(connection, group, outcomes).go()
            db.session.commit()
    if ids is None and len(claimed) == CLAIM:
        jobs.enqueue(service.DRAIN_JOB, queue=service.QUEUE, wake=True)
    return outcomes


class _Run:
    """One connection's claimed rows: contacts first (in batches), then timeline entries."""

    def __init__(self, connection: CrmConnection, rows: list[CrmSync], outcomes: dict) -> None:
        self.connection, self.rows, self.outcomes = connection, rows, outcomes
        self.customers = {
            c.id: c
            for c in db.session.scalars(
                sa.select(Customer).where(
                    Customer.organization_id == connection.organization_id,
                    Customer.id.in_({r.customer_id for r in rows}),
                )
            )
        }

    def go(self) -> None:
        if not (self.connection.enabled and self.connection.has_credentials):
            for row in self.rows:
                self._hold(row, "The CRM connection is switched off.")
            return
        self.crm = client(self.connection)
        pending = list(self.rows)
        try:
            contacts = [r for r in pending if r.kind is SyncKind.CONTACT]
            for row in contacts:
                self._reconcile(row)
            if isinstance(self.crm, hubspot.HubSpot):
                for i in range(0, len(contacts), hubspot.BATCH):
                    self._hubspot_contacts(contacts[i : i + hubspot.BATCH])
            else:
                for row in contacts:
                    self._attempt(row, self._salesforce_contact)
            for row in pending:
                if row.kind is SyncKind.TIMELINE:
                    self._attempt(row, self._timeline)
        except RateLimited as exc:
            wait = min(exc.retry_after, float(current_app.config["CRM_RETRY_AFTER_MAX_SECONDS"]))
            until = utcnow() + dt.timedelta(seconds=wait)
            for row in pending:
                if row.id not in self.outcomes:
                    self._defer(row, str(exc), until, count=False)
        except AuthFailed as exc:
            service.record_check(self.connection, str(exc), tell=True)
            log.warning("CRM connection %s is broken: %s", self.connection.id, exc)
            for row in pending:
                if row.id not in self.outcomes:
                    self._hold(row, str(exc))
            return
        finally:
            self.crm.http.close()
        if any(self.outcomes.get(r.id) for r in pending):
            service.record_check(self.connection, None)  # the CRM took writes: it works

    # -- outcomes -----------------------------------------------------------------------------

    def _log(self, row: CrmSync) -> None:
        if not hasattr(self, "crm"):
            return
        row.request_summary = self.crm.http.log.summary()
        row.response_summary = self.crm.http.log.last_excerpt[:2000]
        row.duration_ms = self.crm.http.log.duration_ms

    def _fresh(self) -> None:
        """Start the call log of the next unit of work (one row, or one batch of contacts)."""
        if hasattr(self, "crm"):
            self.crm.http.log = CallLog()

    def _sent(self, row: CrmSync, object_id: str) -> None:
        self._log(row)
        row.state, row.sent_at, row.locked_until = OutboxState.SENT, utcnow(), None
        row.attempts += 1
        row.last_error, row.crm_object_id = "", object_id
        self.outcomes[row.id] = True

    def _failed(self, row: CrmSync, message: str) -> None:
        self._log(row)
        row.state, row.locked_until, row.last_error = OutboxState.FAILED, None, message[:1000]
        row.attempts += 1
        self.outcomes[row.id] = False
        customer = self.customers.get(row.customer_id)
        if customer is not None and row.kind is SyncKind.CONTACT:
            customer.crm_sync_status, customer.crm_sync_error = "failed", message[:500]

    def _defer(self, row: CrmSync, message: str, until: dt.datetime, *, count: bool) -> None:
        self._log(row)
        row.state, row.locked_until = OutboxState.DEFERRED, None
        row.last_error, row.next_attempt_at = message[:1000], until
        if count:
            row.attempts += 1
        self.outcomes[row.id] = False
        jobs.defer(db.session, service.DRAIN_JOB, queue=service.QUEUE, at=until)

    def _hold(self, row: CrmSync, message: str) -> None:
        # Until an admin fixes the connection (service.resume makes them due again).
        row.state, row.locked_until, row.last_error = OutboxState.DEFERRED, None, message[:1000]
        row.next_attempt_at = utcnow() + dt.timedelta(days=1)
        self.outcomes[row.id] = False

    def _retry(self, row: CrmSync, message: str) -> None:
        schedule = [int(s) for s in str(current_app.config["CRM_RETRY_SCHEDULE"]).split(",") if s]
        if row.attempts + 1 > len(schedule):
            self._failed(row, f"Gave up after {row.attempts + 1} attempts: {message}")
            return
        self._defer(row, message, utcnow() + outbox.backoff(row.attempts + 1, schedule), count=True)

    def _attempt(self, row: CrmSync, write) -> None:
        """Run `write(row)` → object id; Rejected and other CrmErrors settle the row here."""
        self._fresh()
        try:
            self._sent(row, write(row))
        except (RateLimited, AuthFailed):
            raise
        except Rejected as exc:
            self._failed(row, str(exc))
        except CrmError as exc:
            self._retry(row, str(exc))

    # -- contacts ------------------------------------------------------------------------------

    def _synced(self, customer: Customer, crm_id: str, sent: dict | None = None) -> None:
        customer.crm_id, customer.crm_synced_at = crm_id, utcnow()
        customer.crm_sync_status, customer.crm_sync_error = "synced", ""
        if sent:  # both sides now hold these values: the base of the next conflict check
            customer.crm_synced_values = {
                **(customer.crm_synced_values or {}),
                **{name: value for name, (_, value) in sent.items()},
            }

    def _outgoing(self, customer: Customer) -> dict[str, tuple[str, str]]:
        return mapping.outgoing(
            self.connection.field_map or {},
            {"company": customer.company, "tier": customer.tier.value},
            customer.crm_synced_values or {},
        )

    def _reconcile(self, row: CrmSync) -> None:
        """Before a push sends a both-ways field that changed here, read the contact: a field
        that changed in the CRM too is a conflict its master decides (crm.conflicts), so the
        push cannot overwrite a CRM change the scheduled pull has not read yet. A read that
        fails leaves the push as it was."""
        customer = self.customers.get(row.customer_id)
        field_map = self.connection.field_map or {}
        if customer is None or not customer.crm_id:
            return
        if not any(field_map[f]["direction"] == "both" for f in self._outgoing(customer)):
            return
        from supportdesk.crm import inbound  # inbound builds on this module's client()

        fields = inbound.asked(self.connection)
        try:
            if isinstance(self.crm, hubspot.HubSpot):
                found = self.crm.read_contact_by_id(customer.crm_id, fields)
            else:
                found = self.crm.read_contact(
                    mapping.SALESFORCE_EXTERNAL_ID, str(customer.id), customer.email, fields
                )
            if found is not None:
                owner = inbound.owner_of(self.crm, self.connection, found)
                inbound.apply(
                    self.connection,
                    customer,
                    found,
                    owner=owner,
                    source="Read before a push",
                    queue_push=False,
                )
        except (RateLimited, AuthFailed):
            raise
        except CrmError as exc:
            log.info("CRM read before the push of customer %s failed: %s", customer.id, exc)

    def _hubspot_contacts(self, rows: list[CrmSync]) -> None:
        contacts, by_email, sent = [], {}, {}
        for row in rows:
            customer = self.customers.get(row.customer_id)
            if customer is None:
                self._failed(row, "The customer no longer exists.")
                continue
            first, last = mapping.split_name(customer.name, customer.email)
            props = {"firstname": first, "lastname": last}
            sent[customer.email] = self._outgoing(customer)
            props.update(dict(sent[customer.email].values()))
            company = customer.company if "company" in sent[customer.email] else ""
            contacts.append(hubspot.Contact(customer.email, props, company))
            by_email[customer.email] = row
        if not contacts:
            return
        self._fresh()
        try:
            known = {
                self.customers[by_email[c.email].customer_id].crm_id: c
                for c in contacts
                if self.customers[by_email[c.email].customer_id].crm_id
            }
            ids = self.crm.update_contacts(known) if known else {}
            rest = [c for c in contacts if c.email not in ids]
            errors: dict[str, str] = {}
            if rest:
                upserted, errors = self.crm.upsert_contacts(rest)
                ids.update(upserted)
            pairs = []
            companies: dict[str, str] = {}
            for c in contacts:  # only the companies this push sends
                if c.company and c.email in ids:
                    if c.company not in companies:
                        companies[c.company] = self.crm.company_id(c.company)
                    pairs.append((ids[c.email], companies[c.company]))
            self.crm.associate_companies(pairs)
        except (RateLimited, AuthFailed):
            raise
        except Rejected as exc:
            for row in by_email.values():
                self._failed(row, str(exc))
            return
        except CrmError as exc:
            for row in by_email.values():
                self._retry(row, str(exc))
            return
        for email, row in by_email.items():
            if email in ids:
                self._synced(self.customers[row.customer_id], ids[email], sent[email])
                self._sent(row, ids[email])
            else:
                self._failed(row, errors.get(email, "HubSpot did not take the contact."))

    def _salesforce_contact(self, row: CrmSync) -> str:
        customer = self.customers.get(row.customer_id)
        if customer is None:
            raise Rejected("The customer no longer exists.")
        return self._salesforce_upsert(customer)

    def _salesforce_upsert(self, customer: Customer) -> str:
        first, last = mapping.split_name(customer.name, customer.email)
        fields: dict[str, Any] = {"FirstName": first, "LastName": last, "Email": customer.email}
        sent = self._outgoing(customer)
        if not customer.company:
            sent.pop("company", None)  # no Account to upsert: nothing agreed
        if "tier" in sent:
            fields[sent["tier"][0]] = sent["tier"][1]
        account = None
        if "company" in sent and customer.company:
            account = {
                "key_field": mapping.SALESFORCE_ACCOUNT_KEY,
                "key": customer.company.strip().lower()[:80],
                "Name": customer.company,
            }
        crm_id = self.crm.upsert_contact(
            mapping.SALESFORCE_EXTERNAL_ID, str(customer.id), fields, account
        )
        self._synced(customer, crm_id, sent)
        return crm_id

    # -- timeline ------------------------------------------------------------------------------

    def _contact_id(self, customer: Customer) -> str:
        if customer.crm_id:
            return customer.crm_id
        if isinstance(self.crm, salesforce.Salesforce):
            return self._salesforce_upsert(customer)
        first, last = mapping.split_name(customer.name, customer.email)
        ids, errors = self.crm.upsert_contacts(
            [hubspot.Contact(customer.email, {"firstname": first, "lastname": last})]
        )
        if customer.email not in ids:
            raise Rejected(errors.get(customer.email, "HubSpot did not take the contact."))
        self._synced(customer, ids[customer.email])
        return ids[customer.email]

    def _timeline(self, row: CrmSync) -> str:
        if row.crm_object_id:
            return row.crm_object_id  # written by an earlier attempt: never a second entry
        customer = self.customers.get(row.customer_id)
        if customer is None:
            raise Rejected("The customer no longer exists.")
        contact_id = self._contact_id(customer)
        p = row.payload or {}
        title = f"Ticket #{p.get('number')} {VERBS.get(p.get('event'), '')}: {p.get('subject', '')}"
        at = dt.datetime.fromisoformat(p.get("at")) if p.get("at") else row.created_at
        if isinstance(self.crm, hubspot.HubSpot):
            marker = (
                "sd"
                + hashlib.sha256(f"{row.connection_id}:{row.event_key}".encode()).hexdigest()[:24]
            )
            if row.attempts > 0:
                found = self.crm.find_note(marker)
                if found:
                    return found
            body = f"<p>{html.escape(title)}</p><p><small>supportdesk {marker}</small></p>"
            return self.crm.create_note(contact_id, body, at)
        sobject = self.connection.timeline_object
        if sobject == "Case":
            fields = {
                "Subject": title[:255],
                "Description": title,
                "ContactId": contact_id,
                "Status": "Closed" if p.get("event") == "ticket.resolved" else "New",
                "Origin": "Web",
            }
        else:
            fields = {
                "Subject": title[:255],
                "Description": title,
                "WhoId": contact_id,
                "Status": "Completed",
                "ActivityDate": at.date().isoformat(),
            }
        return self.crm.upsert_activity(sobject, mapping.SALESFORCE_EVENT_ID, row.event_key, fields)


def sweep() -> int:
    """Give back rows a dead worker held (logging the attempt as interrupted); wake the drain
    when anything is due. Returns how many are due."""
    for row in db.session.scalars(
        sa.select(CrmSync).where(CrmSync.id.in_(outbox.expired_leases(CrmSync)))
    ):
        row.locked_until, row.attempts, row.last_error = None, row.attempts + 1, INTERRUPTED
        row.state, row.next_attempt_at = OutboxState.DEFERRED, utcnow()
    db.session.commit()
    due = len(outbox.due_ids(CrmSync))
    if due:
        jobs.enqueue(service.DRAIN_JOB, queue=service.QUEUE)
    return due
