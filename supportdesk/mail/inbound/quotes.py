"""Strip the quoted history from a reply, so the ticket shows what the customer just wrote.

The full original stays available (the raw message is linked to the reply). Markers cover the
usual clients: Gmail and Apple Mail ("On … wrote:"), Outlook ("-----Original Message-----",
"From: … Sent: …"), German clients ("Am … schrieb …:"), '>' quoted blocks and "-- " signatures.
"""

from __future__ import annotations

import re

_CUT_MARKERS = [
    # "On Tue, 3 Mar 2026 at 10:00, Jane <jane@example.com> wrote:" (may wrap onto two lines)
    re.compile(r"^\s*On\b.{0,300}?\bwrote:\s*$", re.IGNORECASE | re.DOTALL | re.MULTILINE),
    re.compile(r"^\s*Am\b.{0,300}?\bschrieb\b.{0,200}?:\s*$", re.DOTALL | re.MULTILINE),
    re.compile(r"^\s*Le\b.{0,300}?\ba écrit\s*:\s*$", re.DOTALL | re.MULTILINE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht)\s*-{2,}\s*$", re.I | re.M),
    re.compile(r"^\s*_{10,}\s*$", re.MULTILINE),  # Outlook web's rule above the quoted header
    re.compile(r"^\s*(From|Von):\s.*\n\s*(Sent|Gesendet|Date|Datum):\s", re.I | re.M),
    re.compile(r"^-- $", re.MULTILINE),  # the signature separator
]


def strip_quoted(text: str) -> str:
    """The new part of a reply: text above the first quote marker, minus '>' quoted lines."""
    text = (text or "").replace("\r\n", "\n")
    cut = len(text)
    for marker in _CUT_MARKERS:
        match = marker.search(text)
        if match and match.start() < cut:
            cut = match.start()
    kept = [line for line in text[:cut].split("\n") if not line.lstrip().startswith(">")]
    result = "\n".join(kept).strip()
    # Everything was quoted (a top-quoting client sent nothing new): keep the whole text.
    return result or text.strip()
