"""`seed-demo`: deterministic demo organizations, agents, customers and tickets, bulk-inserted.

Everything is drawn from one `random.Random(seed)` against a fixed "now", so a seed and a `--now`
always give the same data. Each ticket's life is played through the service's own lifecycle rules
(supportdesk.tickets.bulk drafts: the rows and history the service would write for the same calls
at the same times) and the rows go in by batches (COPY on PostgreSQL), never as ORM objects:
that is what keeps 100,000 tickets within a couple of minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from supportdesk.accounts.models import Organization, Role, Team, User, team_members
from supportdesk.accounts.passwords import hash_password, verify_password
from supportdesk.accounts.service import check_password_strength, create_organization
from supportdesk.cli import demo_text as text
from supportdesk.customers.models import Customer, Tier
from supportdesk.db import utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets.bulk import Person, TicketDraft, insert
from supportdesk.tickets.lifecycle import Actor
from supportdesk.tickets.models import Channel, Priority, Status

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (printed for the demo's users on purpose)
BATCH_SIZE = 2_000
HISTORY = dt.timedelta(days=180)
S = Status


class OrgSpec(NamedTuple):
    """A demo organization: name, mail domain, agents per role and team names."""

    name: str
    slug: str
    domain: str
    roles: tuple[tuple[Role, int], ...]
    teams: tuple[str, ...]


STAFF = ((Role.ADMIN, 2), (Role.SENIOR_AGENT, 4), (Role.AGENT, 12), (Role.VIEWER, 2))
MAIN = OrgSpec("Acme Support", "acme-support", "acme-support.example", STAFF, tuple(text.TEAMS))
OTHER = OrgSpec(
    "Globex Helpdesk", "globex-helpdesk", "globex.example", ((Role.ADMIN, 1), (Role.AGENT, 3)),
    ("Billing", "Technical"),
)  # fmt: skip

# Final status weights (open, in progress, pending, resolved, closed) by ticket age in days:
# new tickets are still being worked on, old ones are mostly closed.
_STATUS_BY_AGE = ((2, (35, 30, 15, 15, 5)), (14, (10, 15, 15, 35, 25)), (None, (2, 3, 5, 20, 70)))
_LENGTHS = {S.OPEN: (45, 20, 20, 10, 3, 2), S.IN_PROGRESS: (15, 30, 25, 15, 10, 5)}
_ANSWERED = (0, 30, 30, 20, 12, 8)  # pending, resolved, closed: at least the agent's answer
# Who writes next: C the customer, A an agent's reply, N an internal note.
_NEXT = {"C": ("AN", (75, 25)), "A": ("CNA", (65, 15, 20)), "N": ("AN", (85, 15))}
_GAP_HOURS = {"assign": 0.5, "A": 5, "N": 2, "C": 20, "close": 72, "pick": 1}
_STATUSES, _PRIORITIES, _CHANNELS = list(Status), list(Priority), list(Channel)


@dataclass
class DemoOrg:
    """An organization being seeded, with the rows its tickets point at."""

    id: int
    teams: dict[str, int] = field(default_factory=dict)
    staff: list[dict] = field(default_factory=list)  # active agents who work tickets
    leads: list[dict] = field(default_factory=list)  # admins and senior agents: they triage
    team_staff: dict[int, list[dict]] = field(default_factory=dict)
    customers: list[dict] = field(default_factory=list)


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime:
    """The `--now` option as an aware UTC time (a time without an offset is taken as UTC)."""
    if value is None:
        # This hour, not this second: runs within the same hour give the same data.
        return utcnow().replace(minute=0, second=0, microsecond=0)
    try:
        now = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use an ISO time such as 2026-06-01T12:00:00+00:00") from exc
    return now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)


@click.command("seed-demo")
@click.option(
    "--tickets",
    type=click.IntRange(1, 1_000_000),
    default=1_000,
    show_default=True,
    help="Tickets in the main demo organization.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--now",
    callback=_parse_now,
    help="ISO time the data ends at, UTC unless given [default: this hour].",
)
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="For every demo agent.")
@click.option("--reset", is_flag=True, help="Delete the demo organizations first.")
@click.option("--skip-if-present", is_flag=True, help="Do nothing if the demo data exists.")
@with_appcontext
def seed_demo(
    tickets: int, seed: int, now: dt.datetime, password: str, reset: bool, skip_if_present: bool
) -> None:
    """Fill the database with two demo organizations, their agents, customers and tickets."""
    started = time.perf_counter()
    if reset and skip_if_present:
        raise click.ClickException("Use either --reset or --skip-if-present, not both.")
    try:
        check_password_strength(password)
    except ValidationFailed as exc:
        raise click.ClickException(f"{exc.message} {exc.fields['password']}") from exc
    slugs = (MAIN.slug, OTHER.slug)
    existing = list(db.session.scalars(sa.select(Organization).where(Organization.slug.in_(slugs))))
    if existing and skip_if_present:
        click.echo("The demo data is already there; nothing to do.")
        click.echo(_sign_in_hint(password))
        return
    if existing and not reset:
        names = " and ".join(repr(org.name) for org in existing)
        raise click.ClickException(
            f"The demo data already exists ({names}). Run again with --reset to delete it and "
            "seed afresh."
        )
    if existing:
        delete_organizations([org.id for org in existing])
        db.session.commit()

    rng = random.Random(seed)
    password_hash = hash_password(password)  # once: argon2 is slow on purpose
    counts: Counter[str] = Counter()
    main = _seed_org(rng, MAIN, min(max(tickets // 10, 20), 5_000), now, password_hash, counts)
    other = _seed_org(rng, OTHER, 8, now, password_hash, counts)
    other_tickets = min(12, tickets)
    total = tickets + other_tickets
    with click.progressbar(length=total, label="Seeding tickets", file=sys.stderr) as bar:
        for org, count in ((main, tickets), (other, other_tickets)):
            _seed_tickets(rng, org, count, now, bar, counts)

    elapsed = time.perf_counter() - started
    click.echo(
        f"Seeded in {elapsed:.1f} s: {counts['organizations']} organizations, "
        f"{counts['agents']} agents, {counts['teams']} teams, {counts['customers']:,} customers, "
        f"{counts['tickets']:,} tickets, {counts['messages']:,} messages, "
        f"{counts['events']:,} history events, {counts['tags']:,} tags."
    )
    click.echo(_sign_in_hint(password))


def _sign_in_hint(password: str) -> str:
    """Where and as whom to sign in; the password only while it still opens the demo admin."""
    email = f"admin@{MAIN.domain}"
    url = current_app.config["BASE_URL"]
    admin = db.session.scalar(sa.select(User).where(User.email == email))
    if admin is not None and verify_password(admin.password_hash, password):
        return f"Sign in at {url} as {email} with the password {password!r}."
    return f"Sign in at {url} as {email}; the password {password!r} no longer works for it."


def delete_organizations(org_ids: list[int]) -> None:
    """Delete organizations and every row that belongs to them, dependents first."""
    teams = sa.select(Team.id).where(Team.organization_id.in_(org_ids))
    db.session.execute(sa.delete(team_members).where(team_members.c.team_id.in_(teams)))
    helpers = _index_unindexed_references()
    # Every domain table carries organization_id, so tables added later are covered too.
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "organizations" and "organization_id" in table.c:
            db.session.execute(sa.delete(table).where(table.c.organization_id.in_(org_ids)))
    db.session.execute(sa.delete(Organization).where(Organization.id.in_(org_ids)))
    for name in helpers:
        db.session.execute(sa.text(f'DROP INDEX "{name}"'))


def _index_unindexed_references() -> list[str]:
    """On PostgreSQL, index (inside this transaction) the foreign keys no index starts with.

    Each deleted customer or agent makes PostgreSQL look for rows still pointing at it; without
    an index that is a full scan of messages and history per row: 5,000 customers took 9 minutes.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return []
    names = []
    for table in db.metadata.sorted_tables:
        keys = [*table.indexes, *table.constraints]
        leading = {
            next(iter(key.columns))
            for key in keys
            if len(key.columns) and not isinstance(key, sa.ForeignKeyConstraint)
        }
        for fk in table.foreign_keys:
            if fk.column.table.name != "organizations" and fk.parent not in leading:
                names.append(f"tmp_seed_demo_{table.name}_{fk.parent.name}")
                # Plain DDL: an sa.Index would attach itself to the shared metadata.
                db.session.execute(
                    sa.text(f'CREATE INDEX "{names[-1]}" ON "{table.name}" ("{fk.parent.name}")')
                )
    return names


