"""Server time of the console's main pages, in process: no network, no gunicorn, no client.

    SUPPORTDESK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sd_perf_100k \
        .venv/bin/python benchmarks/inprocess.py --requests 200
    .venv/bin/python benchmarks/inprocess.py --profile queue     # cProfile of one page

Builds the app as gunicorn would (create_app, no debug, no testing), signs in through the login
form with Flask's test client and times `--requests` GETs of each page after a warm-up. For each
page it prints the median and p95 of the whole request (WSGI call to the last byte of the body),
and the median share of it spent waiting on SQL statements (cursor execute to the last row
fetched) and rendering the template; the rest is Python in the view and the request hooks.

Works on a `seed-demo` database (signs in as the demo organization's first agent; the ticket page
is a ticket with 6 messages and 20 history entries, or the nearest there is) and on a
`load-workload` database (agent01@workload.example; the workload's `kerberos` search).
Used by run.py for its in-process table, its baseline and its --compare check.
"""

# ruff: noqa: S105, S311  (benchmark passwords; a seeded RNG picks ticket numbers)

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

# The checkout whose code is measured: this one, or --source (an older commit's worktree, to
# measure "before" with the same tool).
_source = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--source=")), None)
sys.path.insert(0, _source or str(Path(__file__).resolve().parent.parent))

WORKLOAD_AGENT = ("agent01@workload.example", "workload-password")
DEMO_PASSWORD = "demo-password-123"
PAGES = ("queue", "ticket", "search", "customer")


