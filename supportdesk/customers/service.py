"""Customer writes: find-or-create by email, create and edit. Flushes, never commits."""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from supportdesk import events
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.customers.events import CustomerCreated
from supportdesk.customers.models import Customer, Tier
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db

MAX_EMAIL = 254  # the column's size (RFC 5321's limit on a path)


def normalise_email(email: str, field: str = "email") -> str:
    """Return the lower-cased, syntax-checked address, or raise ValidationFailed on `field`."""
    email = (email or "").strip()
    if not email:
        raise ValidationFailed("An email address is required.", {field: "Enter an email address."})
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            f"{email!r} is not a valid email address.", {field: str(exc)}
        ) from exc
    normalised = checked.normalized.lower()
    if len(normalised) > MAX_EMAIL:
        raise ValidationFailed(
            "The email address is too long.", {field: f"Use at most {MAX_EMAIL} characters."}
        )
    return normalised


def find_by_email(organization_id: int, email: str) -> Customer | None:
    """The organization's customer with this address (any case), if any."""
    return db.session.scalar(
        sa.select(Customer).where(
            Customer.organization_id == organization_id, Customer.email == email.strip().lower()
        )
    )


def find_or_create(organization_id: int, email: str, name: str = "") -> Customer:
    """The customer with this email, created if new. Safe against a concurrent create."""
    email = normalise_email(email)
    existing = find_by_email(organization_id, email)
    if existing is not None:
        if name and not existing.name:
            existing.name = name.strip()[:200]
        return existing
    customer = Customer(
        organization_id=organization_id, email=email, name=(name or "").strip()[:200]
    )
    try:
        with db.session.begin_nested():
            db.session.add(customer)
    except IntegrityError:
        # Another transaction created the same address between our read and our insert.
        existing = find_by_email(organization_id, email)
        if existing is None:
            raise
        return existing
    events.record(db.session, CustomerCreated(customer))
    return customer


def create_customer(
    actor: User, *, email: str, name: str = "", tier: Tier = Tier.FREE, company: str = ""
) -> Customer:
    """Create a customer, refusing an address the organization already has."""
    require(actor, "customer.edit")
    email = normalise_email(email)
    if find_by_email(actor.organization_id, email) is not None:
        raise Conflict(
            f"A customer with the address {email} already exists.",
            {"email": "This address belongs to another customer."},
        )
    customer = Customer(
        organization_id=actor.organization_id,
        email=email,
        name=name.strip(),
        tier=tier,
        company=company.strip(),
    )
    db.session.add(customer)
    db.session.flush()
    events.record(db.session, CustomerCreated(customer))
    return customer


def update_customer(
    actor: User, customer: Customer, *, email: str, name: str, tier: Tier, company: str
) -> Customer:
    """Edit a customer's details; the new address must not belong to another customer."""
    require(actor, "customer.edit")
    email = normalise_email(email)
    if email != customer.email:
        other = find_by_email(customer.organization_id, email)
        if other is not None:
            raise Conflict(
                f"A customer with the address {email} already exists.",
                {"email": "This address belongs to another customer."},
            )
    customer.email = email
    customer.name = name.strip()
    retiered = customer.tier is not tier
    customer.tier = tier
    customer.company = company.strip()
    db.session.flush()
    if retiered:
        from supportdesk.reports.service import mark_customer

        mark_customer(customer)  # their tickets move to the new tier's figures
    return customer


def suppress_email(organization_id: int, email: str, reason: str) -> bool:
    """Stop outbound mail to the customer with this address (a hard bounce). False if unknown."""
    customer = find_by_email(organization_id, email)
    if customer is None:
        return False
    customer.email_suppressed_at = utcnow()
    customer.email_suppression_reason = reason[:300]
    db.session.flush()
    return True


def lift_suppression(actor: User, customer: Customer) -> None:
    """Send mail to the customer's address again (they fixed their mailbox)."""
    require(actor, "customer.edit")
    customer.email_suppressed_at = None
    customer.email_suppression_reason = None
    db.session.flush()
