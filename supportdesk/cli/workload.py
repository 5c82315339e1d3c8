"""`load-workload`: import the shared benchmark workload (JSONL from ../shared/bench/workload.py).

The mapping is faithful, so the same data can be compared with other help desks:
queues → teams, the ten workload agents → agents, submitter emails → customers, the description
→ the customer's first message, the three follow-ups → public messages (customer when the
follow-up has no agent), workload ids → ticket numbers, timestamps kept, and a history of
"created" plus the final status change. Statuses: 1 open → open, 2 reopened → in progress,
3 resolved → resolved, 4 closed → closed. Priorities: 1 critical, 2 high, 3 medium, 4 low and
5 very low → low (supportdesk has four levels).

Rows go in by batches: PostgreSQL COPY (ids reserved from the sequences first, so children can
point at their ticket), other databases Core executemany. Values pass through each column's own
SQLAlchemy bind processor either way, so COPY stores exactly what the ORM would.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from supportdesk.accounts.models import Organization, Role, Team, User, team_members
from supportdesk.accounts.passwords import hash_password
from supportdesk.accounts.service import check_password_strength, create_organization
from supportdesk.cli.demo import delete_organizations
from supportdesk.customers.models import Customer, Tier
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

WORKLOAD_PASSWORD = "workload-password"  # noqa: S105  (printed; benchmark data only)
BATCH_SIZE = 5_000
STATUSES = {1: Status.OPEN, 2: Status.IN_PROGRESS, 3: Status.RESOLVED, 4: Status.CLOSED}
PRIORITIES = {
    1: Priority.CRITICAL,
    2: Priority.HIGH,
    3: Priority.MEDIUM,
    4: Priority.LOW,
    5: Priority.LOW,
}
# The workload's own queues and agents (../shared/bench/workload.py QUEUES and AGENTS).
QUEUES = [
    "Technical Support",
    "Billing",
    "Accounts",
    "Hardware",
    "Network",
    "Email and Calendar",
    "Security",
    "Facilities",
    "Human Resources",
    "Sales",
]
AGENTS = [
    ("agent01", "Alice Moreau"),
    ("agent02", "Bruno Keller"),
    ("agent03", "Chloe Nakamura"),
    ("agent04", "Dmitri Ivanov"),
    ("agent05", "Elena Rossi"),
    ("agent06", "Farid Haddad"),
    ("agent07", "Grace Okafor"),
    ("agent08", "Hugo Lindqvist"),
    ("agent09", "Ines Duarte"),
    ("agent10", "Jonas Weber"),
]
T, M, E, C = Ticket.__table__, Message.__table__, TicketEvent.__table__, Customer.__table__


@dataclass
class Target:
    """The organization being loaded and the ids its rows point at."""

    org: Organization
    teams: list[int]
    agents: list[int]
    customers: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("tickets", "messages", "events", "customers"), 0)
    )


@click.command("load-workload")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--org",
    "org_name",
    default="Workload",
    show_default=True,
    help="Organization to create and fill.",
)
@click.option(
    "--password",
    default=WORKLOAD_PASSWORD,
    show_default=True,
    help="Password of the ten workload agents.",
)
@click.option("--reset", is_flag=True, help="Delete an organization of that name first.")
@with_appcontext
def load_workload(path: Path, org_name: str, password: str, reset: bool) -> None:
    """Import the benchmark workload JSONL at PATH into a new organization."""
    started = time.perf_counter()
    try:
        check_password_strength(password)
    except ValidationFailed as exc:
        raise click.ClickException(f"{exc.message} {exc.fields['password']}") from exc
    existing = list(
        db.session.scalars(sa.select(Organization).where(Organization.name == org_name))
    )
    if existing and not reset:
        raise click.ClickException(
            f"An organization named {org_name!r} exists. Use --reset to replace it, or --org."
        )
    if existing:
        delete_organizations([org.id for org in existing])
        db.session.commit()
    target = _setup(org_name, hash_password(password))
    total = _count_lines(path)
    with click.progressbar(length=total, label="Loading tickets", file=sys.stderr) as bar:
        for batch in _batches(path):
            _load_batch(target, batch)
            db.session.commit()
            bar.update(len(batch))
    last = db.session.scalar(
        sa.select(sa.func.max(Ticket.number)).where(Ticket.organization_id == target.org.id)
    )
    target.org.last_ticket_number = last or 0
    db.session.commit()
    _vacuum_analyze()
    n = target.counts
    click.echo(
        f"Loaded in {time.perf_counter() - started:.1f} s into {org_name!r}: {n['tickets']:,} "
        f"tickets, {n['messages']:,} messages, {n['events']:,} history events, "
        f"{n['customers']:,} customers, {len(target.teams)} teams, {len(target.agents)} agents."
    )
    click.echo(f"Sign in as agent01@{target.org.slug}.example with the password {password!r}.")


def _setup(org_name: str, password_hash: str) -> Target:
    """The organization with its ten teams (the queues) and ten agents; committed."""
    org = create_organization(org_name)
    teams = [
        db.session.execute(
            sa.insert(Team)
            .values(organization_id=org.id, name=name, description="Workload queue")
            .returning(Team.id)
        ).scalar_one()
        for name in QUEUES
    ]
    agents = [
        db.session.execute(
            sa.insert(User)
            .values(
                organization_id=org.id,
                email=f"{username}@{org.slug}.example",
                name=name,
                role=Role.AGENT,
                password_hash=password_hash,
                active=True,
                session_token=secrets.token_urlsafe(24),
            )
            .returning(User.id)
        ).scalar_one()
        for username, name in AGENTS
    ]
    # Agent n works the queue n (membership only; the workload assigns across queues).
    db.session.execute(
        sa.insert(team_members),
        [{"team_id": t, "user_id": a} for t, a in zip(teams, agents, strict=True)],
    )
    db.session.commit()
    return Target(org, teams, agents)


def _count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


def _batches(path: Path) -> Iterator[list[dict]]:
    batch: list[dict] = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                batch.append(json.loads(line))
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
    if batch:
        yield batch


def _when(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _load_batch(target: Target, batch: list[dict]) -> None:
    """Insert one batch: new customers, then tickets, then their messages and history."""
    oid = target.org.id
    first_seen: dict[str, str] = {}
    for t in batch:
        first_seen.setdefault(t["submitter_email"].lower(), t["created"])
    fresh = sorted(first_seen.keys() - target.customers.keys())
    if fresh:
        rows = [
            {
                "organization_id": oid,
                "email": email,
                "name": "",
                "tier": Tier.FREE,
                "company": "",
                "external_ids": {},
                "created_at": _when(first_seen[email]),  # with their first ticket
            }
            for email in fresh
        ]
        result = db.session.execute(sa.insert(C).returning(C.c.email, C.c.id), rows)
        target.customers.update(dict(result.all()))
        target.counts["customers"] += len(fresh)
    ids = _reserve_ids(len(batch))
    tickets, messages, events = [], [], []
    for ticket_id, item in zip(ids, batch, strict=True):
        _rows(target, ticket_id, item, tickets, messages, events)
    _write(tickets, messages, events)
    target.counts["tickets"] += len(tickets)
    target.counts["messages"] += len(messages)
    target.counts["events"] += len(events)


def _rows(target: Target, ticket_id: int | None, item: dict, tickets, messages, events) -> None:
    """Append the rows of one workload ticket (ticket_id None: the database assigns it)."""
    oid = target.org.id
    customer_id = target.customers[item["submitter_email"].lower()]
    status, priority = STATUSES[item["status"]], PRIORITIES[item["priority"]]
    created, followups = _when(item["created"]), item["followups"]
    last = _when(followups[-1]["date"]) if followups else created
    first_response = next((_when(f["date"]) for f in followups if f["agent"] is not None), None)
    done = status in (Status.RESOLVED, Status.CLOSED)
    ref = ticket_id if ticket_id is not None else item["id"]
    tickets.append(
        {
            "organization_id": oid,
            "number": item["id"],
            "subject": item["title"][:300],
            "status": status,
            "priority": priority,
            "channel": Channel.WEB,
            "customer_id": customer_id,
            "assignee_id": None if item["agent"] is None else target.agents[item["agent"]],
            "team_id": target.teams[item["queue"]],
            "custom_fields": {"due_date": item["due_date"]} if item.get("due_date") else {},
            "created_at": created,
            "updated_at": _when(item["modified"]),
            "first_response_at": first_response,
            "resolved_at": last if done else None,
            "closed_at": last if status is Status.CLOSED else None,
            "version": 1,
        }
        | ({"id": ticket_id} if ticket_id is not None else {})
    )

    def message(body: str, at, agent: int | None, public: bool = True) -> None:
        messages.append(
            {
                "organization_id": oid,
                "ticket_id": ref,
                "body_text": body,
                "created_at": at,
                "kind": MessageKind.PUBLIC if public else MessageKind.INTERNAL,
                "author_user_id": None if agent is None else target.agents[agent],
                "author_customer_id": customer_id if agent is None else None,
                "body_html": "",
                "email_message_id": None,
                "in_reply_to": None,
            }
        )

    message(item["description"], created, None)
    for f in followups:
        message(f["comment"], _when(f["date"]), f["agent"], f.get("public", True))
    events.append(
        {
            "organization_id": oid,
            "ticket_id": ref,
            "kind": EventKind.CREATED,
            "actor_user_id": None,
            "actor_customer_id": customer_id,
            "old_value": None,
            "new_value": item["title"][:500],
            "ticket_version": 0,
            "created_at": created,
            "data": {"channel": Channel.WEB.value, "priority": priority.value},
        }
    )
    if status is not Status.OPEN:
        changed_by = next((f["agent"] for f in reversed(followups) if f.get("new_status")), None)
        events.append(
            {
                "organization_id": oid,
                "ticket_id": ref,
                "kind": EventKind.STATUS,
                "actor_user_id": None if changed_by is None else target.agents[changed_by],
                "actor_customer_id": None,
                "old_value": Status.OPEN.label,
                "new_value": status.label,
                "data": {"old": Status.OPEN.value, "new": status.value},
                "ticket_version": 1,
                "created_at": last,
            }
        )


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _reserve_ids(n: int) -> list[int | None]:
    """Ticket ids from the sequence (PostgreSQL), so children can be written before a RETURNING."""
    if not _postgresql():
        return [None] * n
    return list(
        db.session.scalars(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
    )


def _write(tickets: list[dict], messages: list[dict], events: list[dict]) -> None:
    if _postgresql():
        for table, rows in ((T, tickets), (M, messages), (E, events)):
            _copy(table, rows)
        return
    # Children carry the ticket number until the real ids come back from the insert.
    ids = dict(db.session.execute(sa.insert(T).returning(T.c.number, T.c.id), tickets).all())
    for table, rows in ((M, messages), (E, events)):
        for row in rows:
            row["ticket_id"] = ids[row["ticket_id"]]
        if rows:
            db.session.execute(sa.insert(table), rows)


def _copy(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows into `table`, each value converted by its column's bind processor."""
    if not rows:
        return
    connection = db.session.connection()
    columns = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in columns]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
        for row in rows:
            copy.write_row(
                [
                    v if (v := row[name]) is None or p is None else p(v)
                    for p, name in zip(processors, columns, strict=True)
                ]
            )


def _vacuum_analyze() -> None:
    """Fresh statistics and visibility maps, so the planner picks index-only scans right away."""
    if not _postgresql():
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Another transaction holding a lock on these tables must not make the loader hang:
        # SKIP_LOCKED passes over a busy table at once and leaves it to autovacuum. (Not a
        # `SET lock_timeout`: behind PgBouncer's transaction pooling a SET outlives the
        # statement on a server connection other clients get next.)
        for table in ("customers", "tickets", "messages", "ticket_events"):
            connection.exec_driver_sql(f"VACUUM (ANALYZE, SKIP_LOCKED) {table}")