@dataclass
class Timings:
    """Per-request wall, SQL and template time of one page."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)

    def summary(self) -> dict:
        ordered = sorted(self.wall)
        return {
            "requests": len(ordered),
            "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
            "cpu_ms": round(statistics.median(self.cpu), 2),
            "sql_ms": round(statistics.median(self.sql), 2),
            "render_ms": round(statistics.median(self.render), 2),
            "sql_queries": sorted(self.queries),
        }


class Probe:
    """Adds up SQL wall time (engine events) and template time (Flask signals) per request."""

    def __init__(self, app, engine):
        from flask import before_render_template, template_rendered

        self.sql = self.render = 0.0
        self.queries = 0
        self.statements: list[tuple[str, float]] = []
        self._statement = ""
        self._sql_started = self._render_started = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before_sql)
        sa.event.listen(engine, "after_cursor_execute", self._after_sql)
        before_render_template.connect(self._before_render, app)
        template_rendered.connect(self._after_render, app)

    def reset(self) -> None:
        self.sql = self.render = 0.0
        self.queries = 0
        self.statements = []

    def _before_sql(self, conn, cursor, statement, *args) -> None:
        self._statement = statement
        self._sql_started = time.perf_counter()

    def _after_sql(self, *args) -> None:
        elapsed = time.perf_counter() - self._sql_started
        self.sql += elapsed
        self.queries += 1
        self.statements.append((self._statement, elapsed))

    def _before_render(self, *args, **kwargs) -> None:
        self._render_started = time.perf_counter()

    def _after_render(self, *args, **kwargs) -> None:
        # SQL run while rendering (a lazy load) would count twice; lazy loads raise here.
        self.render += time.perf_counter() - self._render_started


def build_app(database_url: str):
    """The app as gunicorn builds it from the environment, on `database_url`."""
    os.environ["SUPPORTDESK_DATABASE_URL"] = database_url
    os.environ.setdefault("SUPPORTDESK_SECRET_KEY", "benchmark")
    os.environ.setdefault("SUPPORTDESK_LOG_LEVEL", "WARNING")
    from supportdesk import create_app

    return create_app()


def pick_targets(app) -> dict:
    """Who signs in and which ticket, search and customer the pages show (fixed per database)."""
    from supportdesk.extensions import db

    with app.app_context():
        conn = db.session.connection()
        workload = conn.execute(
            sa.text("SELECT organization_id FROM users WHERE email = :e"),
            {"e": WORKLOAD_AGENT[0]},
        ).scalar()
        if workload is not None:
            org, (email, password), query = workload, WORKLOAD_AGENT, "kerberos"
        else:
            org = conn.execute(
                sa.text("SELECT organization_id FROM tickets GROUP BY 1 ORDER BY count(*) DESC")
            ).scalar()
            email = conn.execute(
                sa.text(
                    "SELECT email FROM users WHERE organization_id = :o AND active "
                    "AND role = 'agent' ORDER BY id LIMIT 1"
                ),
                {"o": org},
            ).scalar()
            password, query = DEMO_PASSWORD, "refund"
        # The ticket nearest to 6 messages and 20 history entries (the issue's ticket page);
        # built once when the database has none that long (the workload's histories are short).
        ticket = _nearest_ticket(conn, org)
        if ticket[2] < ISSUE_TICKET[0] or ticket[3] < ISSUE_TICKET[1]:
            db.session.remove()
            build_issue_ticket(org, email, customer_id=ticket[1])
            conn = db.session.connection()
            ticket = _nearest_ticket(conn, org)
        db.session.remove()
    return {
        "email": email,
        "password": password,
        "ticket": ticket[0],
        "ticket_messages": ticket[2],
        "ticket_events": ticket[3],
        "customer": ticket[1],
        "search": query,
    }


ISSUE_TICKET = (6, 20)  # messages, history entries: the ticket page of issue 19's budget
ISSUE_TICKET_SUBJECT = "VPN drops every hour since the gateway update"


def _nearest_ticket(conn, org: int):
    """(number, customer id, messages, history entries) of the ticket nearest ISSUE_TICKET."""
    return conn.execute(
        sa.text(
            "WITH m AS (SELECT ticket_id, count(*) n FROM messages WHERE organization_id = :o"
            " GROUP BY 1), e AS (SELECT ticket_id, count(*) n FROM ticket_events"
            " WHERE organization_id = :o GROUP BY 1)"
            " SELECT t.number, t.customer_id, m.n, e.n FROM tickets t"
            " JOIN m ON m.ticket_id = t.id JOIN e ON e.ticket_id = t.id"
            " WHERE t.organization_id = :o"
            " ORDER BY abs(m.n - :messages) + abs(e.n - :events), t.id LIMIT 1"
        ),
        {"o": org, "messages": ISSUE_TICKET[0], "events": ISSUE_TICKET[1]},
    ).one()


def build_issue_ticket(org: int, email: str, customer_id: int) -> None:
    """A ticket of ISSUE_TICKET's length in the organization, made through the services as an
    agent would (a request, replies, notes, status, priority and assignment changes), committed,
    for the customer `customer_id` (the customer page stays the one measured before). Needs the
    app context of the caller."""
    from supportdesk.accounts.models import User
    from supportdesk.extensions import db
    from supportdesk.tickets import service
    from supportdesk.tickets.models import Message, Priority, Status, TicketEvent

    agent = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    customer = db.session.execute(
        sa.text("SELECT email, name FROM customers WHERE id = :c"), {"c": customer_id}
    ).one()
    ticket = service.open_ticket(
        org,
        actor=None,
        customer_email=customer.email,
        customer_name=customer.name,
        subject=ISSUE_TICKET_SUBJECT,
        body="Since Tuesday's gateway update the VPN drops every hour, for the whole team.",
    )
    service.assign(agent, ticket, assignee_id=agent.id, team_id=None)
    texts = [
        ("reply", "Thanks for the report. Which client version does the team use?"),
        ("note", "Gateway 4.2 changed the idle timeout: checking with the network team."),
        ("reply", "Could you send the client log from one of the drops?"),
        ("note", "Log shows the rekey failing at 60 minutes: known issue, fix in 4.2.1."),
        ("reply", "The fix is scheduled for tonight; we will confirm tomorrow morning."),
    ]
    for kind, text in texts:
        (service.reply if kind == "reply" else service.add_note)(agent, ticket, text)
    priorities = [Priority.HIGH, Priority.MEDIUM, Priority.CRITICAL, Priority.HIGH]
    statuses = [Status.PENDING, Status.IN_PROGRESS]

    def events() -> int:
        db.session.flush()
        return db.session.scalar(
            sa.select(sa.func.count()).where(TicketEvent.ticket_id == ticket.id)
        )

    step = 0
    while events() < ISSUE_TICKET[1]:
        service.change_priority(agent, ticket, priorities[step % len(priorities)])
        service.change_status(agent, ticket, statuses[step % len(statuses)])
        step += 1
    messages = db.session.scalar(sa.select(sa.func.count()).where(Message.ticket_id == ticket.id))
    assert messages == ISSUE_TICKET[0], messages
    db.session.commit()


def sign_in(client, email: str, password: str) -> None:
    """Sign in through the login form, as a browser would."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {email} failed ({response.status_code})")


def page_paths(targets: dict) -> dict[str, str]:
    """The path of each measured page."""
    return {
        "queue": "/",
        "ticket": f"/tickets/{targets['ticket']}",
        "search": f"/search?q={targets['search']}",
        "customer": f"/customers/{targets['customer']}",
    }


_REFERENCE_TEMPLATE = (
    '{% for r in rows %}<tr class="{{ r.kind }}"><td>{{ r.number }}</td>'
    "<td>{{ r.subject }}</td><td>{{ r.who|default('nobody') }}</td></tr>{% endfor %}"
)


