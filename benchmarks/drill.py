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
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from drill_count import count, drain, nothing_lost, table  # noqa: E402
from drill_fleet import ROOT, Fleet, ok, until  # noqa: E402
from drill_load import Load  # noqa: E402

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
        until(lambda: ok(f"{base}/healthz"), "nginx and gunicorn to answer", 120)
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
        drained = drain(db_url, work, a.drain_timeout)
        fleet.say("drained" if drained else "NOT drained within the bound")
        exits = fleet.stop_all()
    finally:
        fleet.kill_all()
    counts = count(db_url, work, load.tag)
    print()
    print(table(tally, counts, fleet, exits, drained))
    if a.json:
        Path(a.json).write_text(
            json.dumps({"counts": counts, "errors": len(tally.errors)}, indent=2)
        )
    return 0 if nothing_lost(tally, counts) else 1


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


if __name__ == "__main__":
    sys.exit(main())
