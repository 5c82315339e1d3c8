"""Report pages over HTTP: the dashboard for a 90-day range (and other reports) at N tickets.

    python benchmarks/reports.py --tickets 100000
    python benchmarks/reports.py --database sd_perf_1m --as lead@workload.example \
        --password workload-password --end 2025-12-31

Without `--database`: creates a scratch PostgreSQL database, migrates it, seeds it with
`flask seed-demo --tickets N --seed 1` and counts the aggregates with `flask reports rebuild`
(timed), and signs in as the demo's first senior agent (a lead: every team's figures). With
`--database NAME`: measures that database as it is (loaded, migrated and rebuilt before),
signed in as `--as` (an admin or senior agent, for every team's figures). Serves the app with
gunicorn (-w 2) and times each report page (p50/p95/max, SQL queries from the X-SQL-Queries
header, the gunicorn workers' CPU per request, the load average before and after); then makes
each kind of export of every ticket in process with `flask reports export` under
`/usr/bin/time -v` (wall and CPU time, size, peak RSS of the process).
Targets (issue 14): the dashboard p95 ≤ 300 ms, any report ≤ 1 s. See benchmarks/README.md.
"""

# ruff: noqa: S603, S607  (a developer tool that runs psql, flask and gunicorn)

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, Client, _database_url, _flask, _measure, _psql, _serve, _step  # noqa: E402

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (the demo's published password)
PAGES = {
    "dashboard 90 days": "/reports?days=90",
    "dashboard 90 days by week, by agent": "/reports?days=90&group=week&by=agent",
    "dashboard 90 days, one team, by priority": "/reports?days=90&team={team}&by=priority",
    "dashboard 90 days, one agent": "/reports?days=90&agent={agent}&by=priority",
    "dashboard 30 days (the default)": "/reports?days=30",
    "dashboard 365 days by month": "/reports?days=365&group=month",
    "dashboard 365 days by week, by tag": "/reports?days=365&group=week&by=tag",
    "api summary 90 days": "/api/v1/reports/summary?days=90",
    "api breakdown 90 days by team": "/api/v1/reports/breakdown?days=90&by=team",
    "api breakdown 90 days by agent": "/api/v1/reports/breakdown?days=90&by=agent",
}
EXPORTS = {
    "tickets csv": ("tickets", "csv", "queue=all"),
    "tickets jsonl": ("tickets", "jsonl", "queue=all"),
    "report csv, 365 days by day": ("report", "csv", "days=365"),
    "report jsonl, 90 days by week": ("report", "jsonl", "days=90&group=week"),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--database", help="Measure this loaded database (no seeding, no rebuild).")
    p.add_argument("--as", dest="email", help="Sign in as (default: the demo's first lead).")
    p.add_argument("--password", default=DEMO_PASSWORD)
    p.add_argument("--end", help="Last day of every range (YYYY-MM-DD; default: today).")
    p.add_argument("--port", type=int, default=8431)
    p.add_argument("--requests", type=int, default=60)
    p.add_argument("--reuse", action="store_true", help="Keep the seeded database.")
    p.add_argument("--skip-export", action="store_true")
    p.add_argument("--only", help="Comma-separated page names to time (default: all).")
    p.add_argument("--json", help="Write the results here.")
    a = p.parse_args(argv)
    db_name = a.database or f"supportdesk_bench_reports_{a.tickets}"
    url = _database_url(a.server_url, db_name).replace("postgresql://", "postgresql+psycopg://")
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": url,
        "SUPPORTDESK_SECRET_KEY": "benchmark",
        "SUPPORTDESK_QUERY_COUNT_HEADER": "true",
    }
    env.pop("SUPPORTDESK_REDIS_URL", None)
    report: dict = {"database": db_name, "started": _now(), "pages": {}, "exports": {}}
    if not a.reuse and not a.database:
        report["tickets"] = a.tickets
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
    elif not a.database:
        _flask(env, "db", "upgrade")  # a reused database gets this branch's migrations
    lead, team, agent, token = _lead(env, a.email)
    end = f"&end={a.end}" if a.end else ""
    pages = {
        name: path.format(team=team, agent=agent) + end
        for name, path in PAGES.items()
        if not a.only or name in a.only.split(",")
    }
    server = _serve(env, a.port)
    try:
        _ready(a.port)
        client = Client("127.0.0.1", a.port)
        client.login(lead, a.password)
        workers = psutil.Process(server.pid).children()
        for name, path in pages.items():
            if path.startswith("/api/"):
                action = lambda i, path=path: client.request("GET", path, token=token)  # noqa: E731
            else:
                action = lambda i, path=path: client.get(path)  # noqa: E731
            load_before, cpu_before = os.getloadavg()[0], _cpu(workers)
            result = _measure(action, a.requests, warmup=3)
            result["cpu_ms_per_request"] = round(
                (_cpu(workers) - cpu_before) * 1000 / (a.requests + 3), 1
            )
            result["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
            result["path"] = path
            report["pages"][name] = result
            print(f"{name:45} {result}", flush=True)
    finally:
        server.terminate()
        server.wait()
    if not a.skip_export:
        for name, (kind, fmt, query) in EXPORTS.items():
            _step(f"Export: {name} (in process)")
            if kind == "report" and a.end:
                query += f"&end={a.end}"
            report["exports"][name] = _export(env, lead, kind, fmt, query)
            print(f"{name:45} {report['exports'][name]}", flush=True)
    report["finished"] = _now()
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _ready(port: int) -> None:
    """Wait until a worker answers (booting one can take a minute on a saturated machine)."""
    for _ in range(10):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/login")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(1)
    sys.exit("gunicorn did not answer")


def _now() -> dict:
    return {"utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "load": os.getloadavg()}


def _cpu(processes: list[psutil.Process]) -> float:
    """User + system CPU seconds of these processes so far."""
    total = 0.0
    for process in processes:
        times = process.cpu_times()
        total += times.user + times.system
    return total


def _export(env: dict, email: str, kind: str, fmt: str, query: str) -> dict:
    """`flask reports export` under /usr/bin/time -v: its own line, wall, CPU and peak RSS."""
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "flask", "--app", "supportdesk",
         "reports", "export", "--as", email, "--kind", kind, "--format", fmt, "--query", query],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip

    def field(label: str) -> str:
        return re.search(rf"{re.escape(label)}: (.+)", done.stderr).group(1).strip()

    return {
        "command": f"flask reports export --as {email} --kind {kind} --format {fmt} "
        f"--query '{query}'",
        "result": done.stdout.strip().splitlines()[-1],
        "wall": field("Elapsed (wall clock) time (h:mm:ss or m:ss)"),
        "cpu_seconds": round(
            float(field("User time (seconds)")) + float(field("System time (seconds)")), 1
        ),
        "peak_rss_mb": round(int(field("Maximum resident set size (kbytes)")) / 1024),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def _lead(env: dict, email: str | None) -> tuple[str, int, int, str]:
    """Who signs in (`email`, or the demo's first senior agent), a team id and an agent id of
    their organization, and a read API token for them."""
    code = (
        "import sys\n"
        "import sqlalchemy as sa\n"
        "from supportdesk import create_app\n"
        "from supportdesk.extensions import db\n"
        "from supportdesk.accounts.models import Organization, Role, Team, User\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    if len(sys.argv) > 1:\n"
        "        lead = db.session.scalar(sa.select(User).where(User.email == sys.argv[1]))\n"
        "    else:\n"
        "        org = db.session.scalar(sa.select(Organization).where(Organization.slug == 'acme-support'))\n"
        "        lead = db.session.scalar(sa.select(User).where(User.organization_id == org.id,"
        " User.role == Role.SENIOR_AGENT).order_by(User.id))\n"
        "    team = db.session.scalar(sa.select(Team.id).where(Team.organization_id == lead.organization_id).order_by(Team.id))\n"
        "    agent = db.session.scalar(sa.select(User.id).where(User.organization_id == lead.organization_id,"
        " User.role == Role.AGENT).order_by(User.id))\n"
        "    print(lead.email, team, agent)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *([email] if email else [])],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    email, team, agent = out[-3], int(out[-2]), int(out[-1])
    token = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "supportdesk", "create-token", "--email", email,
         "--scope", "read", "--name", "reports-benchmark", "--expires-in-days", "1"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    return email, team, agent, token


if __name__ == "__main__":
    sys.exit(main())
