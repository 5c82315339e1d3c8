"""The contact form: a visitor opens a ticket on the web (channel `web`), with spam checks.

Spam rules, in one place (the view applies them before calling `open_request`):
- a honeypot field people never see: filled in, the post is dropped, answered as a success;
- a time trap: the form carries a signed timestamp; a post sooner than CONTACT_MIN_SECONDS
  after the page was served (a script), or with a missing, forged or day-old stamp, is refused;
- rate limits per address and per client (supportdesk.auth.throttle's counters).
The confirmation email is the acknowledgement every new ticket gets (mail.rules).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from supportdesk.attachments.service import Upload
from supportdesk.customers import service as customers
from supportdesk.errors import DomainError, NotFound, ValidationFailed
from supportdesk.selfservice.service import settings_for
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Ticket

STAMP_SALT = "supportdesk.contact-form"
STAMP_MAX_AGE = 24 * 3600


class TooManyRequests(DomainError):
    """Too many requests for this address or from this network (the same answer for all)."""

    status = 429
    code = "too_many_requests"


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=STAMP_SALT)


def form_stamp() -> str:
    """The signed time the form was served, for its hidden field."""
    return _signer().sign(str(int(time.time()))).decode()


def check_stamp(stamp: str) -> None:
    """Refuse a post made too soon after the form was served, or with no valid stamp."""
    refusal = ValidationFailed(
        _("The form could not be checked. Please wait a moment and send it again."),
        {"stamp": _("Send the form again.")},
    )
    try:
        served = int(_signer().unsign(stamp or "", max_age=STAMP_MAX_AGE))
    except (BadSignature, SignatureExpired, ValueError) as exc:
        raise refusal from exc
    if time.time() - served < float(current_app.config["CONTACT_MIN_SECONDS"]):
        raise refusal


def open_request(
    organization_id: int, *, name: str, email: str, subject: str, body: str,
    uploads: Iterable[Upload] = (), language: str | None = None,
) -> Ticket:  # fmt: skip
    """Open a ticket from the contact form, as the customer (found or created by address).

    `language`: the visitor's browser's (i18n.request_language), kept for a new customer's mail.
    """
    if not settings_for(organization_id).contact_form:
        raise NotFound(_("This contact form is switched off."))
    customers.find_or_create(organization_id, email, name, language=language)
    return tickets.open_ticket(
        organization_id,
        actor=None,
        customer_email=email,
        customer_name=name,
        subject=subject,
        body=body,
        channel=Channel.WEB,
        attachments=uploads,
    )
