"""Our signed per-ticket reply address and our Message-IDs (HMAC with the secret key).

Outbound mail sets `Reply-To: support+<ticket id>.<signature>@<MAIL_DOMAIN>` and a Message-ID
`<sd.<ticket id>.<random>.<signature>@<MAIL_DOMAIN>>` (`<sd.mail.<random>@…>` for mail about no
ticket). Inbound mail is matched to a ticket by
either, and only if the signature verifies: a guessed ticket id is worthless without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from flask import current_app

_SIG_LENGTH = 12  # hex characters of HMAC-SHA256 kept (48 bits: not guessable online)


def _signature(kind: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:_SIG_LENGTH]


def _domain() -> str:
    return current_app.config["MAIL_DOMAIN"].lower()


def reply_address(ticket_id: int) -> str:
    """The address a customer replies to for this ticket."""
    return f"support+{ticket_id}.{_signature('reply', str(ticket_id))}@{_domain()}"


_REPLY_RE = re.compile(r"^support\+(\d{1,18})\.([0-9a-f]{12})@(.+)$")


def ticket_from_reply_address(address: str) -> int | None:
    """The ticket id in one of our signed reply addresses, or None if it is not one."""
    match = _REPLY_RE.match((address or "").strip().lower())
    if not match or match.group(3) != _domain():
        return None
    ticket_id, signature = match.group(1), match.group(2)
    if not hmac.compare_digest(signature, _signature("reply", ticket_id)):
        return None
    return int(ticket_id)


def new_message_id(ticket_id: int | None) -> str:
    """A fresh Message-ID for an email about this ticket, or about none (angle brackets included).

    Without a ticket the id is `<sd.mail.<random>@<MAIL_DOMAIN>>`: ours, but never matched to a
    ticket when a reply quotes it.
    """
    nonce = secrets.token_hex(8)
    if ticket_id is None:
        return f"<sd.mail.{nonce}@{_domain()}>"
    signature = _signature("msgid", f"{ticket_id}.{nonce}")
    return f"<sd.{ticket_id}.{nonce}.{signature}@{_domain()}>"


_MSGID_RE = re.compile(r"<?sd\.(\d{1,18})\.([0-9a-f]{16})\.([0-9a-f]{12})@([^>\s]+)>?")


def ticket_from_message_ids(header_value: str | None) -> int | None:
    """The ticket of the first valid Message-ID of ours in an In-Reply-To/References value."""
    for match in _MSGID_RE.finditer((header_value or "").lower()):
        ticket_id, nonce, signature, domain = match.groups()
        if domain != _domain():
            continue
        if hmac.compare_digest(signature, _signature("msgid", f"{ticket_id}.{nonce}")):
            return int(ticket_id)
    return None
