"""Which of our sent emails a returned message names, by its Message-ID (for delivery reports).

A delivery report may only act on mail we really sent: the returned headers must carry the
Message-ID of an email in our outbox, a random 64-bit id under MAIL_DOMAIN (signed when it is
about a ticket) that an outsider cannot guess. Its row says who it went to and for which
organization, so a report is routed by it, whatever address it was sent to.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.mail.identity import ownership
from supportdesk.mail.outbound.models import EmailMessage

MAX_IDS = 50  # Message-IDs looked up per report (a report returns one message's headers)


@dataclass(frozen=True)
class SentEmail:
    """One email of ours a report refers to."""

    email_id: int
    organization_id: int
    to_address: str
    kind: str


def sent_emails(message_ids: list[str]) -> list[SentEmail]:
    """Our outbox emails with one of these Message-IDs (only ids under MAIL_DOMAIN are looked up)."""
    suffix = "@" + ownership.mail_domain() + ">"
    ours = list(dict.fromkeys(m.lower() for m in message_ids if m.lower().endswith(suffix)))
    if not ours:
        return []
    rows = db.session.execute(
        sa.select(
            EmailMessage.id,
            EmailMessage.organization_id,
            EmailMessage.to_address,
            EmailMessage.kind,
        )
        .where(EmailMessage.message_id_header.in_(ours[:MAX_IDS]))
        .order_by(EmailMessage.id)
    )
    return [SentEmail(*row) for row in rows]
