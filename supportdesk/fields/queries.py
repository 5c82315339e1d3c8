"""Reads of custom field definitions, scoped to the organization."""

from __future__ import annotations

from types import MappingProxyType

import sqlalchemy as sa

from supportdesk.accounts import orgcache
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.fields.models import CustomField


class FieldNotFound(NotFound):
    """No such custom field in this organization."""

    def __init__(self) -> None:
        super().__init__("That custom field does not exist.")


def list_fields(organization_id: int, *, active_only: bool = False) -> list[CustomField]:
    """The organization's fields in their order (archived ones too unless `active_only`)."""
    query = sa.select(CustomField).where(CustomField.organization_id == organization_id)
    if active_only:
        query = query.where(CustomField.archived.is_(False))
    return list(db.session.scalars(query.order_by(CustomField.position, CustomField.id)))


def field_specs(organization_id: int) -> dict[str, CustomField]:
    """Every field of the organization by key, in order (one query)."""
    return {f.key: f for f in list_fields(organization_id)}


def field_specs_cached(organization_id: int) -> MappingProxyType:
    """field_specs as read-only snapshots, from the per-process cache (no query on a hit)."""
    return orgcache.cached(
        organization_id,
        "field_specs",
        lambda: MappingProxyType(
            {key: orgcache.snapshot(f) for key, f in field_specs(organization_id).items()}
        ),
    )


def get_field(organization_id: int, field_id: int) -> CustomField:
    """One field of the organization; another organization's id is a 404."""
    field = db.session.scalar(
        sa.select(CustomField).where(
            CustomField.organization_id == organization_id, CustomField.id == field_id
        )
    )
    if field is None:
        raise FieldNotFound()
    return field
