"""The rules of custom field values and definitions: the only copy.

A value arrives as the console's form gives it (strings, a list for multi selects, "y" for a
ticked box) or as the API's JSON gives it (numbers, booleans, lists). `clean_value` turns either
into the stored JSON value, or None for "no value" (the key is then absent from
`tickets.custom_fields`), or refuses it naming the field as `custom_fields.<key>`:

| type        | stored as                          | accepts                                  |
|-------------|------------------------------------|------------------------------------------|
| text        | a string (≤ 1,000 characters)      | a string                                 |
| number      | an int, or a float when fractional | a number or its decimal string           |
| date        | "YYYY-MM-DD"                       | that string (a real date)                |
| select      | one of the options                 | an option                                |
| multiselect | options, in the options' order     | a list of options                        |
| checkbox    | true (unticked: absent)            | a boolean, or the form's "y"/"on"        |

Required on resolve: a field with no value (a checkbox not ticked) stops a ticket from being
resolved or closed by an agent (supportdesk.tickets.service.change_status).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from supportdesk.errors import UnknownReference, ValidationFailed
from supportdesk.fields.models import FieldType

MAX_TEXT = 1_000
MAX_NUMBER = 10**15  # beyond it a float loses integers (and nobody types it)
MAX_OPTIONS = 50
MAX_OPTION = 100
MAX_LABEL = 80
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TICKED = {"y", "yes", "on", "true", "1"}
_UNTICKED = {"", "n", "no", "off", "false", "0"}


class Spec(Protocol):
    """What the rules read of a field definition (a CustomField row)."""

    key: str
    label: str
    type: FieldType
    options: list
    required_on_resolve: bool
    archived: bool


def field_name(key: str) -> str:
    """How errors name a custom field: `custom_fields.order_number`."""
    return f"custom_fields.{key}"


def _refuse(spec: Spec, message: str) -> ValidationFailed:
    return ValidationFailed(f"{spec.label}: {message}", {field_name(spec.key): message})


def clean_value(spec: Spec, raw: Any) -> Any:
    """The stored value of `raw` for this field, None for no value; ValidationFailed if invalid."""
    if raw is None:
        return None
    kind = spec.type
    if kind is FieldType.CHECKBOX:
        return _checkbox(spec, raw)
    if kind is FieldType.MULTISELECT:
        return _multiselect(spec, raw)
    if not isinstance(raw, str) and not (kind is FieldType.NUMBER and _is_number(raw)):
        raise _refuse(spec, _EXPECTED[kind])
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return None
    if kind is FieldType.TEXT:
        if len(raw) > MAX_TEXT or "\x00" in raw:
            raise _refuse(spec, f"Use at most {MAX_TEXT:,} characters.")
        return raw
    if kind is FieldType.NUMBER:
        return _number(spec, raw)
    if kind is FieldType.DATE:
        return _date(spec, raw)
    if raw not in spec.options:
        raise _refuse(spec, "Choose one of the options.")
    return raw


_EXPECTED = {
    FieldType.TEXT: "Enter text.",
    FieldType.NUMBER: "Enter a number.",
    FieldType.DATE: "Enter a date as YYYY-MM-DD.",
    FieldType.SELECT: "Choose one of the options.",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(spec: Spec, raw: Any) -> int | float:
    if isinstance(raw, str):
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise _refuse(spec, "Enter a number.") from None
        if not value.is_finite():
            raise _refuse(spec, "Enter a number.")
        raw = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _refuse(spec, "Enter a number.")
    if abs(raw) >= MAX_NUMBER:
        raise _refuse(spec, "Enter a smaller number.")
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _date(spec: Spec, raw: str) -> str:
    if not _DATE.fullmatch(raw):
        raise _refuse(spec, "Enter a date as YYYY-MM-DD.")
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise _refuse(spec, "Enter a real date (YYYY-MM-DD).") from None


def _checkbox(spec: Spec, raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return True if raw else None
    if isinstance(raw, str) and raw.strip().lower() in _TICKED:
        return True
    if isinstance(raw, str) and raw.strip().lower() in _UNTICKED:
        return None
    raise _refuse(spec, "Tick it or not (true or false).")


def _multiselect(spec: Spec, raw: Any) -> list[str] | None:
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
        raise _refuse(spec, "Choose a list of options.")
    chosen = {v.strip() for v in raw if v.strip()}
    unknown = sorted(chosen - set(spec.options))
    if unknown:
        raise _refuse(spec, f"Not an option: {', '.join(unknown)}.")
    ordered = [option for option in spec.options if option in chosen]
    return ordered or None


def apply_values(
    specs: Mapping[str, Spec], current: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    """`current` values with `given` ones applied (None clears a field): the new stored dict.

    A key the organization has not defined names nothing (404, as an unknown id does); changing
    an archived field is refused; values of fields not given are kept as they are.
    """
    values = dict(current or {})
    for key, raw in given.items():
        spec = specs.get(key)
        if spec is None:
            raise UnknownReference(
                f"There is no custom field “{key}”.", {field_name(key): "No such field."}
            )
        if spec.archived:
            if raw is None or clean_value(spec, raw) == values.get(key):
                continue  # a form or client sending back what it read is no change
            raise _refuse(spec, "This field is archived; it cannot be changed.")
        value = clean_value(spec, raw)
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def missing_on_resolve(specs: Iterable[Spec], values: Mapping[str, Any]) -> list[Spec]:
    """The active fields required on resolve that have no value in `values`."""
    return [
        spec
        for spec in specs
        if spec.required_on_resolve and not spec.archived and values.get(spec.key) in (None, [], "")
    ]


def refuse_resolve(missing: list[Spec]) -> ValidationFailed:
    """The error of resolving without required fields: one sentence naming them."""
    labels = ", ".join(f"“{spec.label}”" for spec in missing)
    noun = "this field" if len(missing) == 1 else "these fields"
    return ValidationFailed(
        f"Fill in {noun} before resolving the ticket: {labels}.",
        {field_name(spec.key): "Required to resolve the ticket." for spec in missing},
    )


def display(spec: Spec, value: Any) -> str:
    """A value as people read it (history, queue columns): "Yes", "a, b", "12.5", "2026-11-27"."""
    if value is None or value == []:
        return ""
    if spec.type is FieldType.CHECKBOX:
        return "Yes" if value else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# -- definitions ----------------------------------------------------------------------------


def clean_key(key: str) -> str:
    """A field key: lower-case letters, digits and underscores, starting with a letter (≤ 40)."""
    key = (key or "").strip()
    if not KEY.fullmatch(key):
        raise ValidationFailed(
            "The key is not valid.",
            {"key": "Use 1–40 lower-case letters, digits or _, starting with a letter."},
        )
    return key


def clean_label(label: str) -> str:
    """A field's label: one line of 1–80 characters."""
    label = " ".join((label or "").split())
    if not label or len(label) > MAX_LABEL:
        raise ValidationFailed(
            "The label is not valid.", {"label": f"Enter 1–{MAX_LABEL} characters."}
        )
    return label


def clean_options(kind: FieldType, options: Iterable[str]) -> list[str]:
    """A select's options (distinct, ≤ 100 characters each; none yet is allowed, agents then
    have nothing to choose); other types have none, and options given to them are ignored."""
    if not kind.has_options:
        return []
    cleaned: list[str] = []
    for option in options or []:
        option = " ".join(str(option).split())
        if option and option not in cleaned:
            cleaned.append(option)
    if len(cleaned) > MAX_OPTIONS or any(len(o) > MAX_OPTION or "\x00" in o for o in cleaned):
        raise ValidationFailed(
            "Too many or too long options.",
            {"options": f"Use at most {MAX_OPTIONS} options of {MAX_OPTION} characters."},
        )
    return cleaned
