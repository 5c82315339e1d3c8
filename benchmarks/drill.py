"""The production drill: a small installation on 127.0.0.1, steady load, four failures, one table.

    .venv/bin/python benchmarks/drill.py                  # about 3 min of load, then the drain
    .venv/bin/python benchmarks/drill.py --duration 300 --tickets-per-second 5

nginx (Debian's package; when it is missing: `apt-get install -y nginx`) balances two gunicorn
instances (deploy/gunicorn.conf.py); two `flask worker`s and one `flask cron` run beside them, on
a fresh database (`sd_drill`, dropped and created again) on the machine's PostgreSQL and on a
Redis server of the drill's own, on a free port. An SMTP sink and a webhook receiver run in
processes of their own (benchmarks/drill_sinks.py) and record what reaches them. While clients
(benchmarks/drill_load.py) open tickets and reply through the API and send customer replies to
/inbound/email, the drill SIGKILLs one web instance (and starts it again), SIGKILLs a worker
(started again, as systemd would), restarts Redis empty, and makes the SMTP server answer 451 for
a minute. After the load it waits for the outbox to drain, then counts: what clients were told
was stored against what is stored, outbox rows against what the receivers got. See
benchmarks/README.md ("The drill").
"""

# ruff: noqa: S603, S607, S108  (a developer tool that runs nginx, redis-server, gunicorn and flask)

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
from redis import Redis
from redis.exceptions import RedisError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from drill_load import Load, Tally  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN, PASSWORD, INBOUND_TOKEN = "drill@drill.example", "drill-password-18", "drill-inbound-token"


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    for binary, package in (("nginx", "nginx"), ("redis-server", "redis-server")):
        if not shutil.which(binary) and not Path(f"/usr/sbin/{binary}").exists():
            sys.exit(f"{binary} is not installed: apt-get install -y {package} (Debian's package).")
    work = Path(a.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    (work / "logs").mkdir(parents=True)
    ports = dict(
        zip(("nginx", "web1", "web2", "redis", "smtp", "hooks"), _free_ports(6), strict=True)
    )
    db_url = _fresh_database(a.server_url, a.database)
    env = _environment(db_url, ports)
    _flask(env, "db", "upgrade")
    _flask(env, "create-admin", "--email", ADMIN, "--password", PASSWORD, "--org", "Drill")
    token = _flask(env, "create-token", "--email", ADMIN, "--scope", "read-write").split()[-1]

    fleet = Fleet(work, env, ports)
    try:
        fleet.start_all()
        base = f"http://127.0.0.1:{ports['nginx']}"
        _until(lambda: _ok(f"{base}/healthz"), "nginx and gunicorn to answer", 120)
        _webhook_endpoint(base, token, ports["hooks"])
        fleet.supervise()
        fleet.watch_readiness("web2")
        load = Load(
            base,
            token,
            INBOUND_TOKEN,
            work / "smtp.jsonl",
            {
                "ticket": a.tickets_per_second,
                "reply": a.replies_per_second,
                "inbound": a.inbound_per_second,
            },
            tag=f"d{int(time.time())}",
        )
        faults = threading.Thread(
            target=fleet.run_faults, args=(a.duration, a.smtp_outage), daemon=True
        )
        faults.start()
        tally = load.run(a.duration)
        faults.join()
        fleet.say(f"load stopped; waiting up to {a.drain_timeout} s for the outbox to drain")
        drained = _drain(db_url, work, a.drain_timeout)
        fleet.say("drained" if drained else "NOT drained within the bound")
        exits = fleet.stop_all()
    finally:
        fleet.kill_all()
    counts = _count(db_url, work, load.tag)
    print()
    print(_table(tally, counts, fleet, exits, drained))
    if a.json:
        Path(a.json).write_text(
            json.dumps({"counts": counts, "errors": len(tally.errors)}, indent=2)
        )
    return 0 if _nothing_lost(tally, counts) else 1


def _args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--duration", type=float, default=180, help="seconds of load [180]")
    p.add_argument("--tickets-per-second", type=float, default=4)
    p.add_argument("--replies-per-second", type=float, default=2)
    p.add_argument("--inbound-per-second", type=float, default=1)
    p.add_argument("--smtp-outage", type=float, default=60, help="seconds of 451s [60]")
    p.add_argument("--drain-timeout", type=float, default=600, help="seconds [600]")
    p.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--database", default="sd_drill", help="dropped and created again [sd_drill]")
    p.add_argument("--work-dir", default="/tmp/sd-drill", help="logs and records [/tmp/sd-drill]")
    p.add_argument("--json", help="also write the counts here")
    return p.parse_args(argv)


# -- setting up -------------------------------------------------------------------------------


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _fresh_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def _environment(db_url: str, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(
        {
            "SUPPORTDESK_DATABASE_URL": db_url,
            "SUPPORTDESK_REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "SUPPORTDESK_SECRET_KEY": "drill-secret-key",
            "SUPPORTDESK_BASE_URL": f"http://127.0.0.1:{ports['nginx']}",
            "SUPPORTDESK_PROXY_FIX": "true",
            "SUPPORTDESK_SMTP_URL": f"smtp://127.0.0.1:{ports['smtp']}",
            "SUPPORTDESK_INBOUND_TOKEN": INBOUND_TOKEN,
            # The receiver listens on 127.0.0.1, which the SSRF guard refuses in production.
            "SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE": "true",
            # Retries sooner than the production schedule, so the drain takes minutes, not hours.
            "SUPPORTDESK_MAIL_RETRY_SCHEDULE": "[20, 40, 60, 120, 300]",
            # One token sends all the traffic; the per-token limit would refuse it.
            "SUPPORTDESK_API_RATE_LIMIT": "1000000",
            "GUNICORN_WORKERS": "2",
        }
    )
    return env


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "supportdesk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.2)


def _webhook_endpoint(base: str, token: str, port: int) -> None:
    answer = httpx.post(
        f"{base}/api/v1/webhook-endpoints",
        json={
            "url": f"http://127.0.0.1:{port}/hook",
            "event_types": ["ticket.created", "message.created", "customer.created"],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()


# -- the processes and the faults -------------------------------------------------------------


class Fleet:
    """Every process of the installation; starts, kills, restarts, and says what it did when."""

    def __init__(self, work: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        self.work, self.env, self.ports = work, env, ports
        self.processes: dict[str, subprocess.Popen] = {}
        self.deliberate: set[str] = set()  # stopped or killed on purpose: not a crash
        self.timeline: list[str] = []
        self.windows: dict[str, tuple[float, float]] = {}  # fault -> (start, end), load clock
        self.crashes: list[str] = []
        self.readiness: list[str] = []
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def say(self, text: str) -> None:
        line = f"[{time.monotonic() - self.started:6.1f} s] {text}"
        self.timeline.append(line)
        print(line, flush=True)

    def command(self, name: str) -> list[str]:
        py, p = sys.executable, self.ports
        flask = [py, "-m", "flask", "--app", "supportdesk"]
        sinks = [py, str(ROOT / "benchmarks" / "drill_sinks.py")]
        return {
            "redis": [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(p["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            "smtp": [
                *sinks,
                "smtp",
                "--port",
                str(p["smtp"]),
                "--record",
                str(self.work / "smtp.jsonl"),
                "--fail-flag",
                str(self.work / "smtp.fail"),
            ],
            "hooks": [
                *sinks,
                "webhooks",
                "--port",
                str(p["hooks"]),
                "--record",
                str(self.work / "webhooks.jsonl"),
            ],
            "web1": [py, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            "web2": [py, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            "nginx": [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-p",
                str(self.work),
                "-c",
                str(self._nginx_conf()),
                "-e",
                str(self.work / "logs" / "nginx-error.log"),
                "-g",
                "daemon off;",
            ],
            "worker1": [*flask, "worker"],
            "worker2": [*flask, "worker"],
            "cron": [*flask, "cron"],
        }[name]

    def start(self, name: str) -> None:
        env = dict(self.env)
        if name.startswith("web"):
            env["GUNICORN_BIND"] = f"127.0.0.1:{self.ports[name]}"
        with (self.work / "logs" / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                self.command(name),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its children too
            )
        self.deliberate.discard(name)

    def start_all(self) -> None:
        self.start("redis")
        client = Redis(port=self.ports["redis"], socket_connect_timeout=1)
        _until(lambda: _answers(client), "redis-server", 30)
        for name in ("smtp", "hooks", "web1", "web2", "nginx", "worker1", "worker2", "cron"):
            self.start(name)
        for name in ("web1", "web2"):
            _until(lambda n=name: _ok(f"http://127.0.0.1:{self.ports[n]}/healthz"), name, 120)
        self.say("all started: nginx, web1, web2, worker1, worker2, cron, redis, smtp, webhooks")

    def kill(self, name: str) -> None:
        self.deliberate.add(name)
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def supervise(self) -> None:
        """Restart a process that exits by itself, as systemd's Restart=always would; note it."""

        def watch() -> None:
            while not self._stop.wait(1):
                with self._lock:
                    for name, process in list(self.processes.items()):
                        if name not in self.deliberate and process.poll() is not None:
                            self.crashes.append(f"{name} exited by itself ({process.returncode})")
                            self.say(f"UNEXPECTED: {name} exited ({process.returncode}); restarted")
                            self.start(name)

        threading.Thread(target=watch, daemon=True).start()

    def watch_readiness(self, name: str) -> None:
        """Poll /readyz of one web instance every 2 s; say when its answer changes and why.

        An answer slower than 5 s (a load balancer's usual check timeout) is marked "slow".
        """

        def watch() -> None:
            last = None
            while not self._stop.wait(2):
                started = time.monotonic()
                try:
                    answer = httpx.get(f"http://127.0.0.1:{self.ports[name]}/readyz", timeout=30)
                    checks = answer.json().get("checks", {})
                    failing = [f"{k}: {v['detail']}" for k, v in checks.items() if not v["ok"]]
                    now = f"{answer.status_code}" + (f" ({'; '.join(failing)})" if failing else "")
                except (httpx.HTTPError, ValueError) as exc:
                    now = type(exc).__name__
                if time.monotonic() - started > 5:
                    now += " slow"
                if now != last:
                    self.say(f"{name} /readyz: {now}")
                    self.readiness.append(now)
                    last = now

        threading.Thread(target=watch, daemon=True).start()

    def run_faults(self, duration: float, smtp_outage: float) -> None:
        """The four failures, spread over the load (times relative to its start)."""
        load_started = time.monotonic()

        def at(fraction: float) -> None:
            time.sleep(max(0.0, load_started + duration * fraction - time.monotonic()))

        def now() -> float:
            return time.monotonic() - load_started

        at(0.15)
        begin = now()
        with self._lock:
            self.kill("web1")
        self.say("SIGKILL web1 (gunicorn master and its workers)")
        time.sleep(10)
        with self._lock:
            self.start("web1")
        _until(lambda: _ok(f"http://127.0.0.1:{self.ports['web1']}/healthz"), "web1", 120)
        self.windows["web1 killed"] = (begin, now() + 2)
        self.say("web1 started again and answering")

        at(0.35)
        begin = now()
        with self._lock:
            self.kill("worker1")
        self.say("SIGKILL worker1 (mid-job, most likely)")
        time.sleep(5)
        with self._lock:
            self.start("worker1")
        self.windows["worker1 killed"] = (begin, now())
        self.say("worker1 started again")

        at(0.5)
        begin = now()
        with self._lock:
            self.deliberate.add("redis")
            self.processes["redis"].terminate()
            self.processes["redis"].wait()
        self.say("Redis stopped (no persistence: queues, locks and registrations are gone)")
        time.sleep(5)
        with self._lock:
            self.start("redis")
        self.windows["Redis restart"] = (begin, now() + 2)
        self.say("Redis started again, empty")

        at(0.6)
        begin = now()
        flag = self.work / "smtp.fail"
        flag.touch()
        self.say(f"SMTP server answers 451 to every recipient for {smtp_outage:.0f} s")
        time.sleep(smtp_outage)
        flag.unlink()
        self.windows["SMTP failing"] = (begin, now())
        self.say("SMTP server accepts mail again")

    def stop_all(self) -> dict[str, int | None]:
        """SIGTERM everything (the graceful stop) and collect exit codes."""
        self._stop.set()
        with self._lock:
            order = (
                "nginx",
                "web1",
                "web2",
                "worker1",
                "worker2",
                "cron",
                "smtp",
                "hooks",
                "redis",
            )
            codes = {}
            for name in order:
                self.deliberate.add(name)
                process = self.processes[name]
                if process.poll() is None:
                    process.terminate()
                try:
                    codes[name] = process.wait(timeout=90)
                except subprocess.TimeoutExpired:
                    codes[name] = None
        self.say("stopped with SIGTERM: " + ", ".join(f"{n} {c}" for n, c in codes.items()))
        return codes

    def kill_all(self) -> None:
        self._stop.set()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _nginx_conf(self) -> Path:
        path = self.work / "nginx.conf"
        p = self.ports
        path.write_text(
            f"""
worker_processes 1;
pid {self.work}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {self.work}/logs/nginx-access.log;
    client_body_temp_path {self.work}/nginx-body;
    proxy_temp_path {self.work}/nginx-proxy;
    fastcgi_temp_path {self.work}/nginx-fastcgi;
    uwsgi_temp_path {self.work}/nginx-uwsgi;
    scgi_temp_path {self.work}/nginx-scgi;
    upstream supportdesk {{
        server 127.0.0.1:{p["web1"]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{p["web2"]} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{p["nginx"]};
        location / {{
            proxy_pass http://supportdesk;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""
        )
        return path


def _answers(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except RedisError:
        return False


# -- counting ---------------------------------------------------------------------------------

PENDING_SQL = (
    "SELECT (SELECT count(*) FROM email_messages WHERE state IN ('queued', 'deferred'))"
    " + (SELECT count(*) FROM webhook_deliveries WHERE state IN ('queued', 'deferred'))"
)


def _drain(db_url: str, work: Path, seconds: float) -> bool:
    """Wait until no email or webhook is pending (workers and sweeps keep going meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with psycopg.connect(db_url) as connection:
            pending = connection.execute(PENDING_SQL).fetchone()[0]
        if pending == 0:
            time.sleep(3)  # the last attempts' answers are recorded after the receivers got them
            return True
        time.sleep(5)
    return False


def _records(path: Path, key: str) -> Counter:
    if not path.exists():
        return Counter()
    return Counter(json.loads(line)[key] for line in path.read_text().splitlines() if line)


def _count(db_url: str, work: Path, tag: str) -> dict:
    with psycopg.connect(db_url) as connection:

        def column(sql: str, *params) -> list:
            return [row[0] for row in connection.execute(sql, params).fetchall()]

        tickets = Counter(
            s.removeprefix("Drill ticket ")
            for s in column(
                "SELECT subject FROM tickets WHERE subject LIKE %s", f"Drill ticket {tag}-t%"
            )
        )
        replies = Counter(
            b[b.rindex("(") + 1 : -1]
            for b in column(
                "SELECT body_text FROM messages WHERE body_text LIKE %s",
                f"We sent it again. ({tag}-r%",
            )
        )
        inbound = Counter(
            column(
                "SELECT email_message_id FROM messages WHERE email_message_id LIKE %s", f"<{tag}-i%"
            )
        )
        emails = _rows(connection, "SELECT message_id_header, state, attempts FROM email_messages")
        hooks = _rows(connection, "SELECT event_id, state, attempts FROM webhook_deliveries")
    return {
        "tickets": tickets,
        "replies": replies,
        "inbound": inbound,
        "emails": emails,
        "hooks": hooks,
        "smtp": _records(work / "smtp.jsonl", "message_id"),
        "webhooks": _records(work / "webhooks.jsonl", "webhook_id"),
    }


def _rows(connection, sql: str) -> dict[str, tuple[str, int]]:
    return {key: (state, attempts) for key, state, attempts in connection.execute(sql).fetchall()}


def _stored_row(name: str, confirmed: list[str], stored: Counter) -> tuple:
    lost = [k for k in confirmed if k not in stored]
    extra = sum(n - 1 for n in stored.values() if n > 1)
    unconfirmed = len(set(stored) - set(confirmed))
    return (
        name,
        f"{len(confirmed)} confirmed to clients",
        f"{len(stored)} stored",
        extra,
        len(lost),
        f"{unconfirmed} stored but never confirmed" if unconfirmed else "",
    )


def _outbox_row(name: str, rows: dict, received: Counter) -> tuple:
    states = Counter(state for state, _ in rows.values())
    lost = [k for k, (state, _) in rows.items() if state != "failed" and k not in received]
    extra = sum(n - 1 for n in received.values() if n > 1)
    # Received more often than attempts were recorded: the sender stopped (SIGKILL) between
    # handing it over and writing down that it had.
    unrecorded = sum(max(0, received[k] - rows[k][1]) for k in received if k in rows)
    strangers = len(set(received) - set(rows))
    note = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    note += f"; {sum(a for _, a in rows.values())} attempts recorded"
    if extra:
        note += f"; {unrecorded} sent by a worker that died before recording the attempt"
    if strangers:
        note += f"; {strangers} received that no row names"
    delivered = len(set(received) & set(rows))
    return (name, f"{len(rows)} queued", f"{delivered} delivered", extra, len(lost), note)


def _table(tally: Tally, counts: dict, fleet: Fleet, exits: dict, drained: bool) -> str:
    rows = [
        _stored_row("tickets (API)", tally.confirmed["ticket"], counts["tickets"]),
        _stored_row("replies (API)", tally.confirmed["reply"], counts["replies"]),
        _stored_row(
            "customer mail (/inbound/email)", tally.confirmed["inbound"], counts["inbound"]
        ),
        _outbox_row("emails (SMTP)", counts["emails"], counts["smtp"]),
        _outbox_row("webhooks", counts["hooks"], counts["webhooks"]),
    ]
    by_window = Counter()
    for error in tally.errors:
        window = next(
            (name for name, (start, end) in fleet.windows.items() if start <= error.at <= end),
            "outside every fault",
        )
        by_window[(window, error.what, error.kind)] += 1
    errors = "; ".join(
        f"{n}× {what} ({kind}) during {window}" for (window, what, kind), n in by_window.items()
    )
    rows.append(
        (
            "HTTP errors seen by clients",
            f"{len(tally.errors)} failed tries",
            f"{tally.retried_ok} retried OK",
            "",
            len(tally.gave_up),
            errors or "none",
        )
    )
    rows.append(
        (
            "refused (4xx) or drill errors",
            str(len(tally.refused)),
            "",
            "",
            "",
            "; ".join(tally.refused[:3]),
        )
    )
    rows.append(
        (
            "processes",
            "crashed by themselves: " + str(len(fleet.crashes)),
            "",
            "",
            "",
            "; ".join(fleet.crashes)
            or "exit codes on SIGTERM: " + ", ".join(f"{n} {c}" for n, c in exits.items()),
        )
    )
    rows.append(("web2 /readyz", "", "", "", "", " → ".join(fleet.readiness)))
    rows.append(("outbox drained", "yes" if drained else "NO", "", "", "", ""))
    head = ("what", "sent / queued", "stored / delivered", "duplicates", "lost", "notes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _nothing_lost(tally: Tally, counts: dict) -> bool:
    stored = all(
        k in counts[name]
        for kind, name in (("ticket", "tickets"), ("reply", "replies"), ("inbound", "inbound"))
        for k in tally.confirmed[kind]
    )
    delivered = all(
        state == "sent" and k in received
        for rows, received in (
            (counts["emails"], counts["smtp"]),
            (counts["hooks"], counts["webhooks"]),
        )
        for k, (state, _) in rows.items()
    )
    return stored and delivered and not tally.gave_up


if __name__ == "__main__":
    sys.exit(main())
