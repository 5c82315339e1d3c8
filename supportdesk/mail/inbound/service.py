"""The one code path for inbound mail: store the raw message, then route, match and apply it.

`receive_email` is called by every entrance (HTTP, LMTP, stdin). It flushes, never commits: the
entrance commits once. The raw message is stored before anything else, so a message that cannot
be read or routed is kept (status unprocessed), never dropped.

Contract with outbound notifications: automatic mail (auto-replies, bounces, mail from our own
domain) never calls a ticket service, so it records no TicketEvent and can neither reopen a
ticket nor cause a notification. Any future code that does change a ticket for such mail must
put `"suppress_notifications": True` in the events' `data`; senders send nothing for those.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError

from supportdesk import audit
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.customers import service as customers
from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.mail.identity import ownership
from supportdesk.mail.inbound import authresults, automatic, loops, parse, routing
from supportdesk.mail.inbound.attachments import store_attachments
from supportdesk.mail.inbound.models import Decision, InboundEmail, InboundStatus
from supportdesk.mail.inbound.queries import get_visible_inbound
from supportdesk.mail.inbound.quotes import strip_quoted
from supportdesk.mail.inbound.subjects import clean_subject
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Message, Status, Ticket

NO_TEXT = "(This email has no text.)"

log = logging.getLogger(__name__)


class MessageTooLarge(DomainError):
    """The message is over the size limit; it is refused, not stored."""

    status = 413
    code = "too_large"


@dataclass
class ReceiveResult:
    """What happened to one message, for the entrance to report."""

    inbound_id: int
    status: InboundStatus
    decision: Decision
    reason: str
    ticket_number: int | None

    def sentence(self) -> str:
        ticket = f" (ticket #{self.ticket_number})" if self.ticket_number else ""
        return f"{self.decision.label}{ticket}: {self.reason} [{self.status.value}]"

    def as_json(self) -> dict:
        return {
            "id": self.inbound_id,
            "status": self.status.value,
            "decision": self.decision.value,
            "reason": self.reason,
            "ticket": self.ticket_number,
        }


def receive_email(
    raw: bytes, *, envelope_recipients: list[str] | tuple[str, ...] = (), source: str
) -> ReceiveResult:
    """Store one raw message and process it; MessageTooLarge when it is over the limit."""
    limit = int(current_app.config["INBOUND_MAX_MESSAGE_BYTES"])
    if len(raw) > limit:
        raise MessageTooLarge(
            f"The message is larger than the limit of {limit:,} bytes; it was not stored."
        )
    envelope = [a.strip().lower() for a in envelope_recipients if a and a.strip()]
    row = InboundEmail(
        source=source[:20],
        envelope_recipients=envelope,
        recipients=envelope,
        size=len(raw),
        raw=raw,
        status=InboundStatus.UNPROCESSED,
        decision=Decision.UNPARSEABLE,
        received_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    _process_safely(row, raw)
    return _result(row)


def _process_safely(row: InboundEmail, raw: bytes) -> None:
    """Identify the mail (sender, routing), then decide in a savepoint; a failure keeps it."""
    parsed, found = _identify(row, raw)
    db.session.flush()
    if parsed is not None:
        try:
            with db.session.begin_nested():
                _decide(row, parsed, found, raw)
        except OperationalError:
            raise  # the database is unavailable: the entrance answers "try again later"
        except Exception as exc:
            # A bug or a race (the ticket changed under us) must not lose the mail: keep it.
            log.exception("Inbound mail %s could not be processed", row.id)
            row.decide(
                InboundStatus.UNPROCESSED,
                Decision.UNPARSEABLE,
                f"Processing failed ({exc.__class__.__name__}); kept for an admin to retry.",
            )
    db.session.flush()


def _result(row: InboundEmail) -> ReceiveResult:
    number = None
    if row.ticket_id is not None:
        number = db.session.scalar(sa.select(Ticket.number).where(Ticket.id == row.ticket_id))
    return ReceiveResult(row.id, row.status, row.decision, row.reason, number)


def _recipients(envelope: list[str], parsed: parse.ParsedEmail) -> list[str]:
    found = list(envelope)
    for header in ("Delivered-To", "To", "Cc"):
        found.extend(parse.addresses(parsed.message, header))
    return list(dict.fromkeys(found))


def _identify(
    row: InboundEmail, raw: bytes
) -> tuple[parse.ParsedEmail | None, routing.Route | None]:
    """Read the headers and route the mail; None when it cannot be read (then it is kept)."""
    row.organization_id = row.ticket_id = row.message_id = None
    try:
        parsed = parse.read(raw)
    except Exception as exc:  # Unparseable, or a MIME structure the stdlib chokes on
        reason = str(exc) if isinstance(exc, parse.Unparseable) else ""
        found = routing.route(row.envelope_recipients)
        row.organization_id = found.organization_id if found else None
        row.decide(
            InboundStatus.UNPROCESSED,
            Decision.UNPARSEABLE,
            reason or f"The message could not be read ({exc.__class__.__name__}).",
        )
        return None, found
    row.from_address = parsed.from_address[:320]
    row.subject = parsed.subject[:998]
    row.message_id_header = parsed.message_id[:998] if parsed.message_id else None
    row.recipients = _recipients(row.envelope_recipients, parsed)
    row.dmarc = authresults.dmarc_result(
        parsed.message, current_app.config.get("INBOUND_AUTHSERV_ID")
    )
    found = routing.route(row.recipients)
    row.organization_id = found.organization_id if found else None
    return parsed, found


def _decide(
    row: InboundEmail, parsed: parse.ParsedEmail, found: routing.Route | None, raw: bytes
) -> None:
    if _is_duplicate(row):
        return
    bounce = loops.bounce_info(parsed.message, parsed.from_address)
    if bounce is not None:
        automatic.handle_bounce(row, bounce, raw)
        return
    if automatic.handle_verification(row, parsed):
        return
    auto = loops.auto_reply_reason(parsed.message, parsed.from_address)
    if auto is not None:
        automatic.handle_auto_reply(row, parsed, auto)
        return
    if ownership.is_ours(parsed.from_address):
        row.decide(
            InboundStatus.REJECTED,
            Decision.AUTO_REPLY_IGNORED,
            "Sent from one of our own addresses: refused to avoid a mail loop.",
        )
        return
    if found is None:
        row.decide(
            InboundStatus.UNPROCESSED,
            Decision.UNROUTED,
            "No organization owns any of the recipient addresses; kept until an admin routes it.",
        )
        return
    _apply(row, parsed, found)


def _is_duplicate(row: InboundEmail) -> bool:
    if not row.message_id_header:
        return False
    original = db.session.scalar(
        sa.select(InboundEmail)
        .where(
            InboundEmail.organization_id.is_(None)
            if row.organization_id is None
            else InboundEmail.organization_id == row.organization_id,
            InboundEmail.message_id_header == row.message_id_header,
            InboundEmail.id != row.id,
            InboundEmail.status != InboundStatus.DUPLICATE,
        )
        .order_by(InboundEmail.id)
        .limit(1)
    )
    if original is None:
        return False
    # Stored once: the copy keeps its log line, not a second copy of the bytes.
    row.raw = b""
    row.ticket_id = original.ticket_id
    row.decide(
        InboundStatus.DUPLICATE,
        Decision.DUPLICATE,
        f"The same Message-ID was already received (inbound mail {original.id}).",
    )
    return True


def _body(text: str) -> str:
    text = text.strip() or NO_TEXT
    if len(text) > tickets.MAX_BODY:
        text = text[: tickets.MAX_BODY - 80] + "\n\n[… shortened: view the original for the rest]"
    return text


def _apply(row: InboundEmail, parsed: parse.ParsedEmail, found: routing.Route) -> None:
    org_id = found.organization_id
    failed_dmarc = row.dmarc == authresults.DMARC_FAIL
    matched = routing.match(org_id, parsed, row.recipients, subject_token=not failed_dmarc)
    if matched.ticket is not None and matched.ticket.status is Status.CLOSED:
        matched = routing.Match(
            Decision.NEW_TICKET,
            None,
            f"Answers closed ticket #{matched.ticket.number}; a closed ticket stays closed, so "
            "a new ticket was opened.",
        )
    thread = parse.message_ids(parsed.in_reply_to)
    try:
        # A savepoint: a rule refusing the mail (an odd sender address) leaves it unprocessed.
        with db.session.begin_nested():
            if matched.ticket is None:
                message = _open(org_id, parsed, row.dmarc)
            else:
                customer = customers.find_or_create(org_id, parsed.from_address, parsed.from_name)
                message = tickets.customer_reply(
                    matched.ticket,
                    customer,
                    _body(strip_quoted(parsed.text)),
                    message_id=parsed.message_id[:998] if parsed.message_id else None,
                    in_reply_to=thread[0][:998] if thread else None,
                )
            message.body_html = parsed.html
            # Before the COMMIT, so the acknowledgement of this very mail speaks it already.
            customers.adopt_language(message.author_customer, parse.content_language(parsed))
            store_attachments(message, parsed.parts)
            db.session.flush()
    except DomainError as exc:
        row.decide(
            InboundStatus.UNPROCESSED,
            Decision.UNPARSEABLE,
            f"Routed ({found.reason}) but refused: {exc.message}",
        )
        return
    row.ticket_id, row.message_id = message.ticket_id, message.id
    flag = " The sender's domain failed DMARC: flagged, not acknowledged." if failed_dmarc else ""
    row.decide(InboundStatus.PROCESSED, matched.decision, matched.reason + flag)


def _open(organization_id: int, parsed: parse.ParsedEmail, dmarc: str) -> Message:
    ticket = tickets.open_ticket(
        organization_id,
        actor=None,
        customer_email=parsed.from_address,
        customer_name=parsed.from_name,
        subject=clean_subject(parsed.subject),
        body=_body(parsed.text),
        channel=Channel.EMAIL,
        # The acknowledgement reads it: none on a DMARC failure, no quoted text unless a pass.
        event_data={"dmarc": dmarc},
    )
    message = ticket.messages[0]
    message.email_message_id = parsed.message_id[:998] if parsed.message_id else None
    return message


# -- admin actions on kept mail -------------------------------------------------------------


def retry_inbound(actor: User, inbound_id: int) -> ReceiveResult:
    """Process an unprocessed message again (after an address was added, say)."""
    require(actor, "mail.manage")
    row = get_visible_inbound(actor.organization_id, inbound_id)
    if row.status is not InboundStatus.UNPROCESSED:
        raise DomainError("Only unprocessed mail can be retried.")
    _process_safely(row, row.raw)
    return _result(row)


def delete_inbound(actor: User, inbound_id: int) -> None:
    """Delete an unprocessed message for good (spam sent to a wrong address, say).

    Every other message is the record of what mail did (a ticket's original, a bounce, a
    verification): it stays.
    """
    require(actor, "mail.manage")
    row = get_visible_inbound(actor.organization_id, inbound_id)
    if row.status is not InboundStatus.UNPROCESSED:
        raise DomainError(
            "Only unprocessed mail can be deleted; this message is kept as the original."
        )
    audit.record(
        actor.organization_id,
        "inbound_email.deleted",
        actor=actor,
        target=("inbound_email", row.id, row.subject or "(no subject)"),
        before={"from": row.from_address, "subject": row.subject, "received_at": row.received_at},
    )
    db.session.delete(row)
    db.session.flush()