def _ascii(name: str) -> str:
    """A name as plain lower-case ASCII, for email addresses."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _insert(table: sa.Table, rows: list[dict], *returning: sa.Column) -> list[Any]:
    """Insert `rows` in one executemany through the session; the `returning` columns, if asked."""
    # Without RETURNING, psycopg's pipelined executemany beats a multi-VALUES statement.
    if not returning:
        db.session.execute(sa.insert(table), rows)
        return []
    return list(db.session.execute(sa.insert(table).returning(*returning), rows))


def _seed_org(
    rng: random.Random, spec: OrgSpec, customer_count: int, now: dt.datetime,
    password_hash: str, counts: Counter[str],
) -> DemoOrg:  # fmt: skip
    """Create the organization with its teams, agents and customers; commit."""
    founded = now - dt.timedelta(days=400)
    organization = create_organization(spec.name)
    organization.created_at = founded
    org = DemoOrg(organization.id)
    teams = [
        {"organization_id": org.id, "name": name, "description": text.TEAMS[name],
         "created_at": founded}
        for name in spec.teams
    ]  # fmt: skip
    org.teams = {name: id_ for id_, name in _insert(Team.__table__, teams, Team.id, Team.name)}

    roles = [role for role, n in spec.roles for _ in range(n)]
    names: list[tuple[str, str]] = []
    while len(names) < len(roles):
        name = (rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES))
        if name not in names:
            names.append(name)
    inactive = max(i for i, role in enumerate(roles) if role is Role.AGENT)
    agents = []
    for i, (role, (first, last)) in enumerate(zip(roles, names, strict=True)):
        seen = now - dt.timedelta(minutes=rng.randint(5, 4_000))
        agents.append({
            "organization_id": org.id, "name": f"{first} {last}", "role": role,
            "email": f"{_ascii(first)}.{_ascii(last)}@{spec.domain}" if i else f"admin@{spec.domain}",
            "password_hash": password_hash, "active": i != inactive,
            # Not from the seed: a predictable token would make a predictable login cookie.
            "session_token": secrets.token_urlsafe(24),
            "created_at": founded + dt.timedelta(days=rng.randint(0, 200)),
            "last_login_at": seen if i != inactive else None,
        })  # fmt: skip
    ids = dict(_insert(User.__table__, agents, User.email, User.id))
    for row in agents:
        row["id"], row["first"] = ids[row["email"]], row["name"].split()[0]
        row["actor"], row["person"] = Actor(user_id=row["id"]), Person(row["id"], row["name"])

    team_ids = [org.teams[name] for name in spec.teams]
    memberships = []
    for i, agent in enumerate(agents):
        if agent["role"] in (Role.AGENT, Role.SENIOR_AGENT):
            memberships.append((team_ids[i % len(team_ids)], agent))
        if agent["role"] is Role.SENIOR_AGENT and len(team_ids) > 1 and rng.random() < 0.5:
            memberships.append((team_ids[(i + 1) % len(team_ids)], agent))
    _insert(team_members, [{"team_id": team, "user_id": a["id"]} for team, a in memberships])
    org.staff = [a for a in agents if a["active"] and a["role"] is not Role.VIEWER]
    org.leads = [a for a in org.staff if a["role"] in (Role.ADMIN, Role.SENIOR_AGENT)]
    for team, agent in memberships:
        if agent in org.staff:
            org.team_staff.setdefault(team, []).append(agent)

    emails: set[str] = set()
    for _ in range(customer_count):
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
        company = rng.choice(text.COMPANIES) if rng.random() < 0.7 else ""
        domain = f"{_ascii(company).replace(' ', '-')}.example" if company else "mail.example"
        email, n = f"{_ascii(first)}.{_ascii(last)}@{domain}", 1
        while email in emails:
            email, n = f"{_ascii(first)}.{_ascii(last)}{n}@{domain}", n + 1
        emails.add(email)
        tier = rng.choices(list(Tier), text.TIER_WEIGHTS)[0]
        crm = {"crm": f"CRM-{rng.randint(1000, 99999)}"}
        org.customers.append({
            "organization_id": org.id, "email": email, "name": f"{first} {last}",
            "company": company, "tier": tier,
            "external_ids": crm if tier in (Tier.PREMIUM, Tier.ENTERPRISE) else {},
            "created_at": founded + dt.timedelta(minutes=rng.randint(0, 200 * 1440)),
        })  # fmt: skip
    ids = dict(_insert(Customer.__table__, org.customers, Customer.email, Customer.id))
    for row in org.customers:
        row["id"], row["first"] = ids[row["email"]], row["name"].split()[0]
    db.session.commit()
    counts.update(organizations=1, teams=len(teams), agents=len(agents))
    counts.update(customers=len(org.customers))
    return org


def _seed_tickets(
    rng: random.Random, org: DemoOrg, count: int, now: dt.datetime, bar: Any, counts: Counter[str]
) -> None:
    """Insert tickets 1..count in batches, each with its messages, history and tags; commit each."""
    auto_close = dt.timedelta(days=int(current_app.config.get("AUTO_CLOSE_AFTER_DAYS", 7)))
    teams = {id_: Person(id_, name) for name, id_ in org.teams.items()}
    for start in range(1, count + 1, BATCH_SIZE):
        numbers = range(start, min(start + BATCH_SIZE, count + 1))
        drafts = [_ticket(rng, org, teams, number, now, auto_close) for number in numbers]
        counts.update(insert(drafts))
        # Moved with every batch, so tickets opened after an interrupted run get fresh numbers.
        last_number = sa.update(Organization).values(last_ticket_number=numbers[-1])
        db.session.execute(last_number.where(Organization.id == org.id))
        db.session.commit()
        bar.update(len(numbers))


def _conversation(rng: random.Random, status: Status) -> list[str]:
    """Who writes each message, in order: the customer first, then a realistic back and forth."""
    kinds = ["C"]
    for _ in range(rng.choices(range(6), _LENGTHS.get(status, _ANSWERED))[0]):
        options, weights = _NEXT[kinds[-1]]
        kinds.append(rng.choices(options, weights)[0])
    if status in (S.PENDING, S.RESOLVED, S.CLOSED) and [k for k in kinds if k != "N"][-1] != "A":
        kinds[-1:] = ["A"] if len(kinds) == 6 else [kinds[-1], "A"]
    return kinds


def _times(rng: random.Random, start: dt.datetime, now: dt.datetime, steps: list[str]) -> list:
    """Increasing whole-second times for `steps` after `start`, squeezed to end before now."""
    gaps = [rng.expovariate(1 / (_GAP_HOURS[step] * 3600)) for step in steps]
    room = (now - start).total_seconds() - 60
    scale = min(1.0, room / sum(gaps)) if gaps else 1.0
    times, elapsed, last = [], 0.0, 0
    for gap in gaps:
        elapsed += gap * scale
        last = max(last + 1, int(elapsed))
        times.append(start + dt.timedelta(seconds=last))
    return times


def _ticket(
    rng: random.Random, org: DemoOrg, teams: dict[int, Person], number: int, now: dt.datetime,
    auto_close: dt.timedelta,
) -> TicketDraft:  # fmt: skip
    """One ticket's life, played as the customer and the agents would, call by call."""
    issue = rng.choice(text.ISSUES)
    customer = org.customers[int(len(org.customers) * rng.random() ** 1.3)]  # some write more
    fill = text.fillers(rng, customer["first"])
    age = 600 + (HISTORY.total_seconds() - 600) * rng.random() ** 1.5  # recent ones are denser
    created = now - dt.timedelta(seconds=int(age))
    weights = next(w for days, w in _STATUS_BY_AGE if days is None or age < days * 86_400)
    status = rng.choices(_STATUSES, weights)[0]
    kinds = _conversation(rng, status)
    team_id = org.teams.get(issue.team) if rng.random() < 0.85 else None
    handler = rng.choice(org.team_staff.get(team_id) or org.staff)
    assignee = handler if rng.random() < (0.8 if len(kinds) > 1 else 0.35) else None
    steps = ["assign"] * bool(assignee) + kinds[1:] + ["close"] * (status is S.CLOSED)
    steps += ["pick"] * (status is S.IN_PROGRESS)
    times = _times(rng, created, now, steps)
    priority = rng.choices(_PRIORITIES, (25, 50, 20, 5))[0]
    channel = rng.choices(_CHANNELS, (55, 35, 10))[0]
    tags = rng.sample(issue.tags + text.GENERAL_TAGS, rng.choices(range(4), (30, 40, 20, 10))[0])
    ticket = TicketDraft(
        org.id, number, customer_id=customer["id"], subject=issue.subject.format_map(fill),
        body=text.opening(rng, issue).format_map(fill), at=created, priority=priority,
        channel=channel, team=teams.get(team_id), tags=tags,
    )  # fmt: skip
    last_answer = max(i for i, kind in enumerate(kinds) if kind != "N")
    index, asked, closing_at = 0, False, None
    for step, at in zip(steps, times, strict=True):
        if step == "assign":
            by = assignee if rng.random() < 0.5 else rng.choice(org.leads)
            ticket.assign(by["actor"], at, assignee=assignee["person"], team=ticket.team)
        elif step == "close":
            closing_at = at
        elif step == "pick":
            ticket.change_status(S.IN_PROGRESS, handler["actor"], at)
        elif step == "C":
            index += 1
            ticket.customer_reply(text.customer_reply(rng, asked).format_map(fill), at)
            asked = False
        else:
            index += 1
            author = handler if step == "A" or rng.random() < 0.75 else rng.choice(org.staff)
            if status is not S.OPEN and ticket.status is S.OPEN:
                ticket.change_status(S.IN_PROGRESS, author["actor"], at)
            if step == "N":
                ticket.note(author["actor"], rng.choice(text.NOTES).format_map(fill), at)
                continue
            final = index == last_answer
            asked = (
                "C" in kinds[index + 1 :] and rng.random() < 0.5 or final and status is S.PENDING
            )
            solved = final and status in (S.RESOLVED, S.CLOSED)
            line = issue.fix if solved else rng.choice(text.ASKS if asked else text.UPDATES)
            body = text.agent_reply(rng, line, author["first"]).format_map(fill)
            ticket.reply(author["actor"], body, at)
            if asked or solved:
                ticket.change_status(S.PENDING if asked else S.RESOLVED, author["actor"], at)
    if ticket.status is S.RESOLVED:
        # The auto-close job closes resolved tickets after AUTO_CLOSE_AFTER_DAYS; agents may
        # close them sooner. Old resolved tickets are therefore closed, as they would be.
        delay = dt.timedelta(minutes=rng.randint(1, 60))  # the job runs hourly
        automatic = max(ticket.resolved_at + auto_close, ticket.updated_at) + delay
        by_agent = closing_at and closing_at < automatic
        if by_agent and (not auto_close or automatic >= now or rng.random() < 0.3):
            ticket.change_status(S.CLOSED, handler["actor"], closing_at)
        elif auto_close and automatic < now:
            ticket.auto_close(automatic)
    return ticket
