"""Saved views: a queue's filters, sort and columns under a name, the agent's own or shared.

Every agent keeps personal views (visible to them alone: another agent's id is a 404); senior
agents and admins share views with the whole organization and edit shared ones. A view stores
the queue's query string (normalized by the caller) and its custom field columns.
Writes flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import touch_if_changed
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.fields.models import SavedView

MAX_NAME = 80
MAX_ARGS = 40
MAX_ARG = 200
MAX_COLUMNS = 20


class ViewNotFound(NotFound):
    """No such view among those the agent can see."""

    def __init__(self) -> None:
        super().__init__("That view does not exist.")


def _visible(organization_id: int, user_id: int):
    return sa.and_(
        SavedView.organization_id == organization_id,
        sa.or_(SavedView.shared.is_(True), SavedView.owner_id == user_id),
    )


def list_views(organization_id: int, user_id: int) -> list[SavedView]:
    """The views an agent sees: their own first, then the shared ones, each in its order."""
    return list(
        db.session.scalars(
            sa.select(SavedView)
            .where(_visible(organization_id, user_id))
            .order_by(SavedView.shared, SavedView.position, SavedView.id)
        )
    )


def list_views_cached(organization_id: int, user_id: int) -> tuple:
    """list_views as read-only snapshots, from the per-process cache (per agent)."""
    from supportdesk.accounts import orgcache

    return orgcache.cached(
        organization_id,
        ("saved_views", user_id),
        lambda: tuple(orgcache.snapshot(v) for v in list_views(organization_id, user_id)),
    )


def get_view(organization_id: int, user_id: int, view_id: int) -> SavedView:
    """One view the agent can see; anyone else's personal view is a 404."""
    view = db.session.scalar(
        sa.select(SavedView).where(_visible(organization_id, user_id), SavedView.id == view_id)
    )
    if view is None:
        raise ViewNotFound()
    return view


def clean_name(name: str) -> str:
    """A view's name: one line of 1–80 characters."""
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(
            "The name is not valid.", {"name": f"Enter 1–{MAX_NAME} characters."}
        )
    return name


def clean_filters(filters: Mapping) -> dict:
    """The stored query string: names to a string or a list of strings, bounded."""
    cleaned: dict = {}
    for key, value in (filters or {}).items():
        values = value if isinstance(value, list) else [value]
        if (
            not isinstance(key, str)
            or len(key) > MAX_ARG
            or not all(isinstance(v, str | int) and len(str(v)) <= MAX_ARG for v in values)
        ):
            raise ValidationFailed("The filters are not valid.", {"filters": "Not a queue filter."})
        values = [str(v) for v in values]
        cleaned[key] = values if isinstance(value, list) else values[0]
    if len(cleaned) > MAX_ARGS:
        raise ValidationFailed("Too many filters.", {"filters": f"Use at most {MAX_ARGS}."})
    return cleaned


def clean_columns(columns: Iterable[str]) -> list[str]:
    """Custom field keys to show as columns, distinct, in order (unknown keys are shown empty)."""
    cleaned: list[str] = []
    for column in columns or []:
        if not isinstance(column, str) or len(column) > 40:
            raise ValidationFailed("The columns are not valid.", {"columns": "Not a field key."})
        if column not in cleaned:
            cleaned.append(column)
    if len(cleaned) > MAX_COLUMNS:
        raise ValidationFailed("Too many columns.", {"columns": f"Use at most {MAX_COLUMNS}."})
    return cleaned


def _may_edit(actor: User, view: SavedView) -> None:
    if view.shared:
        require(actor, "view.share")
    elif view.owner_id != actor.id:
        raise ViewNotFound()  # someone else's personal view is never visible
    else:
        require(actor, "view.save")


def create_view(
    actor: User, *, name: str, filters: Mapping, columns: Iterable[str] = (), shared: bool = False
) -> SavedView:
    """Save a view at the end of the agent's (or the shared) list."""
    require(actor, "view.share" if shared else "view.save")
    last = db.session.scalar(
        sa.select(sa.func.max(SavedView.position)).where(
            SavedView.organization_id == actor.organization_id,
            SavedView.shared.is_(shared),
            *(() if shared else (SavedView.owner_id == actor.id,)),
        )
    )
    view = SavedView(
        organization_id=actor.organization_id,
        owner_id=actor.id,
        shared=shared,
        name=clean_name(name),
        filters=clean_filters(filters),
        columns=clean_columns(columns),
        position=(last or 0) + 1,
    )
    db.session.add(view)
    db.session.flush()
    return view


def update_view(
    actor: User,
    view: SavedView,
    *,
    name: str | None = None,
    filters: Mapping | None = None,
    columns: Iterable[str] | None = None,
    shared: bool | None = None,
) -> bool:
    """Rename a view, replace its filters or columns, or share it (or take it back)."""
    _may_edit(actor, view)
    if shared is not None and shared != view.shared:
        require(actor, "view.share")
        view.shared = shared
    if name is not None:
        view.name = clean_name(name)
    if filters is not None:
        view.filters = clean_filters(filters)
    if columns is not None:
        view.columns = clean_columns(columns)
    changed = touch_if_changed(view)
    db.session.flush()
    return changed


def delete_view(actor: User, view: SavedView) -> None:
    """Delete a view (the tickets it showed are untouched)."""
    _may_edit(actor, view)
    db.session.delete(view)
    db.session.flush()


def move_view(actor: User, view: SavedView, direction: int) -> bool:
    """Swap a view with its neighbour (-1 up, +1 down) in its list (the agent's or the shared)."""
    _may_edit(actor, view)
    group = [v for v in list_views(view.organization_id, actor.id) if v.shared == view.shared]
    for index, item in enumerate(group):
        item.position = index + 1
    at = group.index(view)
    other = at + direction
    if not 0 <= other < len(group):
        db.session.flush()
        return False
    group[at].position, group[other].position = group[other].position, group[at].position
    db.session.flush()
    return True
