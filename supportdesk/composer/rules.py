"""What an agent's reply or note may carry besides its text: format, Cc, time spent.

The only copy of these rules; the console, the API and the drafts all call them. Each raises
ValidationFailed naming the field, so a form or an API answer can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from supportdesk import markdown
from supportdesk.customers.service import normalise_email
from supportdesk.errors import ValidationFailed
from supportdesk.mail.identity.ownership import is_ours

FORMATS = ("markdown", "text")
MAX_CC = 10
MAX_MINUTES = 24 * 60
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Extras:
    """A message's format, copied addresses and minutes spent, already checked."""

    body_format: str = "text"
    cc: tuple[str, ...] = ()
    time_spent_minutes: int | None = None

    def columns(self, body: str) -> dict[str, Any]:
        """The Message column values these extras set for `body`."""
        rendered = markdown.to_html(body) if self.body_format == "markdown" else ""
        return {
            "body_html": rendered,
            "body_format": self.body_format,
            "cc": ", ".join(self.cc),
            "time_spent_minutes": self.time_spent_minutes,
        }


def parse_cc(
    value: str | list[str] | tuple[str, ...] | None, *, customer_email: str
) -> tuple[str, ...]:
    """Checked, lower-cased, de-duplicated addresses from a comma-separated string or a list."""
    parts = value if isinstance(value, list | tuple) else _SEPARATORS.split(value or "")
    found: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        try:
            address = normalise_email(part, field="cc")
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"{part!r} is not a valid email address.",
                {"cc": f"{part} is not a valid email address."},
            ) from exc
        if is_ours(address):
            raise ValidationFailed(
                "Cc cannot be one of our own addresses.",
                {"cc": f"{address} is one of our own addresses: it cannot be copied."},
            )
        if address == customer_email.lower():
            raise ValidationFailed(
                "The customer already receives the reply.",
                {"cc": f"{address} is the customer: the reply goes to them already."},
            )
        if address not in found:
            found.append(address)
    if len(found) > MAX_CC:
        raise ValidationFailed(
            "Too many Cc addresses.", {"cc": f"Copy at most {MAX_CC} addresses."}
        )
    return tuple(found)


def check_minutes(value: int | None, *, tracking: bool) -> int | None:
    """Minutes spent, when the organization tracks time; None when not given."""
    if value is None:
        return None
    if not tracking:
        raise ValidationFailed(
            "Time tracking is off for this organization.",
            {
                "time_spent_minutes": "Time tracking is off for this organization (admin → Organization)."
            },
        )
    if not 0 <= value <= MAX_MINUTES:
        raise ValidationFailed(
            "Time spent is out of range.",
            {"time_spent_minutes": f"Enter between 0 and {MAX_MINUTES} minutes."},
        )
    return value


def extras(
    *,
    internal: bool,
    body_format: str,
    cc: Any,
    time_spent_minutes: int | None,
    customer_email: str,
    time_tracking: bool,
) -> Extras:
    """Check what comes with a reply or note. Notes are never mailed, so they take no Cc."""
    if body_format not in FORMATS:
        raise ValidationFailed("Unknown body format.", {"body_format": "Use markdown or text."})
    copied = parse_cc(cc, customer_email=customer_email)
    if internal and copied:
        raise ValidationFailed(
            "An internal note is never sent, so it has no Cc.",
            {"cc": "Internal notes are never emailed: remove the Cc, or send a reply."},
        )
    minutes = check_minutes(time_spent_minutes, tracking=time_tracking)
    return Extras(body_format, copied, minutes)
