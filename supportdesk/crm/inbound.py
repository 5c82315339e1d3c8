"""CRM → supportdesk: tier and company from the mapped properties, pulled on a schedule by a
modified-since cursor and on demand for one customer ("Refresh from CRM").

Per-field direction decides: only fields mapped `pull` or `both` are read. A `both` field whose
local change still waits to be pushed (a pending contact row) keeps our value: the push follows.
A tier that changes goes through customers.service.change_tier, so the customer's open tickets
take the new tier's SLA exactly as when an agent edits it. A pull never queues a push back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from supportdesk.crm import mapping, service
from supportdesk.crm.models import ConnectionStatus, CrmConnection, CrmSync, Provider, SyncKind
from supportdesk.crm.providers import salesforce
from supportdesk.crm.providers.base import AuthFailed, CrmError
from supportdesk.crm.sync import client
from supportdesk.customers.models import Customer
from supportdesk.customers.service import change_tier
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.outbox import PENDING_STATES

log = logging.getLogger(__name__)

FIRST_PULL_DAYS = 30  # a new connection's first pull looks this far back


def _pulled(connection: CrmConnection) -> dict[str, str]:
    return {
        f.field: prop
        for f in mapping.FIELDS
        if (prop := mapping.pulls(connection.field_map or {}, f.field))
    }


def _value(connection: CrmConnection, found: Any, prop: str) -> Any:
    if connection.provider is Provider.HUBSPOT:
        return found.properties.get(prop)
    return salesforce.field_value(found.fields, prop)


def _waiting_push(customer: Customer) -> bool:
    return (
        db.session.scalar(
            sa.select(CrmSync.id).where(
                CrmSync.customer_id == customer.id,
                CrmSync.kind == SyncKind.CONTACT,
                CrmSync.state.in_(PENDING_STATES),
            )
        )
        is not None
    )


def apply(connection: CrmConnection, customer: Customer, found: Any) -> list[str]:
    """Take the pulled fields of `found` onto the customer; returns what changed, in words."""
    changes = []
    fields = _pulled(connection)
    both = {f for f in fields if (connection.field_map or {}).get(f, {}).get("direction") == "both"}
    ours_first = bool(both) and _waiting_push(customer)
    if "tier" in fields and not ("tier" in both and ours_first):
        raw = _value(connection, found, fields["tier"])
        tier = mapping.tier_from(raw)
        if tier is not None and tier is not customer.tier:
            old = customer.tier
            change_tier(customer, tier)
            changes.append(f"tier {old.label} → {tier.label}")
        elif tier is None and raw not in (None, ""):
            log.info("CRM tier %r of customer %s matches no tier", raw, customer.id)
    if "company" in fields and not ("company" in both and ours_first):
        company = str(_value(connection, found, fields["company"]) or "").strip()[:200]
        if company and company != customer.company:
            changes.append(f"company “{customer.company or '—'}” → “{company}”")
            customer.company = company
    customer.crm_id = found.id
    customer.crm_synced_at = utcnow()
    customer.crm_sync_status, customer.crm_sync_error = "synced", ""
    db.session.flush()
    return changes


def refresh_customer(connection: CrmConnection, customer: Customer) -> str:
    """Read the customer's contact now and take the pulled fields; a sentence for the agent.
    Commits. Raises CrmError (its message is the sentence) when the CRM cannot be read."""
    crm = client(connection)
    fields = list(_pulled(connection).values())
    try:
        if isinstance(crm, salesforce.Salesforce):
            found = crm.read_contact(
                mapping.SALESFORCE_EXTERNAL_ID, str(customer.id), customer.email, fields
            )
        else:
            found = crm.read_contact(customer.email, fields)
    except AuthFailed as exc:
        service.record_check(connection, str(exc), tell=True)
        db.session.commit()
        raise
    finally:
        crm.http.close()
    if found is None:
        db.session.commit()  # a refreshed Salesforce session is kept
        return f"{connection.provider.label} has no contact for {customer.email} yet."
    changes = apply(connection, customer, found)
    db.session.commit()
    if not changes:
        return f"Up to date with {connection.provider.label}."
    return f"Updated from {connection.provider.label}: " + ", ".join(changes) + "."


def apply_contacts(connection: CrmConnection, contact_ids: list[str]) -> int:
    """Read the named HubSpot contacts (a webhook said they changed) and take their mapped
    fields onto the customers with the same email; returns how many changed. Commits."""
    fields = list(_pulled(connection).values())
    if not fields or connection.provider is not Provider.HUBSPOT:
        return 0
    crm = client(connection)
    changed = 0
    try:
        for contact_id in contact_ids:
            found = crm.read_contact_by_id(contact_id, fields)
            if found is None:
                continue
            customer = db.session.scalar(
                sa.select(Customer).where(
                    Customer.organization_id == connection.organization_id,
                    Customer.email == found.email,
                )
            )
            if customer is not None and apply(connection, customer, found):
                changed += 1
    except AuthFailed as exc:
        service.record_check(connection, str(exc), tell=True)
    except CrmError as exc:  # the scheduled pull reads these changes later
        log.warning("CRM webhook of connection %s not applied: %s", connection.id, exc)
    finally:
        crm.http.close()
    db.session.commit()
    return changed


def pull(connection: CrmConnection) -> int:
    """Take every contact changed since the cursor; returns how many customers changed. Commits
    after each page's worth so a long pull keeps its progress (the cursor moves with it)."""
    if not (connection.enabled and connection.has_credentials):
        return 0
    if connection.status is ConnectionStatus.BROKEN:
        return 0
    fields = list(_pulled(connection).values())
    if not fields:
        return 0
    since = connection.pull_cursor or (utcnow() - dt.timedelta(days=FIRST_PULL_DAYS))
    crm = client(connection)
    changed = seen = 0
    try:
        for found in crm.changed_since(since, fields):
            seen += 1
            customer = db.session.scalar(
                sa.select(Customer).where(
                    Customer.organization_id == connection.organization_id,
                    Customer.email == found.email,
                )
            )
            if customer is not None and apply(connection, customer, found):
                changed += 1
            if found.updated_at and (
                connection.pull_cursor is None or found.updated_at > connection.pull_cursor
            ):
                connection.pull_cursor = found.updated_at
            if seen % 100 == 0:
                db.session.commit()
    except AuthFailed as exc:
        service.record_check(connection, str(exc), tell=True)
    except CrmError as exc:
        log.warning("CRM pull of connection %s stopped: %s", connection.id, exc)
    finally:
        crm.http.close()
    connection.pulled_at = utcnow()
    db.session.commit()
    return changed


def pull_all() -> int:
    """The scheduled pull: every enabled connection; returns how many customers changed."""
    total = 0
    ids = db.session.scalars(sa.select(CrmConnection.id).where(CrmConnection.enabled.is_(True)))
    for connection_id in list(ids):
        connection = db.session.get(CrmConnection, connection_id)
        try:
            total += pull(connection)
        except Exception:  # one organization's failure must not stop the others
            db.session.rollback()
            log.exception("CRM pull of connection %s failed", connection_id)
    return total
