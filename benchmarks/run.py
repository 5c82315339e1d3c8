"""One-command benchmark: workload → scratch database → gunicorn → timed HTTP actions → wrk.

    python benchmarks/run.py --tickets 100000

Generates the shared workload (../shared/bench/workload.py), creates a scratch PostgreSQL database,
migrates it, loads the workload with `flask load-workload`, serves the app with gunicorn
(-w 2 --no-control-socket, SUPPORTDESK_QUERY_COUNT_HEADER=true), signs in as agent01 over HTTP
and times each action (p50/p95, SQL queries from the X-SQL-Queries header), then runs wrk on the
queue page. Writes JSON (--json) and prints a table. See benchmarks/README.md.
"""

# ruff: noqa: S105, S108, S603, S607  (a developer tool with a benchmark password that runs psql, flask, gunicorn and wrk)

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENT = "agent01@workload.example"
PASSWORD = "workload-password"
SPECIAL_USE = (".test", ".invalid", ".local", ".localhost")  # refused by the email form
REGRESSION = 0.30  # --compare fails when a page's in-process median grows by more than this

sys.path.insert(0, str(Path(__file__).resolve().parent))
import inprocess  # noqa: E402  (benchmarks/inprocess.py, beside this file)


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    workload = _workload_module(a.workload)
    work = Path(a.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    jsonl = work / f"workload-{a.tickets}.jsonl"
    report: dict = {"tickets": a.tickets, "machine": _machine(), "commit": _commit(), "actions": {}}
    if not a.reuse and not jsonl.exists():
        _step(f"Generating {a.tickets:,} tickets → {jsonl}")
        subprocess.run(
            [sys.executable, a.workload, "--tickets", str(a.tickets), "--jsonl", str(jsonl)],
            check=True,
        )
    db_name = a.database or f"supportdesk_bench_{a.tickets}"
    url = _database_url(a.server_url, db_name)
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": url,
        "SUPPORTDESK_SECRET_KEY": "benchmark",
        "SUPPORTDESK_QUERY_COUNT_HEADER": "true",
        "SUPPORTDESK_REDIS_URL": a.redis_url or "",
    }
    if not env["SUPPORTDESK_REDIS_URL"]:
        env.pop("SUPPORTDESK_REDIS_URL")
    if not a.reuse:
        _step(f"Creating database {db_name}")
        _psql(a.server_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        _psql(a.server_url, f'CREATE DATABASE "{db_name}"')
        _flask(env, "db", "upgrade")
        _step("Loading the workload")
        started = time.perf_counter()
        _flask(env, "load-workload", str(jsonl), "--password", PASSWORD, quiet=False)
        report["load_seconds"] = round(time.perf_counter() - started, 1)
    else:
        _flask(env, "db", "upgrade")  # a reused database gets this branch's migrations
    report["postgresql"] = _pg_settings(url)
    _step(f"In process: {a.inprocess_requests} requests of each page")
    report["inprocess"] = inprocess.measure(url, a.inprocess_requests)
    print(inprocess.table(report["inprocess"]), flush=True)
    if a.write_baseline:
        _write_baseline(a.write_baseline, report)
    regressions = _compare(a.compare, report) if a.compare else []
    if a.inprocess_only:
        return _finish(a, report, regressions)
    server = _serve(env, a.port)
    try:
        client = Client("127.0.0.1", a.port)
        client.login(AGENT, PASSWORD)
        rng = random.Random(7)
        numbers = [rng.randint(1, a.tickets) for _ in range(a.requests)]
        actions = {
            "queue page (25 rows)": lambda i: client.get("/"),
            "queue, high priority, by priority": lambda i: client.get(
                "/?queue=open&priority=high&sort=priority"
            ),
            "ticket page": lambda i: client.get(f"/tickets/{numbers[i % len(numbers)]}"),
            "search 'kerberos'": lambda i: client.get("/search?q=kerberos"),
            "create ticket (form)": lambda i: client.create_ticket(_payload(workload, i)),
        }
        if client.get("/api/v1/tickets").status in (200, 401, 403):
            # The API takes tokens, not the console's session cookie.
            client.api_token = _api_token(env, AGENT)
            actions["create ticket (API)"] = lambda i: client.api_create(
                _payload(workload, 10_000 + i)
            )
        for name, action in actions.items():
            _step(f"Timing: {name}")
            report["actions"][name] = _measure(action, a.requests, a.warmup)
        report["wrk"] = _wrk(a.port, client.cookie, a.wrk_seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return _finish(a, report, regressions)


def _finish(a, report: dict, regressions: list[str]) -> int:
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2) + "\n")
    if report["actions"]:
        print(_table(report))
    for line in regressions:
        print(f"REGRESSION: {line}", file=sys.stderr)
    return 1 if regressions else 0


