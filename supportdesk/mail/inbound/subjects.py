"""Ticket subjects from mail subjects: reply and forward prefixes removed, one clean line."""

from __future__ import annotations

import re

from supportdesk.mail.inbound.parse import clean_line

# English, German (AW, WG), Scandinavian (SV, VS), Dutch (Antw), French (TR), and mailing lists.
_PREFIX_RE = re.compile(r"^\s*(re|aw|wg|fwd?|sv|vs|antw|tr|r)\s*(\[\d+\])?\s*:\s*", re.IGNORECASE)

MAX_SUBJECT = 300


def clean_subject(subject: str) -> str:
    """'RE: AW: Fwd: Printer' → 'Printer'; '(no subject)' when nothing is left."""
    subject = clean_line(subject)
    while True:
        stripped = _PREFIX_RE.sub("", subject, count=1)
        if stripped == subject:
            break
        subject = stripped
    return subject[:MAX_SUBJECT].strip() or "(no subject)"