def host_reference_ms(rounds: int = 31) -> float:
    """Median wall ms of a fixed piece of Python shaped like a page's (a Jinja loop escaping
    strings, dicts built and sorted): how fast this host runs right now.

    Shared machines have slow and fast phases about 30 % apart, more than --compare's
    threshold: run.py divides a page's change by this reference's change, so a regression is
    the code's, not the host's.
    """
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(_REFERENCE_TEMPLATE)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        rows = [
            {"kind": f"k{i % 7}", "number": i, "subject": f"<b>Ticket {i}</b> & more", "who": None}
            for i in range(1000)
        ]
        rows.sort(key=lambda r: (r["kind"], -r["number"]))
        template.render(rows=rows)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def measure(database_url: str, requests: int = 200, warmup: int = 20, pages=PAGES) -> dict:
    """Time each page in process; returns {"targets": …, "pages": {name: summary},
    "host_ms": the host reference, taken before and after the pages (their mean)}."""
    host_before = host_reference_ms()
    app = build_app(database_url)
    targets = pick_targets(app)
    paths = page_paths(targets)
    from supportdesk.extensions import db

    with app.app_context():
        engine = db.engine
    probe = Probe(app, engine)
    client = app.test_client()
    sign_in(client, targets["email"], targets["password"])
    results = {}
    # Interleaved rounds: a burst of load on the machine hits every page alike.
    timings = {name: Timings() for name in pages}
    statements: dict[str, dict[str, list[float]]] = {name: {} for name in pages}
    for i in range(warmup + requests):
        for name in pages:
            probe.reset()
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(paths[name])
            response.get_data()
            wall = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} on {paths[name]}")
            if i >= warmup:
                t = timings[name]
                t.wall.append(wall)
                t.cpu.append(cpu)
                t.sql.append(probe.sql * 1000)
                t.render.append(probe.render * 1000)
                t.queries.add(probe.queries)
                for statement, elapsed in probe.statements:
                    statements[name].setdefault(statement, []).append(elapsed * 1000)
    for name in pages:
        results[name] = {
            "path": paths[name],
            **timings[name].summary(),
            "statements": [
                {"sql": sql, "p50_ms": round(statistics.median(times), 3), "runs": len(times)}
                for sql, times in statements[name].items()
            ],
        }
    host_ms = round((host_before + host_reference_ms()) / 2, 3)
    return {"targets": targets, "pages": results, "host_ms": host_ms}


def profile(database_url: str, page: str, requests: int, top: int) -> str:
    """cProfile (CPU time) of `requests` GETs of one page after a warm-up, top functions."""
    app = build_app(database_url)
    targets = pick_targets(app)
    path = page_paths(targets)[page]
    client = app.test_client()
    sign_in(client, targets["email"], targets["password"])
    for _ in range(20):
        client.get(path).get_data()
    # CPU time, not wall time: on a shared machine, waiting for a core would swamp the picture.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        client.get(path).get_data()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def table(result: dict) -> str:
    """The in-process figures as a text table."""
    lines = [
        f"{'page (in process)':18} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'SQL ms':>8} "
        f"{'render':>8} {'other':>8} {'SQL':>5}",
        "-" * 79,
    ]
    for name, r in result["pages"].items():
        other = r["p50_ms"] - r["sql_ms"] - r["render_ms"]
        sql = ",".join(map(str, r["sql_queries"]))
        lines.append(
            f"{name:18} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['cpu_ms']:>8.2f} {r['sql_ms']:>8.2f} "
            f"{r['render_ms']:>8.2f} {other:>8.2f} {sql:>5}"
        )
    if "host_ms" in result:
        lines.append(f"host reference: {result['host_ms']:.3f} ms (a fixed render; see --compare)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--database-url",
        default=os.environ.get("SUPPORTDESK_DATABASE_URL"),
        help="a seeded database [default: $SUPPORTDESK_DATABASE_URL]",
    )
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument(
        "--pages", default=",".join(PAGES), help="comma-separated subset of " + ",".join(PAGES)
    )
    p.add_argument("--profile", choices=PAGES, help="print a cProfile of this page instead")
    p.add_argument("--top", type=int, default=40)
    p.add_argument(
        "--statements", action="store_true", help="also print each SQL statement's median"
    )
    p.add_argument("--sql-width", type=int, default=160)
    p.add_argument("--json", help="write the figures here")
    p.add_argument(
        "--source", help="measure the supportdesk checkout in this folder (--source=DIR)"
    )
    a = p.parse_args(argv)
    if not a.database_url:
        p.error("pass --database-url or set SUPPORTDESK_DATABASE_URL")
    if a.profile:
        print(profile(a.database_url, a.profile, a.requests, a.top))
        return 0
    result = measure(a.database_url, a.requests, a.warmup, tuple(a.pages.split(",")))
    print(f"targets: {result['targets']}", file=sys.stderr)
    print(table(result))
    if a.statements:
        for name, r in result["pages"].items():
            print(f"\n{name}: SQL statements, median ms")
            for st in r["statements"]:
                print(f"  {st['p50_ms']:>7.3f}  {' '.join(st['sql'].split())[: a.sql_width]}")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
