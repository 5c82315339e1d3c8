"""Verifying a support address outside our mail domain: a one-time code mailed to it, back in.

How hosted help desks verify forwarding: we mail a code to the address; the admin forwards that
address's mail to one of the organization's verified addresses (its `support@<slug>.<MAIL_DOMAIN>`);
when a message carrying the code arrives through `receive_email` with the address among its
recipients *and routed to that organization*, the address is proven to deliver to it and becomes
verified. (Routed anywhere else, it proves nothing: a mailbox already forwarding to another
organization would otherwise verify anyone's request.)

The code is the only secret, so nobody may see it but the mailbox: only its SHA-256 is stored,
the email carrying it is never previewed, and any other message that carries it (a bounce
quoting it, an auto-reply, a reply to us) withdraws it: the admin sends a new one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk import events
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.mail.inbound.models import SupportAddress
from supportdesk.mail.outbound.models import ADDRESS_VERIFICATION

EMAIL_KIND = ADDRESS_VERIFICATION  # the outbox kind of the email carrying a code
_CODE_RE = re.compile(r"\bsd-verify-([0-9a-f]{32})\b", re.IGNORECASE)


@dataclass(frozen=True)
class VerificationRequested:
    """A code to mail to an unverified address (the notifications subscriber queues it)."""

    organization_id: int
    address_id: int
    address: str
    code: str


def _digest(code: str) -> str:
    return hashlib.sha256(code.lower().encode()).hexdigest()


def start(row: SupportAddress) -> None:
    """Issue a new code for `row` (any earlier one stops working) and have it mailed."""
    code = f"sd-verify-{secrets.token_hex(16)}"
    row.verification_hash = _digest(code)
    row.verification_sent_at = utcnow()
    row.verification_note = ""
    db.session.flush()
    events.record(db.session, VerificationRequested(row.organization_id, row.id, row.address, code))


def _pending(texts: list[str]) -> list[SupportAddress]:
    digests = {_digest(m.group(0)) for text in texts for m in _CODE_RE.finditer(text or "")}
    if not digests:
        return []
    return list(
        db.session.scalars(
            sa.select(SupportAddress).where(
                SupportAddress.verification_hash.in_(digests), SupportAddress.verified_at.is_(None)
            )
        )
    )


def _has_default(organization_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(SupportAddress.id).where(
                SupportAddress.organization_id == organization_id,
                SupportAddress.is_default.is_(True),
            )
        )
        is not None
    )


def verify(texts: list[str], recipients: list[str], routed_to: int | None) -> SupportAddress | None:
    """The address a message carrying its code verifies (flushed), or None.

    The message must have been sent to the address and routed (`routed_to`, by the verified
    addresses among its recipients) to the organization that asked; any other way back
    withdraws the code (see the module docstring).
    """
    verified = None
    for row in _pending(texts):
        row.verification_hash = None
        forwarded = row.address in recipients and row.organization_id == routed_to
        if forwarded and verified is None:
            row.verified_at = utcnow()
            row.verification_note = ""
            row.is_default = not _has_default(row.organization_id)
            verified = row
        else:
            row.verification_note = (
                "The code came back, but not forwarded from this address to this organization's"
                " support address; send a new one."
            )
    db.session.flush()
    return verified


def withdraw(texts: list[str], why: str) -> list[SupportAddress]:
    """Withdraw every code these texts carry (a bounce or an auto-reply quoted it)."""
    rows = _pending(texts)
    for row in rows:
        row.verification_hash = None
        row.verification_note = why[:300]
    db.session.flush()
    return rows


def withdraw_address(address: str, why: str) -> None:
    """Withdraw the pending code of `address` (the email carrying it bounced)."""
    row = db.session.scalar(
        sa.select(SupportAddress).where(
            SupportAddress.address == address, SupportAddress.verified_at.is_(None)
        )
    )
    if row is not None:
        row.verification_hash = None
        row.verification_note = why[:300]
        db.session.flush()
