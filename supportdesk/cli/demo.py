"""`seed-demo`: deterministic demo organizations, agents, customers and tickets, bulk-inserted.

Everything is drawn from one `random.Random(seed)` against a fixed "now", so a seed and a `--now`
always give the same data. Rows go in through Core executemany in batches, never ORM objects:
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
from supportdesk.accounts.passwords import hash_password
from supportdesk.accounts.service import check_password_strength, create_organization
from supportdesk.cli import demo_text as text
from supportdesk.customers.models import Customer, Tier
from supportdesk.db import utcnow
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
    TicketTag,
)

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (printed for the demo's users on purpose)
BATCH_SIZE = 2_000
HISTORY = dt.timedelta(days=180)
S = Status
T, M, E, TT = Ticket.__table__, Message.__table__, TicketEvent.__table__, TicketTag.__table__


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
    click.echo(f"Sign in as admin@{MAIN.domain} with the password {password!r}.")


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
    for start in range(1, count + 1, BATCH_SIZE):
        numbers = range(start, min(start + BATCH_SIZE, count + 1))
        tickets: list[dict] = []
        children: dict[sa.Table, list[dict]] = {M: [], E: [], TT: []}
        for number in numbers:
            _ticket(rng, org, number, now, auto_close, tickets, children)
        # Children carry the ticket number until the real ids come back from the insert.
        ids = {number: id_ for id_, number in _insert(T, tickets, T.c.id, T.c.number)}
        for table, rows in children.items():
            for row in rows:
                row["ticket_id"] = ids[row["ticket_id"]]
            if rows:
                _insert(table, rows)
        # Moved with every batch, so tickets opened after an interrupted run get fresh numbers.
        last_number = sa.update(Organization).values(last_ticket_number=numbers[-1])
        db.session.execute(last_number.where(Organization.id == org.id))
        db.session.commit()
        counts.update(tickets=len(tickets), messages=len(children[M]))
        counts.update(events=len(children[E]), tags=len(children[TT]))
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
    rng: random.Random, org: DemoOrg, number: int, now: dt.datetime, auto_close: dt.timedelta,
    tickets: list[dict], children: dict[sa.Table, list[dict]],
) -> None:  # fmt: skip
    """Append one ticket's row and its messages, history events and tags."""
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
    subject = issue.subject.format_map(fill)
    oid, messages, events = org.id, children[M], children[E]
    state: dict[str, Any] = {"status": S.OPEN, "resolved": None, "closed": None, "first": None}

    def message(kind: MessageKind, template: str, at: dt.datetime, author: dict) -> int:
        body = template.format_map(fill)
        by_customer = author is customer
        messages.append({
            "organization_id": oid, "ticket_id": number, "kind": kind, "body_text": body,
            "author_user_id": None if by_customer else author["id"],
            "author_customer_id": customer["id"] if by_customer else None,
            "body_html": "", "email_message_id": None, "in_reply_to": None, "created_at": at,
        })  # fmt: skip
        return len(body)

    def event(
        kind: EventKind, at: dt.datetime, actor: dict | None, old: str | None = None,
        new: str | None = None, data: dict | None = None, version: int = 1,
    ) -> None:  # fmt: skip
        # actor None is the system (auto-close); the customer's own row marks the customer.
        events.append({
            "organization_id": oid, "ticket_id": number, "kind": kind, "old_value": old,
            "actor_user_id": None if actor is None or actor is customer else actor["id"],
            "actor_customer_id": customer["id"] if actor is customer else None,
            "new_value": new, "data": data or {}, "ticket_version": version, "created_at": at,
        })  # fmt: skip
        state["last"] = at

    def move(target: Status, at: dt.datetime, actor: dict | None) -> None:
        old = state["status"]
        if target is old:
            return
        if target is S.RESOLVED:
            state["resolved"] = at
        elif target is S.CLOSED:
            state["closed"], state["resolved"] = at, state["resolved"] or at
        else:
            state["resolved"] = state["closed"] = None
        state["status"] = target
        change = {"old": old.value, "new": target.value}
        event(EventKind.STATUS, at, actor, old.label, target.label, change)

    message(MessageKind.PUBLIC, text.opening(rng, issue), created, customer)
    created_data = {"channel": channel.value, "priority": priority.value}
    event(EventKind.CREATED, created, customer, None, subject, created_data, version=0)
    last_answer = max(i for i, kind in enumerate(kinds) if kind != "N")
    index, asked, closing_at = 0, False, None
    for step, at in zip(steps, times, strict=True):
        if step == "assign":
            by = assignee if rng.random() < 0.5 else rng.choice(org.leads)
            change = {"old": None, "new": assignee["id"]}
            event(EventKind.ASSIGNEE, at, by, None, assignee["name"], change)
        elif step == "close":
            closing_at = at
        elif step == "pick":
            move(S.IN_PROGRESS, at, handler)
        elif step == "C":
            index += 1
            message(MessageKind.PUBLIC, text.customer_reply(rng, asked), at, customer)
            event(EventKind.CUSTOMER_REPLIED, at, customer)
            if state["status"] in (S.PENDING, S.RESOLVED):
                move(S.OPEN, at, customer)
            asked = False
        else:
            index += 1
            author = handler if step == "A" or rng.random() < 0.75 else rng.choice(org.staff)
            if status is not S.OPEN and state["status"] is S.OPEN:
                move(S.IN_PROGRESS, at, author)
            if step == "N":
                message(MessageKind.INTERNAL, rng.choice(text.NOTES), at, author)
                event(EventKind.NOTED, at, author)
                continue
            final = index == last_answer
            asked = (
                "C" in kinds[index + 1 :] and rng.random() < 0.5 or final and status is S.PENDING
            )
            solved = final and status in (S.RESOLVED, S.CLOSED)
            line = issue.fix if solved else rng.choice(text.ASKS if asked else text.UPDATES)
            length = message(
                MessageKind.PUBLIC, text.agent_reply(rng, line, author["first"]), at, author
            )
            event(EventKind.REPLIED, at, author, data={"length": length})
            state["first"] = state["first"] or at
            if asked or solved:
                move(S.PENDING if asked else S.RESOLVED, at, author)
    if state["status"] is S.RESOLVED:
        # The auto-close job closes resolved tickets after AUTO_CLOSE_AFTER_DAYS; agents may
        # close them sooner. Old resolved tickets are therefore closed, as they would be.
        delay = dt.timedelta(minutes=rng.randint(1, 60))  # the job runs hourly
        automatic = max(state["resolved"] + auto_close, state["last"]) + delay
        by_agent = closing_at and closing_at < automatic
        if by_agent and (not auto_close or automatic >= now or rng.random() < 0.3):
            move(S.CLOSED, closing_at, handler)
        elif auto_close and automatic < now:
            move(S.CLOSED, automatic, None)
    tickets.append({
        "organization_id": oid, "number": number, "subject": subject, "status": state["status"],
        "priority": priority, "channel": channel, "customer_id": customer["id"],
        "assignee_id": assignee and assignee["id"], "team_id": team_id, "custom_fields": {},
        "created_at": created, "updated_at": state["last"], "first_response_at": state["first"],
        "resolved_at": state["resolved"], "closed_at": state["closed"], "version": 1,
    })  # fmt: skip
    tag_count = rng.choices(range(4), (30, 40, 20, 10))[0]
    tags = rng.sample(issue.tags + text.GENERAL_TAGS, tag_count)
    children[TT].extend({"ticket_id": number, "name": n, "organization_id": oid} for n in tags)
