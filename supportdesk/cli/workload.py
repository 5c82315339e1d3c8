"""`load-workload`: import the shared benchmark workload (JSONL from ../shared/bench/workload.py).

The mapping is faithful, so the same data can be compared with other help desks:
queues → teams, the ten workload agents → agents, submitter emails → customers, the description
→ the customer's first message, the three follow-ups → public messages (customer when the
follow-up has no agent), workload ids → ticket numbers, timestamps kept. Statuses: 1 open → open,
2 reopened → in progress, 3 resolved → resolved, 4 closed → closed, set by the follow-up that
carries the new status. Priorities: 1 critical, 2 high, 3 medium, 4 low and 5 very low → low
(supportdesk has four levels).

Each ticket is played through the service's own lifecycle rules (supportdesk.tickets.bulk: the
customer opens it, each follow-up is a reply, a note or the customer's answer, then the status
change), so its history is what the service writes. Rows go in by batches: PostgreSQL COPY,
other databases Core executemany; values pass through each column's own bind processor either way.
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
from supportdesk.tickets.bulk import Person, TicketDraft, insert
from supportdesk.tickets.lifecycle import SYSTEM, Actor
from supportdesk.tickets.models import Priority, Status, Ticket

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
C = Customer.__table__


@dataclass
class Target:
    """The organization being loaded and the ids its rows point at."""

    org: Organization
    teams: list[Person]
    agents: list[Person]
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
        Person(
            db.session.execute(
                sa.insert(Team)
                .values(organization_id=org.id, name=name, description="Workload queue")
                .returning(Team.id)
            ).scalar_one(),
            name,
        )
        for name in QUEUES
    ]
    agents = [
        Person(
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
            ).scalar_one(),
            name,
        )
        for username, name in AGENTS
    ]
    # Agent n works the queue n (membership only; the workload assigns across queues).
    db.session.execute(
        sa.insert(team_members),
        [{"team_id": t.id, "user_id": a.id} for t, a in zip(teams, agents, strict=True)],
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
    written = insert([_ticket(target, item) for item in batch])
    for kind in ("tickets", "messages", "events"):
        target.counts[kind] += written[kind]


def _ticket(target: Target, item: dict) -> TicketDraft:
    """One workload ticket, played through the lifecycle: opened, answered, its status set."""
    agents = target.agents
    ticket = TicketDraft(
        target.org.id,
        item["id"],
        customer_id=target.customers[item["submitter_email"].lower()],
        subject=item["title"][:300],
        body=item["description"],
        at=_when(item["created"]),
        priority=PRIORITIES[item["priority"]],
        assignee=None if item["agent"] is None else agents[item["agent"]],
        team=target.teams[item["queue"]],
        custom_fields={"due_date": item["due_date"]} if item.get("due_date") else {},
    )
    for f in item["followups"]:
        at, author = _when(f["date"]), f["agent"]
        actor = SYSTEM if author is None else Actor(user_id=agents[author].id)
        if author is None:
            ticket.customer_reply(f["comment"], at)
        elif f.get("public", True):
            ticket.reply(actor, f["comment"], at)
        else:
            ticket.note(actor, f["comment"], at)
        if f.get("new_status"):
            ticket.change_status(STATUSES[f["new_status"]], actor, at)
    return ticket


def _vacuum_analyze() -> None:
    """Fresh statistics and visibility maps, so the planner picks index-only scans right away."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Another transaction holding a lock on these tables must not make the loader hang:
        # SKIP_LOCKED passes over a busy table at once and leaves it to autovacuum. (Not a
        # `SET lock_timeout`: behind PgBouncer's transaction pooling a SET outlives the
        # statement on a server connection other clients get next.) TRUNCATE false: giving
        # empty pages at a table's end back to the system needs the table to itself, and
        # VACUUM waits up to 5 s for that while any transaction has written to it (a web
        # request, a test's own transaction); autovacuum gives them back later.
        for table in ("customers", "tickets", "messages", "ticket_events"):
            connection.exec_driver_sql(f"VACUUM (ANALYZE, SKIP_LOCKED, TRUNCATE false) {table}")
