"""Queue filters on custom fields: read from the query string, written back, and as SQL.

In the query string (so a filtered queue is a link, and a saved view is its arguments):
`cf.<key>=<value>` is "equals" (for a multi select, "has this option"; for a checkbox `yes` or
`no`), `cf.<key>.min=` / `cf.<key>.max=` bound numbers and dates (inclusive). Values go through
the field's own rules (supportdesk.fields.rules); one that no ticket could hold is ignored.

On PostgreSQL, "equals" and "has" are JSONB containment (`custom_fields @> '{"key": value}'`),
which the GIN index `ix_tickets_custom_fields` (jsonb_path_ops) serves; ranges read the value
(`custom_fields ->> key`) and are checked on the rows the other conditions leave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from werkzeug.datastructures import MultiDict

from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.fields import rules
from supportdesk.fields.models import CustomField, FieldType
from supportdesk.tickets.models import Ticket

PREFIX = "cf."
_RANGED = (FieldType.NUMBER, FieldType.DATE)


@dataclass(frozen=True)
class FieldFilter:
    """One condition on a custom field: `op` is "eq", "no" (checkbox not ticked), "min" or "max"."""

    key: str
    type: FieldType
    op: str
    value: Any

    @property
    def arg(self) -> tuple[str, str]:
        """The query-string name and value of this condition."""
        if self.op == "no":
            return f"{PREFIX}{self.key}", "no"
        if self.op == "eq":
            return f"{PREFIX}{self.key}", "yes" if self.value is True else str(self.value)
        return f"{PREFIX}{self.key}.{self.op}", str(self.value)


def _clean(spec: CustomField, raw: str) -> Any:
    kind = spec.type
    try:
        if kind is FieldType.MULTISELECT:
            return rules.clean_value(spec, [raw])[0]
        return rules.clean_value(spec, raw)
    except (DomainError, TypeError, IndexError):
        return None


def parse_field_filters(args: MultiDict, specs: Mapping[str, CustomField]) -> list[FieldFilter]:
    """The custom field conditions of a query string (active fields only, malformed ones ignored)."""
    found: list[FieldFilter] = []
    for spec in specs.values():
        if spec.archived:
            continue
        name = f"{PREFIX}{spec.key}"
        raw = (args.get(name) or "").strip()
        if raw and spec.type is FieldType.CHECKBOX:
            if raw.lower() == "no":
                found.append(FieldFilter(spec.key, spec.type, "no", None))
            elif _clean(spec, raw):
                found.append(FieldFilter(spec.key, spec.type, "eq", True))
        elif raw:
            value = _clean(spec, raw)
            if value is not None:
                found.append(FieldFilter(spec.key, spec.type, "eq", value))
        if spec.type in _RANGED:
            for op in ("min", "max"):
                value = _clean(spec, (args.get(f"{name}.{op}") or "").strip())
                if value is not None:
                    found.append(FieldFilter(spec.key, spec.type, op, value))
    return found


def _contains(document: dict) -> sa.ColumnElement:
    return Ticket.custom_fields.op("@>")(sa.bindparam(None, document, type_=JSONB))


def field_condition(f: FieldFilter, dialect: str) -> sa.ColumnElement[bool]:
    """The SQL condition of one custom field filter on `tickets`."""
    if dialect == "postgresql":
        if f.op == "eq":
            value = [f.value] if f.type is FieldType.MULTISELECT else f.value
            return _contains({f.key: value})
        if f.op == "no":
            return sa.not_(_contains({f.key: True}))
        node = Ticket.custom_fields.op("->")(f.key)
        text = Ticket.custom_fields.op("->>")(f.key)
        if f.type is FieldType.NUMBER:
            # Only numbers are compared: a value written before the field existed cannot break it.
            number = sa.case(
                (sa.func.jsonb_typeof(node) == "number", sa.cast(text, sa.Numeric)), else_=None
            )
            return number >= f.value if f.op == "min" else number <= f.value
        return text >= f.value if f.op == "min" else text <= f.value
    path = f'$."{f.key}"'
    extracted = sa.func.json_extract(Ticket.custom_fields, path)
    if f.op == "no":
        return sa.func.coalesce(extracted, 0) != 1
    if f.op == "eq" and f.type is FieldType.MULTISELECT:
        each = sa.func.json_each(Ticket.custom_fields, path).table_valued("value")
        return sa.exists(sa.select(1).select_from(each).where(each.c.value == f.value))
    if f.op == "eq":
        return extracted == (1 if f.value is True else f.value)
    return extracted >= f.value if f.op == "min" else extracted <= f.value


def field_conditions(filters: list[FieldFilter]) -> list[sa.ColumnElement[bool]]:
    """The SQL conditions of `filters` for the database in use."""
    if not filters:
        return []
    dialect = db.session.get_bind().dialect.name
    return [field_condition(f, dialect) for f in filters]
