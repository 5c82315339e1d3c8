"""The DMARC verdict our receiving MTA wrote in `Authentication-Results` (RFC 8601).

Anyone can put an Authentication-Results header in the mail they send, so only the one our
own MTA added is read: the header whose authserv-id is INBOUND_AUTHSERV_ID when that is set
(the MTA must remove incoming headers claiming that id, as OpenDMARC and rspamd do), else the
topmost one (the last hop prepends it). Pure functions over a parsed message.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from supportdesk.mail.inbound.parse import clean_line

_COMMENT_RE = re.compile(r"\([^()]*\)")
_DMARC_RE = re.compile(r"^dmarc\s*=\s*([a-z]+)", re.IGNORECASE)

DMARC_PASS = "pass"  # noqa: S105 (a DMARC result, not a secret)
DMARC_FAIL = "fail"


def _authserv_id(value: str) -> str:
    return value.split(";", 1)[0].split()[0].lower() if value.strip() else ""


def _dmarc(value: str) -> str:
    for clause in value.split(";")[1:]:
        match = _DMARC_RE.match(clause.strip())
        if match:
            return match.group(1).lower()[:20]
    return ""


def dmarc_result(message: EmailMessage, authserv_id: str | None) -> str:
    """`pass`, `fail`, another RFC 8601 result (`none`, `temperror`…), or "" when none is trusted."""
    values = []
    for key, value in message.raw_items():
        if key.lower() == "authentication-results":
            text = clean_line(str(value))
            for _ in range(3):  # comments may nest: strip the innermost first
                text = _COMMENT_RE.sub(" ", text)
            values.append(text)
    if authserv_id:
        trusted = [v for v in values if _authserv_id(v) == authserv_id.lower()]
    else:
        trusted = values[:1]
    results = [r for r in (_dmarc(v) for v in trusted) if r]
    if DMARC_FAIL in results:
        return DMARC_FAIL
    return results[0] if results else ""
