"""Placeholders in canned text (`{{ customer.first_name }}`): the one table of what exists, the
check made when a reply or macro is saved, and the sandboxed rendering for a ticket.

Canned text is plain text (Markdown) with placeholders and nothing else of Jinja: no blocks,
comments, filters or expressions. So a body that saved always renders, whatever the ticket: an
unknown placeholder is a field error when saving, never a failure when sending. Rendering still
runs in jinja2's sandbox with undefined names refused (defence in depth: a body written to the
database by other means than the services can read no attribute outside the table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from supportdesk.errors import ValidationFailed

# object -> its attributes: the only placeholders there are.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "customer": ("first_name", "name", "email"),
    "ticket": ("number", "subject"),
    "agent": ("first_name", "name"),
    "organization": ("name",),
}
EXAMPLES = [f"{{{{ {obj}.{attr} }}}}" for obj, attrs in PLACEHOLDERS.items() for attr in attrs]

_KNOWN = "|".join(rf"{obj}\.(?:{'|'.join(attrs)})" for obj, attrs in PLACEHOLDERS.items())
# The whole grammar, as an ECMA 262 pattern too (the API document's): any text without "{{",
# "{%" or "{#", and placeholders of the table. Python's `re` reads it the same way.
PATTERN = rf"^(?:[^{{\u0000]|\{{(?![{{%#])|\{{\{{[ \t\r\n]*(?:{_KNOWN})[ \t\r\n]*\}}\}})*$"
_VALID = re.compile(PATTERN)
_TAG = re.compile(r"\{\{(.*?)(\}\}|$)|\{%|\{#", re.DOTALL)

_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)


def check(text: str, field: str = "body") -> str:
    """Return `text` if it uses only known placeholders; otherwise a field error naming the first
    placeholder (or Jinja syntax) that is not allowed."""
    if _VALID.match(text):
        return text
    for match in _TAG.finditer(text):
        tag = match.group(0)
        if match.group(1) is None:
            message = f"Only placeholders are allowed here, not {tag!r}."
        else:
            inner = " ".join(match.group(1).split())
            if match.group(2) != "}}":
                message = "A placeholder is not closed: end it with }}."
            elif re.fullmatch(_KNOWN, inner):
                continue
            else:
                message = f"Unknown placeholder {{{{ {inner} }}}}."
        raise ValidationFailed(message, {field: f"{message} Use one of: {', '.join(EXAMPLES)}."})
    raise ValidationFailed("The text cannot be stored.", {field: "Remove NUL characters."})


@dataclass(frozen=True)
class Person:
    """A customer or agent as placeholders show them."""

    name: str
    first_name: str
    email: str = ""


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as placeholders show it."""

    number: int
    subject: str


@dataclass(frozen=True)
class OrganizationFacts:
    """The organization as placeholders show it."""

    name: str


def person(name: str, email: str = "") -> Person:
    """A person's placeholder values: the first word of the name is the first name."""
    name = " ".join((name or "").split())
    return Person(name=name or email, first_name=name.split(" ")[0] if name else "", email=email)


def render(text: str, *, customer: Person, ticket: TicketFacts, agent: Person,
           organization: OrganizationFacts) -> str:  # fmt: skip
    """The text with its placeholders filled in, rendered in the sandbox.

    Raises jinja2's SecurityError or UndefinedError for a body that never passed `check`.
    """
    if "{" not in text:
        return text
    context = {"customer": customer, "ticket": ticket, "agent": agent, "organization": organization}
    return _env.from_string(text).render(context)


__all__ = ["PLACEHOLDERS", "PATTERN", "TemplateError", "check", "person", "render"]
