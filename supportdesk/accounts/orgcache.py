"""A per-process cache of an organization's read-mostly rows, valid for one `cache_version`.

Every console page reads the same few things that change a few times a day: custom field
definitions, macros, the agent and team menus, saved views. They are kept here per organization
and checked against `Organization.cache_version`, a number on the organization row that the
request already has (the session lookup loads it with the signed-in agent), so a hit costs no
query. Any flush that inserts, deletes or changes a watched column of a watched model bumps that
number in the same transaction (`bump_on_flush`), so the next request after the commit, from
any process, reloads: never stale for anyone once a change has committed.

Values are shared by every request and thread of the process, so they are immutable snapshots
(`snapshot`), never ORM instances: a shared instance would be refreshed through whichever
session last held it. A miss reads the primary, not the replica: a lagging standby's rows must
not be stored under the newer number.
"""

from __future__ import annotations

import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

BUMPED = "supportdesk.orgcache_bumped"  # session.info: organizations bumped in this transaction
ALL = "*"  # in BUMPED: a bulk statement bumped every organization
MAX_ENTRIES = 4096  # (organization, name) pairs: a few per organization, least recent dropped

_entries: OrderedDict[tuple[int, Hashable], tuple[tuple, Any]] = OrderedDict()
_lock = threading.Lock()


def cached(organization_id: int, name: Hashable, load: Callable[[], Any]) -> Any:
    """`load()`'s value for this organization as of its current `cache_version`.

    `load` must return snapshots (see `snapshot`) or other immutable values.
    """
    from supportdesk.accounts.models import Organization
    from supportdesk.extensions import db
    from supportdesk.replica import READS

    session = db.session()
    org = session.get(Organization, organization_id)  # the identity map: no query in a request
    # With its creation time: an id used again (a database restored or reset, test runs that
    # truncate) starts again at version 0, and must not find the old organization's entries.
    version = (org.cache_version, org.created_at)
    key = (organization_id, name)
    bumped = session.info.get(BUMPED, ())
    if organization_id in bumped or ALL in bumped:
        # Changed in this open transaction: the rows are not committed (and may roll back).
        return load()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == version:
            _entries.move_to_end(key)
            return entry[1]
    block = session.info.pop(READS, None)
    try:
        value = load()
    finally:
        if block is not None:
            session.info[READS] = block
    with _lock:
        _entries[key] = (version, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every entry (tests, and a process that wants its memory back)."""
    with _lock:
        _entries.clear()


class _Frozen:
    """Base of snapshot classes: attributes are set once, at creation."""

    __slots__ = ("__dict__",)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is a read-only snapshot")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.__dict__.get('id')}>"


_classes: dict[type, type] = {}


def _snapshot_class(model: type) -> type:
    """A plain class with the model's own methods and properties (they only read attributes)."""
    found = _classes.get(model)
    if found is None:
        namespace = {
            name: value
            for name, value in vars(model).items()
            if not name.startswith("_")
            and (isinstance(value, property) or inspect.isfunction(value))
        }
        found = _classes[model] = type(f"{model.__name__}Snapshot", (_Frozen,), namespace)
    return found


def snapshot(obj: Any, relations: tuple[str, ...] = ()) -> Any:
    """A read-only copy of an ORM row's columns (and of the loaded `relations`, one level)."""
    if obj is None:
        return None
    values = {a.key: _frozen(getattr(obj, a.key)) for a in sa.inspect(type(obj)).column_attrs}
    for name in relations:
        values[name] = snapshot(getattr(obj, name))
    copy = object.__new__(_snapshot_class(type(obj)))
    copy.__dict__.update(values)
    return copy


def _frozen(value: Any) -> Any:
    # JSON columns (options, tags, filters): copied, so no request's edit reaches the shared value.
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return _FrozenDict((k, _frozen(v)) for k, v in value.items())
    return value


class _FrozenDict(dict):
    """A dict that refuses changes (JSON objects inside snapshots)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("a cached snapshot is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse


# model → the columns whose change invalidates (None: every column). Insert and delete always do.
def _watched() -> dict[type, frozenset[str] | None]:
    from supportdesk.accounts.models import Team, User
    from supportdesk.crm.models import CrmConnection
    from supportdesk.crm.queries import SHOWN_COLUMNS
    from supportdesk.fields.models import CustomField, SavedView
    from supportdesk.macros.models import Macro

    return {
        CustomField: None,
        SavedView: None,
        Macro: None,
        # Menus and macro descriptions show names; never last-seen or preference columns.
        User: frozenset({"name", "active", "role", "organization_id"}),
        Team: frozenset({"name", "organization_id"}),
        # The CRM the pages name (crm.queries.shown_connection); never tokens or sync state.
        CrmConnection: SHOWN_COLUMNS,
    }


def _changed(obj: Any, columns: frozenset[str] | None) -> bool:
    state = sa.inspect(obj)
    if columns is None:
        return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs)
    return any(state.attrs[c].history.has_changes() for c in columns)


def _organizations_to_bump(session) -> set[int]:
    watched = _watched()
    found: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if type(obj) in watched and obj.organization_id is not None:
            found.add(obj.organization_id)
    for obj in session.dirty:
        columns = watched.get(type(obj), False)
        if columns is not False and _changed(obj, columns):
            found.add(obj.organization_id)
            # Moved to another organization: both lose their entries.
            old = sa.inspect(obj).attrs.organization_id.history.deleted
            found.update(o for o in old if o is not None)
    return found


def bump_on_flush(session_class: type) -> None:
    """Bump `cache_version` in the flush that changes a watched row (same transaction)."""

    def before_flush(session, flush_context, instances) -> None:
        from supportdesk.accounts.models import Organization

        organizations = _organizations_to_bump(session)
        if not organizations:
            return
        session.info.setdefault(BUMPED, set()).update(organizations)
        session.connection().execute(
            sa.update(Organization.__table__)
            .where(Organization.__table__.c.id.in_(sorted(organizations)))
            .values(cache_version=Organization.__table__.c.cache_version + 1)
        )
        for organization_id in organizations:
            key = sa.inspect(Organization).identity_key_from_primary_key((organization_id,))
            org = session.identity_map.get(key)
            if org is not None:
                session.expire(org, ["cache_version"])

    def do_orm_execute(state) -> None:
        # A bulk UPDATE/DELETE (the demo's reset) bypasses the flush, and which organizations it
        # touches is not known here: every organization's entries go.
        if state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if getattr(table, "name", None) in _watched_tables():
                from supportdesk.accounts.models import Organization

                orgs = Organization.__table__
                state.session.connection().execute(
                    sa.update(orgs).values(cache_version=orgs.c.cache_version + 1)
                )
                state.session.info.setdefault(BUMPED, set()).add(ALL)
                for obj in list(state.session.identity_map.values()):
                    if isinstance(obj, Organization):
                        state.session.expire(obj, ["cache_version"])

    def after_transaction_end(session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(BUMPED, None)

    sa.event.listen(session_class, "before_flush", before_flush)
    sa.event.listen(session_class, "after_transaction_end", after_transaction_end)
    sa.event.listen(session_class, "do_orm_execute", do_orm_execute)


def _watched_tables() -> set[str]:
    return {model.__table__.name for model in _watched()}
