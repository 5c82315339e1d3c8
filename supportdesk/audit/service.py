"""Audit writes: `record` (the one way to add an entry) and the retention purge. Flushes only.

`record` runs in the caller's transaction, so an entry exists exactly when its change does (a
refused change leaves none). What it stores is redacted first: a key that names a secret
(SECRET_KEYS, SECRET_SUFFIXES) never reaches the log, at any depth.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import Organization, User
from supportdesk.audit import origin
from supportdesk.audit.actions import ACTIONS
from supportdesk.audit.models import MAX_LABEL, MAX_USER_AGENT, ActorType, AuditEntry
from supportdesk.db import utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db

# Keys whose values are secrets, and endings that make a key one ("webhook_secret").
SECRET_KEYS = frozenset(
    {"password", "secret", "token", "code", "key", "plain", "hash", "otp", "recovery_codes"}
)
SECRET_SUFFIXES = ("_password", "_secret", "_token", "_hash", "_key", "_code")
REDACTED = "[redacted]"
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650
DEFAULT_RETENTION_DAYS = 365
# The transaction setting the PostgreSQL trigger reads: only rows older than it may go.
PURGE_SETTING = "supportdesk.audit_purge_before"


def redact(value: Any) -> Any:
    """`value` as plain JSON, with every secret-named key's value replaced by REDACTED."""
    if isinstance(value, dict):
        return {str(k): REDACTED if _is_secret(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _is_secret(key: str) -> bool:
    key = key.lower()
    return key in SECRET_KEYS or key.endswith(SECRET_SUFFIXES)


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value differs, from each side (for an 'updated' entry)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def snapshot(row: Any, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of `row` as plain JSON (None for a row not created yet)."""
    return {name: redact(getattr(row, name, None)) for name in names}


def record_changes(
    organization_id: int,
    action: str,
    *,
    actor: User | None,
    target: tuple[str, int | None, str],
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> AuditEntry | None:
    """Record `action` with only what changed; nothing when nothing did. `before` None: created."""
    if before is None:
        return record(organization_id, action, actor=actor, target=target, after=after)
    was, now = changes(before, after)
    if not now:
        return None
    return record(organization_id, action, actor=actor, target=target, before=was, after=now)


def agent_label(user: User) -> str:
    """How an agent is named in the log: 'Name <email>'."""
    return f"{user.name} <{user.email}>"[:MAX_LABEL]


def record(
    organization_id: int,
    action: str,
    *,
    actor: User | None = None,
    target: tuple[str, int | None, str] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry to the organization's log, in the current transaction.

    `actor` None is the system. Within an API request the actor is the agent's token (its id
    and name are kept). `target` is (type, id, label). The client address and user agent come
    from the request (audit.origin); `ip_address` overrides it (sign-in failures name theirs).
    """
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not an audit action (audit.actions.ACTIONS)")
    where = origin.current()
    if actor is None:
        actor_type, label = ActorType.SYSTEM, "system"
    elif where.api_token_id is not None:
        actor_type = ActorType.API_TOKEN
        label = f"{agent_label(actor)} via token “{where.api_token_label}”"
    else:
        actor_type, label = ActorType.USER, agent_label(actor)
    target_type, target_id, target_label = target or (action.partition(".")[0], None, "")
    entry = AuditEntry(
        organization_id=organization_id,
        actor_type=actor_type,
        actor_user_id=actor.id if actor is not None else None,
        api_token_id=where.api_token_id if actor is not None else None,
        actor_label=label[:MAX_LABEL],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=(target_label or "")[:MAX_LABEL],
        before=redact(before) if before is not None else None,
        after=redact(after) if after is not None else None,
        ip_address=(ip_address if ip_address is not None else where.ip_address)[:45],
        user_agent=where.user_agent[:MAX_USER_AGENT],
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def checked_retention(days: Any) -> int:
    """Retention in days, within MIN..MAX_RETENTION_DAYS (a field error otherwise)."""
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = -1
    if not MIN_RETENTION_DAYS <= value <= MAX_RETENTION_DAYS:
        raise ValidationFailed(
            "That retention is not allowed.",
            {
                "audit_retention_days": (
                    f"Keep entries between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days."
                )
            },
        )
    return value


def purge_expired(organization: Organization, *, now: dt.datetime | None = None) -> int:
    """Delete the organization's entries older than its retention; record the purge if any went.

    The only DELETE the database allows on the log: a Core statement (the ORM guard refuses
    deletes), after setting PURGE_SETTING for this transaction to the cutoff, so the trigger
    lets through rows older than the cutoff and nothing else.
    """
    now = now or utcnow()
    days = organization.audit_retention_days or DEFAULT_RETENTION_DAYS
    cutoff = now - dt.timedelta(days=max(days, MIN_RETENTION_DAYS))
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("SELECT set_config(:name, :value, true)"),
            {"name": PURGE_SETTING, "value": cutoff.isoformat()},
        )
    removed = db.session.execute(
        sa.delete(AuditEntry)
        .where(AuditEntry.organization_id == organization.id, AuditEntry.created_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        record(
            organization.id,
            "audit_log.purged",
            target=("audit_log", None, f"entries before {cutoff:%Y-%m-%d %H:%M} UTC"),
            after={"removed": removed, "retention_days": days, "cutoff": cutoff},
        )
    return removed
