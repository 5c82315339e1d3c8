"""Report pages over HTTP: the dashboard for a 90-day range (and other reports) at N tickets.

    python benchmarks/reports.py --tickets 100000

Creates a scratch PostgreSQL database, migrates it, seeds it with `flask seed-demo --tickets N
--seed 1`, counts the aggregates with `flask reports rebuild` (timed), serves the app with
gunicorn (-w 2), signs in as the demo's first senior agent (a lead: every team's figures) and
times each report page (p50/p95/max, SQL queries from the X-SQL-Queries header); then makes a
CSV export of every ticket in process with `flask reports export` (time, size, peak RSS).
Targets (issue 14): the dashboard p95 ≤ 300 ms, any report ≤ 1 s. See benchmarks/README.md.
"""

# ruff: noqa: S603, S607  (a developer tool that runs psql, flask and gunicorn)

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, Client, _database_url, _flask, _measure, _psql, _serve, _step  # noqa: E402

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (the demo's published password)
PAGES = {
    "dashboard 90 days": "/reports?days=90",
    "dashboard 90 days by week, by agent": "/reports?days=90&group=week&by=agent",
    "dashboard 90 days, one team, by priority": "/reports?days=90&team={team}&by=priority",
    "dashboard 365 days by month": "/reports?days=365&group=month",
    "api summary 90 days": "/api/v1/reports/summary?days=90",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--port", type=int, default=8431)
    p.add_argument("--requests", type=int, default=60)
    p.add_argument("--reuse", action="store_true", help="Keep the seeded database.")
    p.add_argument("--skip-export", action="store_true")
    p.add_argument("--json", help="Write the results here.")
    a = p.parse_args(argv)
    db_name = f"supportdesk_bench_reports_{a.tickets}"
    url = _database_url(a.server_url, db_name).replace("postgresql://", "postgresql+psycopg://")
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": url,
        "SUPPORTDESK_SECRET_KEY": "benchmark",
        "SUPPORTDESK_QUERY_COUNT_HEADER": "true",
    }
    env.pop("SUPPORTDESK_REDIS_URL", None)
    report: dict = {"tickets": a.tickets, "pages": {}}
    if not a.reuse:
        _step(f"Creating database {db_name} and seeding {a.tickets:,} tickets")
        _psql(a.server_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        _psql(a.server_url, f'CREATE DATABASE "{db_name}"')
        _flask(env, "db", "upgrade")
        started = time.perf_counter()
        _flask(env, "seed-demo", "--tickets", str(a.tickets), "--seed", "1", quiet=False)
        report["seed_seconds"] = round(time.perf_counter() - started, 1)
        _step("flask reports rebuild")
        started = time.perf_counter()
        _flask(env, "reports", "rebuild", quiet=False)
        report["rebuild_seconds"] = round(time.perf_counter() - started, 1)
    lead, team, token = _lead(env)
    server = _serve(env, a.port)
    try:
        client = Client("127.0.0.1", a.port)
        client.login(lead, DEMO_PASSWORD)
        for name, path in PAGES.items():
            path = path.format(team=team)
            if path.startswith("/api/"):
                action = lambda i, path=path: client.request("GET", path, token=token)  # noqa: E731
            else:
                action = lambda i, path=path: client.get(path)  # noqa: E731
            report["pages"][name] = _measure(action, a.requests, warmup=3)
            print(f"{name:45} {report['pages'][name]}", flush=True)
    finally:
        server.terminate()
        server.wait()
    if not a.skip_export:
        _step("Exporting every ticket as CSV (in process)")
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "supportdesk", "reports", "export",
             "--as", lead, "--query", "queue=all"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        report["export"] = done.stdout.strip()
        print(report["export"])
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _lead(env: dict) -> tuple[str, int, str]:
    """The demo's first senior agent, a team id, and an API token for the lead."""
    code = (
        "import sqlalchemy as sa\n"
        "from supportdesk import create_app\n"
        "from supportdesk.extensions import db\n"
        "from supportdesk.accounts.models import Organization, Role, Team, User\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    org = db.session.scalar(sa.select(Organization).where(Organization.slug == 'acme-support'))\n"
        "    lead = db.session.scalar(sa.select(User).where(User.organization_id == org.id,"
        " User.role == Role.SENIOR_AGENT).order_by(User.id))\n"
        "    team = db.session.scalar(sa.select(Team.id).where(Team.organization_id == org.id).order_by(Team.id))\n"
        "    print(lead.email, team)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    email, team = out[-2], int(out[-1])
    token = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "supportdesk", "create-token", "--email", email,
         "--scope", "read", "--name", "reports-benchmark", "--expires-in-days", "1"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    return email, team, token


if __name__ == "__main__":
    sys.exit(main())
