"""Custom field definitions: create, edit, archive, reorder (admins). Flushes, never commits."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import touch_if_changed
from supportdesk.errors import Conflict
from supportdesk.extensions import db
from supportdesk.fields import rules
from supportdesk.fields.models import CustomField, FieldType
from supportdesk.fields.queries import list_fields


def create_field(
    actor: User,
    *,
    key: str,
    label: str,
    type: FieldType,
    options: Iterable[str] = (),
    required_on_resolve: bool = False,
) -> CustomField:
    """Define a new field at the end of the organization's list."""
    require(actor, "field.manage")
    org = actor.organization_id
    key = rules.clean_key(key)
    field = CustomField(
        organization_id=org,
        key=key,
        label=rules.clean_label(label),
        type=type,
        options=rules.clean_options(type, options),
        required_on_resolve=required_on_resolve,
        archived=False,
        position=_next_position(org),
    )
    taken = db.session.scalar(
        sa.select(CustomField.id).where(CustomField.organization_id == org, CustomField.key == key)
    )
    if taken is not None:
        raise Conflict("A field already has this key.", {"key": "Choose another key."})
    db.session.add(field)
    db.session.flush()
    return field


def _next_position(organization_id: int) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(CustomField.position)).where(
            CustomField.organization_id == organization_id
        )
    )
    return (last or 0) + 1


def update_field(
    actor: User,
    field: CustomField,
    *,
    label: str | None = None,
    options: Iterable[str] | None = None,
    required_on_resolve: bool | None = None,
    archived: bool | None = None,
) -> bool:
    """Change a field's label, options, requirement or archived state (key and type are fixed:
    tickets hold values under them). Values of removed options stay on tickets. Returns whether
    anything changed."""
    require(actor, "field.manage")
    if label is not None:
        field.label = rules.clean_label(label)
    if options is not None:
        field.options = rules.clean_options(field.type, options)
    if required_on_resolve is not None:
        field.required_on_resolve = required_on_resolve
    if archived is not None:
        field.archived = archived
    changed = touch_if_changed(field)
    db.session.flush()
    return changed


def move_field(actor: User, field: CustomField, direction: int) -> bool:
    """Swap a field with its neighbour above (-1) or below (+1). False at either end."""
    require(actor, "field.manage")
    ordered = list_fields(field.organization_id)
    for index, item in enumerate(ordered):
        item.position = index + 1  # renumber: positions stay distinct whatever came before
    at = ordered.index(field)
    other = at + direction
    if not 0 <= other < len(ordered):
        db.session.flush()
        return False
    ordered[at].position, ordered[other].position = ordered[other].position, ordered[at].position
    db.session.flush()
    return True
