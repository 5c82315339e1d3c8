"""CRM → supportdesk: tier and company from the mapped properties, pulled on a schedule by a
modified-since cursor and on demand for one customer ("Refresh from CRM").

Per-field direction decides: only fields mapped `pull` or `both` are read, and a `both` field
changed on both sides since the last sync keeps its master's value (crm.conflicts), the other
value recorded in the sync log. A tier that changes goes through customers.service.change_tier,
so the customer's open tickets take the new tier's SLA exactly as when an agent edits it. A read
queues a push only when our value won (the CRM must get it). Every read also keeps the contact
owner's name on the customer, for the ticket page.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from supportdesk.crm import conflicts, mapping, service
from supportdesk.crm.models import ConnectionStatus, CrmConnection, Provider
from supportdesk.crm.providers import salesforce
from supportdesk.crm.providers.base import AuthFailed, CrmError
from supportdesk.crm.sync import client
from supportdesk.customers.models import Customer, Tier
from supportdesk.customers.service import change_tier
from supportdesk.db import utcnow
from supportdesk.extensions import db

log = logging.getLogger(__name__)

FIRST_PULL_DAYS = 30  # a new connection's first pull looks this far back
# The contact owner: HubSpot names an owner id (its name comes from the owners API), Salesforce
# the related User.
OWNER = {Provider.HUBSPOT: "hubspot_owner_id", Provider.SALESFORCE: "Owner.Name"}


def _pulled(connection: CrmConnection) -> dict[str, str]:
    return {
        f.field: prop
        for f in mapping.FIELDS
        if (prop := mapping.pulls(connection.field_map or {}, f.field))
    }


def asked(connection: CrmConnection) -> list[str]:
    """The properties a read of the contact asks for: the pulled fields and the owner."""
    return [*_pulled(connection).values(), OWNER[connection.provider]]


def _value(connection: CrmConnection, found: Any, prop: str) -> Any:
    if connection.provider is Provider.HUBSPOT:
        return found.properties.get(prop)
    return salesforce.field_value(found.fields, prop)


def owner_of(crm: Any, connection: CrmConnection, found: Any) -> str | None:
    """The contact owner's name; None when the CRM did not say (the stored one stays)."""
    if connection.provider is Provider.SALESFORCE:
        return str(salesforce.field_value(found.fields, OWNER[Provider.SALESFORCE]) or "")[:200]
    owner_id = str(found.properties.get(OWNER[Provider.HUBSPOT]) or "")
    return crm.owner_name(owner_id) if owner_id else ""


def _incoming(field: str, raw: Any) -> str | None:
    """The CRM's value as we store it, or None when it gives none we can take."""
    if field == "tier":
        tier = mapping.tier_from(raw)
        if tier is None and raw not in (None, ""):
            log.info("CRM tier %r matches no tier", raw)
        return tier.value if tier is not None else None
    text = str(raw or "").strip()[:200]
    return text or None


def _set(customer: Customer, field: str, value: str) -> str:
    """Take the CRM's value; returns the change in words."""
    if field == "tier":
        old, new = customer.tier, Tier(value)
        change_tier(customer, new)
        return f"tier {old.label} → {new.label}"
    change = f"company “{customer.company or '—'}” → “{value}”"
    customer.company = value
    return change


def apply(
    connection: CrmConnection,
    customer: Customer,
    found: Any,
    *,
    owner: str | None = None,
    source: str = "",
    queue_push: bool = True,
) -> list[str]:
    """Take the pulled fields of `found` onto the customer by the conflict rule (crm.conflicts);
    returns what changed, in words. A read that changed something or met a conflict is written
    to the sync log, the losing value named there."""
    field_map = connection.field_map or {}
    agreed = dict(customer.crm_synced_values or {})
    changes, notes, push = [], [], False
    for f in mapping.FIELDS:
        prop = mapping.pulls(field_map, f.field)
        theirs = _incoming(f.field, _value(connection, found, prop)) if prop else None
        if theirs is None:
            continue
        ours = customer.tier.value if f.field == "tier" else customer.company
        outcome = conflicts.resolve(
            label=f.label,
            direction=field_map[f.field]["direction"],
            master=mapping.master(field_map, f.field),
            ours=ours,
            theirs=theirs,
            agreed=agreed.get(f.field),
            crm=connection.provider.label,
        )
        if outcome.take:
            changes.append(_set(customer, f.field, theirs))
        if outcome.agreed is not None:
            agreed[f.field] = outcome.agreed
        if outcome.note:
            notes.append(outcome.note)
        push = push or outcome.push
    customer.crm_synced_values = agreed
    if owner is not None:
        customer.crm_owner = owner
    customer.crm_id = found.id
    customer.crm_synced_at = utcnow()
    customer.crm_sync_status, customer.crm_sync_error = "synced", ""
    if push and queue_push:
        service.queue_contact(connection, customer)  # ours won: the CRM gets it
    if changes or notes:
        service.record_read(connection, customer, source, changes, notes)
    db.session.flush()
    return changes


def refresh_customer(connection: CrmConnection, customer: Customer) -> str:
    """Read the customer's contact now and take the pulled fields; a sentence for the agent.
    Commits. Raises CrmError (its message is the sentence) when the CRM cannot be read."""
    crm = client(connection)
    fields = asked(connection)
    try:
        if isinstance(crm, salesforce.Salesforce):
            found = crm.read_contact(
                mapping.SALESFORCE_EXTERNAL_ID, str(customer.id), customer.email, fields
            )
        else:
            found = crm.read_contact(customer.email, fields)
        owner = owner_of(crm, connection, found) if found is not None else None
    except AuthFailed as exc:
        service.record_check(connection, str(exc), tell=True)
        db.session.commit()
        raise
    finally:
        crm.http.close()
    if found is None:
        db.session.commit()  # a refreshed Salesforce session is kept
        return f"{connection.provider.label} has no contact for {customer.email} yet."
    changes = apply(connection, customer, found, owner=owner, source="Refresh from CRM")
    db.session.commit()
    if not changes:
        return f"Up to date with {connection.provider.label}."
    return f"Updated from {connection.provider.label}: " + ", ".join(changes) + "."


def apply_contacts(connection: CrmConnection, contact_ids: list[str]) -> int:
    """Read the named HubSpot contacts (a webhook said they changed) and take their mapped
    fields onto the customers with the same email; returns how many changed. Commits."""
    fields = asked(connection)
    if connection.provider is not Provider.HUBSPOT:
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
            owner = owner_of(crm, connection, found) if customer is not None else None
            if customer is not None and apply(
                connection, customer, found, owner=owner, source="HubSpot webhook"
            ):
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
    fields = asked(connection)  # the owner is always read, whatever is mapped
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
            owner = owner_of(crm, connection, found) if customer is not None else None
            if customer is not None and apply(
                connection, customer, found, owner=owner, source="Scheduled pull"
            ):
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
