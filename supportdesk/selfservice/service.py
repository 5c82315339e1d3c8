"""Self-service writes: portal settings, sign-in links, and a customer's reply or close. Flush only.

Rules, in one place:
- Asking for a sign-in link never says whether the address is a customer's, by its answer or by
  its time: the request only checks the address's form and queues a job, the same for every
  address (`request_link`); the job looks the address up and mails a link only to a known
  customer of the organization (`send_link`; unknown: nothing).
- A link works once, for PORTAL_LINK_MINUTES, only in its own organization, and only while it
  is the customer's newest (a new link replaces the open ones).
- A customer reaches their own tickets, and their company's when the organization allows it
  (customers whose `company` is the same, non-empty, in any case): supportdesk.selfservice.queries.
- A customer's reply is the same write as their emailed reply (tickets.service.customer_reply):
  history, SLA, notifications and webhooks follow from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from supportdesk import audit, events, i18n, jobs
from supportdesk.accounts.links import new_secret, secret_hash
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.accounts.resets import LinkInvalid
from supportdesk.attachments import service as files
from supportdesk.attachments.service import Upload
from supportdesk.customers import service as customers
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from supportdesk.selfservice.models import PortalLink, PortalSettings
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Message, Status, Ticket

MAX_DELAY_HOURS = 24 * 14
SETTINGS_FIELDS = ("company_tickets", "contact_form", "csat_enabled", "csat_delay_hours")


@dataclass(frozen=True)
class PortalLinkSent:
    """A sign-in link to mail to a customer (mail.rules mails it); `secret` is in the link only."""

    organization_id: int
    customer_id: int
    email: str
    name: str
    secret: str
    expires_at: dt.datetime


def choose_language(customer: Customer, code: str | None) -> None:
    """The customer's own choice of language (portal pages and their mail); empty: not known."""
    customer.language = i18n.check(code)


# -- settings --------------------------------------------------------------------------------


def settings_for(organization_id: int) -> PortalSettings:
    """The organization's portal settings (the defaults, unsaved, when it has none yet)."""
    row = db.session.get(PortalSettings, organization_id)
    if row is None:
        row = PortalSettings(
            organization_id=organization_id,
            company_tickets=False,
            contact_form=True,
            csat_enabled=True,
            csat_delay_hours=0,
        )
    return row


def update_settings(
    actor: User, *, company_tickets: bool, contact_form: bool, csat_enabled: bool,
    csat_delay_hours: int,
) -> PortalSettings:  # fmt: skip
    """Save the portal and survey settings (admins); the change goes to the audit log."""
    require(actor, "organization.manage")
    if not 0 <= int(csat_delay_hours) <= MAX_DELAY_HOURS:
        raise ValidationFailed(
            "The survey delay is out of range.",
            {"csat_delay_hours": f"Use 0 to {MAX_DELAY_HOURS} hours."},
        )
    row = settings_for(actor.organization_id)
    before = audit.snapshot(row, SETTINGS_FIELDS) if sa.inspect(row).persistent else None
    row.company_tickets = bool(company_tickets)
    row.contact_form = bool(contact_form)
    row.csat_enabled = bool(csat_enabled)
    row.csat_delay_hours = int(csat_delay_hours)
    if before is None or before != audit.snapshot(row, SETTINGS_FIELDS):
        row.updated_at = utcnow()  # an unchanged form saves nothing
    db.session.add(row)
    db.session.flush()
    audit.record_changes(
        actor.organization_id,
        "portal_settings.updated",
        actor=actor,
        target=("organization", actor.organization_id, "Customer portal and surveys"),
        before=before,
        after=audit.snapshot(row, SETTINGS_FIELDS),
    )
    return row


# -- sign-in links ---------------------------------------------------------------------------


def _lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config["PORTAL_LINK_MINUTES"]))


SEND_LINK_JOB = "supportdesk.jobs.selfservice.send_portal_link"


def request_link(organization_id: int, email: str) -> None:
    """Ask for a sign-in link for `email`: queue the job that mails one if it is a customer's.

    The request does the same work for every address: the address's form is checked (a
    malformed one is a field error, the same for everyone), then no lookup, no row, no mail
    here, one job queued on the commit. Neither the answer nor the time it takes tells a known
    address from an unknown one. While Redis is down the job runs in this process after the
    commit instead of being lost.
    """
    address = customers.normalise_email(email)
    jobs.defer(
        db.session,
        SEND_LINK_JOB,
        organization_id,
        address,
        queue="emails",
        here_if_redis_fails=True,  # no row for a sweep to find: done here rather than lost
    )


def send_link(organization_id: int, email: str) -> PortalLink | None:
    """Mail a sign-in link if `email` is a customer of the organization; None (no mail)
    otherwise. Run by the job `request_link` queues, never in the request (see there).
    """
    address = customers.normalise_email(email)
    customer = customers.find_by_email(organization_id, address)
    if customer is None:
        return None
    now = utcnow()
    db.session.execute(
        sa.update(PortalLink)
        .where(
            PortalLink.organization_id == organization_id,
            PortalLink.customer_id == customer.id,
            PortalLink.used_at.is_(None),
            PortalLink.expires_at > now,
        )
        .values(expires_at=now)
    )
    plain, hashed = new_secret()
    row = PortalLink(
        organization_id=organization_id,
        customer_id=customer.id,
        token_hash=hashed,
        created_at=now,
        expires_at=now + _lifetime(),
    )
    db.session.add(row)
    db.session.flush()
    events.record(
        db.session,
        PortalLinkSent(
            organization_id, customer.id, customer.email, customer.name, plain, row.expires_at
        ),
    )
    return row


def use_link(organization_id: int, secret: str) -> Customer:
    """The customer a link signs in (the link is used up), or LinkInvalid.

    Another organization's link is unknown here: rows are looked up within `organization_id`.
    """
    hashed = secret_hash(secret)
    row = (
        db.session.scalar(
            sa.select(PortalLink)
            .where(PortalLink.organization_id == organization_id, PortalLink.token_hash == hashed)
            .with_for_update()
        )
        if hashed
        else None
    )
    if row is None or not row.usable(utcnow()):
        raise LinkInvalid(
            _("This sign-in link has expired or was already used. Ask for a new one.")
        )
    row.used_at = utcnow()
    customer = db.session.get(Customer, row.customer_id)
    return customer


# -- what a signed-in customer does ----------------------------------------------------------


class TicketClosed(Conflict):
    """A closed ticket takes no more replies from the portal (a new request is the way)."""


def reply(customer: Customer, ticket: Ticket, body: str, uploads: Iterable[Upload] = ()) -> Message:
    """The customer's reply from the portal, with files (the same limits as the agents')."""
    if ticket.status is Status.CLOSED:
        raise TicketClosed(
            "This request is closed. Open a new request if you need more help.",
            {"body": "This request is closed."},
        )
    checked = files.check(list(uploads))
    message = tickets.customer_reply(ticket, customer, body)
    files.attach(message, checked)
    return message


def close(customer: Customer, ticket: Ticket) -> bool:
    """The customer closes their request (solved, or no longer needed); False if it already was."""
    return tickets.customer_close(ticket, customer)
