"""Customer writes: find-or-create by email, create and edit. Flushes, never commits."""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from supportdesk import events, i18n
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.customers.events import CustomerCreated, CustomerUpdated
from supportdesk.customers.models import Customer, Tier
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from supportdesk.sla import service as sla
from supportdesk.tickets.models import ACTIVE_STATUSES, Ticket

MAX_EMAIL = 254  # the column's size (RFC 5321's limit on a path)

# update_customer leaves the language as it is unless told (the API edits no language).
KEEP = object()


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


def find_or_create(
    organization_id: int, email: str, name: str = "", language: str | None = None
) -> Customer:
    """The customer with this email, created if new. Safe against a concurrent create.

    `language`: the one their mail or browser asked for (supportdesk.i18n.from_header); it
    fills a language not known yet and never replaces one that is (see adopt_language).
    """
    email = normalise_email(email)
    existing = find_by_email(organization_id, email)
    if existing is not None:
        if name and not existing.name:
            existing.name = name.strip()[:200]
        adopt_language(existing, language)
        return existing
    customer = Customer(
        organization_id=organization_id,
        email=email,
        name=(name or "").strip()[:200],
        language=i18n.supported(language),
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


def adopt_language(customer: Customer, language: str | None) -> None:
    """Fill the customer's language from what their mail or browser asked for, when not known.

    A language the customer or an agent chose stays: a customer who writes from a phone set to
    English still gets German mail once German was chosen for them.
    """
    if customer.language is None and i18n.supported(language):
        customer.language = i18n.supported(language)


def create_customer(
    actor: User,
    *,
    email: str,
    name: str = "",
    tier: Tier = Tier.FREE,
    company: str = "",
    language: str | None = None,
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
        language=i18n.check(language),
    )
    db.session.add(customer)
    db.session.flush()
    events.record(db.session, CustomerCreated(customer))
    return customer


def update_customer(
    actor: User,
    customer: Customer,
    *,
    email: str,
    name: str,
    tier: Tier,
    company: str,
    language: str | None | object = KEEP,
) -> Customer:
    """Edit a customer's details; the new address must not belong to another customer.

    `language`: the language of their mail (empty: not known, English); left out, it stays.
    """
    require(actor, "customer.edit")
    email = normalise_email(email)
    if email != customer.email:
        other = find_by_email(customer.organization_id, email)
        if other is not None:
            raise Conflict(
                f"A customer with the address {email} already exists.",
                {"email": "This address belongs to another customer."},
            )
    before = (customer.email, customer.name, customer.tier, customer.company)
    customer.email = email
    customer.name = name.strip()
    customer.company = company.strip()
    if language is not KEEP:
        customer.language = i18n.check(language)
    change_tier(customer, tier)
    if before != (customer.email, customer.name, customer.tier, customer.company):
        events.record(db.session, CustomerUpdated(customer))
    db.session.flush()
    return customer


def change_tier(customer: Customer, tier: Tier) -> bool:
    """Set the customer's tier; when it changes, their open tickets take the new tier's SLA.

    The one way a tier changes (an agent's edit, a CRM pull). Returns whether it changed.
    """
    if customer.tier is tier:
        db.session.flush()
        return False
    customer.tier = tier
    db.session.flush()
    ticket_ids = db.session.scalars(
        sa.select(Ticket.id).where(
            Ticket.organization_id == customer.organization_id,
            Ticket.customer_id == customer.id,
            Ticket.status.in_(ACTIVE_STATUSES),
        )
    ).all()
    if ticket_ids:
        sla.recompute(ticket_ids)
    from supportdesk.reports.service import mark_customer

    mark_customer(customer)  # their tickets move to the new tier's figures
    return True


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
