"""Mail that is not a customer writing: delivery reports, verification codes coming back,
auto-replies. None of it changes a ticket or causes mail (see service.py's contract)."""

from __future__ import annotations

import logging

from supportdesk.customers import service as customers
from supportdesk.db import utcnow
from supportdesk.localtime import organization_time
from supportdesk.mail.identity import verification
from supportdesk.mail.identity.sent import sent_emails
from supportdesk.mail.inbound import loops, parse, routing
from supportdesk.mail.inbound.models import Decision, InboundEmail, InboundStatus

log = logging.getLogger(__name__)


def handle_bounce(row: InboundEmail, bounce: loops.Bounce, raw: bytes) -> None:
    """Suppress only addresses the report proves we mailed; route it by our Message-ID."""
    returned = raw.decode("latin-1")
    why = f"The verification mail bounced ({bounce.status or 'no status'}); send a new code."
    verification.withdraw([returned], why)
    # Bounces come back to our envelope sender, which no organization owns: the returned
    # headers carry the Message-ID of the email we sent, and its row names the organization.
    sent = sent_emails(parse.message_ids(returned))
    for email in sent:
        if email.kind == verification.EMAIL_KIND:
            verification.withdraw_address(email.to_address, why)
    if sent:
        row.organization_id = sent[0].organization_id
    proven = {e.to_address for e in sent if e.organization_id == row.organization_id}
    suppressed, unproven = [], []
    for address in bounce.failed if bounce.hard else []:
        if address not in proven:
            unproven.append(address)
            continue
        received = organization_time(row.organization_id, utcnow(), "date")
        note = f"Hard bounce {bounce.status} received {received}"
        if customers.suppress_email(row.organization_id, address, note):
            suppressed.append(address)
    kind = f"A permanent delivery failure ({bounce.status})" if bounce.hard else "A delivery report"
    outcome = f"; mail to {', '.join(suppressed)} is now suppressed" if suppressed else ""
    if not sent or unproven:
        named = ", ".join(unproven) or "no address"
        outcome += (
            f"; suspicious: it names {named} but returns no message we sent there, so nothing "
            "was suppressed for it"
        )
        log.warning("Suspicious delivery report (inbound mail %s) naming %s", row.id, named)
    row.decide(InboundStatus.IGNORED, Decision.BOUNCE, f"{kind}{outcome}. No ticket was changed.")


def handle_verification(row: InboundEmail, parsed: parse.ParsedEmail) -> bool:
    """A support address's code came back, forwarded from it to its organization: verified."""
    texts = [parsed.text, parsed.html]
    verified = verification.verify(texts, row.recipients, row.organization_id)
    if verified is None:
        return False
    row.organization_id = verified.organization_id
    row.decide(
        InboundStatus.IGNORED,
        Decision.ADDRESS_VERIFICATION,
        f"The verification code for {verified.address} came back through it: the address "
        "is verified and its mail opens tickets here.",
    )
    return True


def handle_auto_reply(row: InboundEmail, parsed: parse.ParsedEmail, why: str) -> None:
    """Log an auto-reply against the ticket it answers; a code it quotes is withdrawn."""
    verification.withdraw(
        [parsed.text, parsed.html], "An automatic reply quoted the code; send a new one."
    )
    # Logged only, never added to the ticket: a note would need an author and would bump the
    # ticket in the queues for mail nobody has to read. The log links it to the ticket.
    if row.organization_id is not None:
        matched = routing.match(row.organization_id, parsed, row.recipients)
        row.ticket_id = matched.ticket.id if matched.ticket else None
    row.decide(
        InboundStatus.IGNORED,
        Decision.AUTO_REPLY_IGNORED,
        f"Automatic reply ({why}); it never reopens a ticket or triggers mail.",
    )