def _write_baseline(path: str, report: dict) -> None:
    """Store this run's in-process medians as the baseline --compare checks against."""
    pages = report["inprocess"]["pages"]
    baseline = {
        "tickets": report["tickets"],
        "commit": report["commit"],
        "machine": report["machine"],
        "host_ms": report["inprocess"].get("host_ms"),
        "p50_ms": {name: r["p50_ms"] for name, r in pages.items()},
        "sql_queries": {name: r["sql_queries"] for name, r in pages.items()},
    }
    Path(path).write_text(json.dumps(baseline, indent=2) + "\n")
    _step(f"Baseline written to {path}")


def _compare(path: str, report: dict) -> list[str]:
    """Pages whose in-process median is more than REGRESSION slower than the baseline's, once
    divided by how much slower the host reference ran (inprocess.host_reference_ms; a baseline
    without one is compared as measured)."""
    baseline = json.loads(Path(path).read_text())
    found = []
    host_then, host_now = baseline.get("host_ms"), report["inprocess"].get("host_ms")
    host = host_now / host_then if host_then and host_now else 1.0
    print(f"\ncompared with {path} (commit {baseline['commit']}):")
    if host_then and host_now:
        print(
            f"  host reference {host_then:.3f} -> {host_now:.3f} ms ({host:.2f}x): pages divided by it"
        )
    for name, r in report["inprocess"]["pages"].items():
        before = baseline["p50_ms"].get(name)
        if before is None:
            continue
        ratio = r["p50_ms"] / before / host
        verdict = "REGRESSED" if ratio > 1 + REGRESSION else "ok"
        print(f"  {name:10} {before:>7.2f} -> {r['p50_ms']:>7.2f} ms  ({ratio:.2f}x)  {verdict}")
        if ratio > 1 + REGRESSION:
            found.append(f"{name}: median {r['p50_ms']} ms vs {before} ms in the baseline")
        queries = baseline.get("sql_queries", {}).get(name)
        if queries and max(r["sql_queries"]) > max(queries):
            found.append(f"{name}: {r['sql_queries']} SQL queries vs {queries} in the baseline")
    return found


def _args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument(
        "--workload",
        default=str(ROOT.parent / "shared" / "bench" / "workload.py"),
        help="path of the shared workload.py [default: ../shared/bench/workload.py]",
    )
    p.add_argument(
        "--server-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server to create the scratch database on",
    )
    p.add_argument("--database", help="scratch database name [default: supportdesk_bench_N]")
    p.add_argument("--reuse", action="store_true", help="reuse an already loaded database")
    p.add_argument("--redis-url", help="Redis for the app (default: none, in-process)")
    p.add_argument("--requests", type=int, default=100, help="timed requests per action")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--wrk-seconds", type=int, default=15)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--work-dir", default="/tmp/supportdesk-bench")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--inprocess-requests", type=int, default=200, help="per page, in process")
    p.add_argument(
        "--inprocess-only", action="store_true", help="skip gunicorn, the HTTP actions and wrk"
    )
    p.add_argument("--write-baseline", metavar="PATH", help="store the in-process medians here")
    p.add_argument(
        "--compare",
        metavar="PATH",
        help="exit 1 when a page's in-process median is >30%% slower than this baseline's",
    )
    return p.parse_args(argv)


def _step(text: str) -> None:
    print(f"==> {text}", file=sys.stderr, flush=True)


