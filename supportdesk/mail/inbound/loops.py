"""Mail that must never open or reopen a ticket nor trigger mail: auto-replies and bounces.

Auto-replies are recognised by their headers (RFC 3834 Auto-Submitted, the common X-Autoreply,
X-Autorespond, X-Loop, Precedence) and by robot senders; bounces by the delivery status report
format (RFC 3464) or a mailer-daemon sender. A hard bounce (5.x.x) names the failed addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage

from supportdesk.mail.inbound.parse import clean_line

_ROBOT_LOCAL_PARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply"}
_BOUNCE_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
_STATUS_RE = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}")


@dataclass
class Bounce:
    """A delivery failure report: which addresses failed, and whether permanently."""

    hard: bool
    failed: list[str] = field(default_factory=list)
    status: str = ""


def auto_reply_reason(message: EmailMessage, sender: str) -> str | None:
    """Why this message is automatic (a sentence), or None for mail a person wrote."""
    auto = clean_line(str(message.get("Auto-Submitted", "") or "")).lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Loop"):
        if message.get(name) is not None:
            return f"{name} header present"
    precedence = clean_line(str(message.get("Precedence", "") or "")).lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    local = sender.split("@", 1)[0].lower()
    if local in _ROBOT_LOCAL_PARTS:
        return f"sent by the robot address {sender}"
    return None


def _is_report(message: EmailMessage) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and (message.get_param("report-type") or "").lower() == "delivery-status"
    )


def _status_fields(message: EmailMessage) -> list[dict[str, str]]:
    """The per-recipient field groups of the message/delivery-status part(s)."""
    groups: list[dict[str, str]] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The stdlib parses each field block as a small message: first the per-message fields.
        blocks = part.get_payload()
        for block in blocks if isinstance(blocks, list) else []:
            fields = {k.lower(): clean_line(str(v)) for k, v in block.items()}
            if "status" in fields or "final-recipient" in fields:
                groups.append(fields)
    return groups


def bounce_info(message: EmailMessage, sender: str) -> Bounce | None:
    """The bounce this message reports, or None if it is not a delivery failure report."""
    local = sender.split("@", 1)[0].lower()
    if not _is_report(message) and local not in _BOUNCE_LOCAL_PARTS:
        return None
    bounce = Bounce(hard=False)
    for fields in _status_fields(message):
        status = _STATUS_RE.match(fields.get("status", ""))
        action = fields.get("action", "").lower()
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        if status and status.group(1) == "5" and action in ("failed", ""):
            bounce.hard = True
            bounce.status = fields["status"][:20]
            if "@" in address:
                bounce.failed.append(address)
        elif status and not bounce.status:
            bounce.status = fields["status"][:20]
    return bounce