def _workload_module(path: str):
    if not Path(path).exists():
        sys.exit(f"workload generator not found at {path}; pass --workload")
    spec = importlib.util.spec_from_file_location("workload", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _payload(workload, k: int) -> dict:
    """The k-th benchmark ticket; payloads whose email the form refuses (.test) are skipped."""
    while True:
        payload = workload.new_ticket_payload(k)
        if not payload["submitter_email"].endswith(SPECIAL_USE):
            return payload
        k += 1_000_000


def _database_url(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _psql(server_url: str, sql: str) -> None:
    subprocess.run(["psql", server_url, "-qc", sql], check=True)


def _flask(env: dict, *args: str, quiet: bool = True) -> None:
    out = subprocess.DEVNULL if quiet else None
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "supportdesk", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=out,
        stderr=out,
    )


def _api_token(env: dict, email: str) -> str:
    """A read-write API token for `email`, from `flask create-token` (expires in a day)."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "supportdesk", "create-token",
         "--email", email, "--scope", "read-write", "--name", "benchmark",
         "--expires-in-days", "1"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def _serve(env: dict, port: int) -> subprocess.Popen:
    _step(f"Starting gunicorn -w 2 on :{port}")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "--no-control-socket",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/login")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not start")


class Response:
    """Status, headers and body of one request, with its wall time."""

    def __init__(self, status: int, headers, body: str, ms: float):
        self.status, self.headers, self.body, self.ms = status, headers, body, ms

    @property
    def queries(self) -> int | None:
        value = self.headers.get("X-SQL-Queries")
        return int(value) if value is not None else None


class Client:
    """A keep-alive HTTP client holding the session cookie, like a browser tab."""

    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookie = ""
        self.api_token = ""

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        ctype: str | None = None,
        token: str | None = None,
    ) -> Response:
        if token:
            headers = {"Authorization": f"Bearer {token}"}
        else:
            headers = {"Cookie": self.cookie} if self.cookie else {}
        if ctype:
            headers["Content-Type"] = ctype
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        raw = self.conn.getresponse()
        data = raw.read().decode()
        ms = (time.perf_counter() - started) * 1000
        for header in raw.headers.get_all("Set-Cookie") or []:
            if header.startswith("supportdesk_session="):
                self.cookie = header.split(";", 1)[0]
        return Response(raw.status, raw.headers, data, ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request(
            "POST", path, urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
        )

    @staticmethod
    def csrf(page: Response) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        token = self.csrf(self.get("/login"))
        response = self.post("/login", {"csrf_token": token, "email": email, "password": password})
        if response.status != 302:
            raise RuntimeError(f"sign-in failed ({response.status})")

    def create_ticket(self, payload: dict) -> Response:
        token = self.csrf(self.get("/tickets/new"))
        priority = {1: "critical", 2: "high", 3: "medium", 4: "low", 5: "low"}[payload["priority"]]
        response = self.post(
            "/tickets/new",
            {
                "csrf_token": token,
                "customer_email": payload["submitter_email"],
                "customer_name": "",
                "subject": payload["title"],
                "body": payload["description"],
                "priority": priority,
                "team_id": "0",
                "assignee_id": "0",
                "tags": "",
            },
        )
        if response.status != 302:
            raise RuntimeError(f"ticket creation failed ({response.status})")
        return response

    def api_create(self, payload: dict) -> Response:
        body = json.dumps(
            {
                "customer_email": payload["submitter_email"],
                "subject": payload["title"],
                "body": payload["description"],
            }
        )
        return self.request(
            "POST", "/api/v1/tickets", body, "application/json", token=self.api_token
        )


def _measure(action, n: int, warmup: int) -> dict:
    for i in range(warmup):
        action(i)
    samples, queries = [], []
    for i in range(n):
        response = action(warmup + i)
        if response.status >= 400:
            raise RuntimeError(f"HTTP {response.status}")
        samples.append(response.ms)
        queries.append(response.queries)
    samples.sort()
    return {
        "requests": n,
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(round(0.95 * n)) - 1)], 1),
        "max_ms": round(samples[-1], 1),
        "sql_queries": sorted({q for q in queries if q is not None}),
    }


def _wrk(port: int, cookie: str, seconds: int, connections: int = 16) -> dict | None:
    if not shutil.which("wrk"):
        _step("wrk not installed (apt-get install wrk): skipped")
        return None
    _step(f"wrk -t2 -c{connections} -d{seconds}s on the queue page")
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "connections": connections,
        "seconds": seconds,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "latency": latency,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip()


def _pg_settings(url: str) -> dict:
    sql = (
        "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
        "('server_version', 'shared_buffers', 'work_mem', 'effective_cache_size')"
    )
    out = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True).stdout
    return dict(line.split("|", 1) for line in out.splitlines())


def _machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _table(report: dict) -> str:
    lines = [
        f"supportdesk benchmark: {report['tickets']:,} tickets"
        + (f" (loaded in {report['load_seconds']} s)" if "load_seconds" in report else ""),
        "",
        f"{'action':38} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>6}",
        "-" * 63,
    ]
    for name, r in report["actions"].items():
        sql = ",".join(map(str, r["sql_queries"]))
        lines.append(f"{name:38} {r['p50_ms']:>8} {r['p95_ms']:>8} {sql:>6}")
    if report.get("wrk"):
        w = report["wrk"]
        lines += [
            "",
            f"wrk queue page, {w['connections']} connections, {w['seconds']} s: "
            f"{w['requests_per_second']:.0f} req/s, latency p50 {w['latency'].get('50')} "
            f"p99 {w['latency'].get('99')}, non-2xx {w['non_2xx']}",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
