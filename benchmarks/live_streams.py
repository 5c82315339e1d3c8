"""1,000 open event streams on the stream process, and commit → browser latency under load.

    .venv/bin/python benchmarks/live_streams.py --streams 1000 --rate 20 --seconds 30 \
        --database postgresql://postgres@127.0.0.1:5432/postgres --redis redis://127.0.0.1:6379/4

Makes a throwaway database (migrated), an organization and an agent, and starts the stream
process as production runs it (`gunicorn -c deploy/stream.conf.py wsgi:app`: one gevent worker)
on a free port. Then it opens `--streams` Server-Sent Events connections as that agent
(`--clients` asyncio client processes, raw sockets), and a load generator in its own process
opens `--rate` tickets a second through the service, each committed on its own (so each one is published after its COMMIT, as a
web request would). For every ticket the time of its COMMIT is noted; every stream notes when the
ticket's event arrived. It prints, as JSON: the stream worker's resident memory idle and with
every stream open, and the latency from COMMIT to arrival over all (stream, ticket) pairs: p50,
p95, max, and how many pairs arrived (all of them, or the run says how many did not).

The client and the load generator share this machine with the stream process: on 2 cores the
client's own parsing of 20,000 events a second is part of the latency measured.
"""

# ruff: noqa: S603, S607  (starts gunicorn and ps from this checkout)

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(server_url: str) -> str:
    name = f"sd_live_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(server_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = sa.create_engine(server_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
    ).stdout
    return [int(p) for p in out.split()]


async def stream(port: int, cookie: str, arrivals: dict, opened: asyncio.Event, ready: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(
        (
            f"GET /live/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"stream refused: {status!r}")
    ready.append(1)
    mine: dict[int, float] = {}
    arrivals[id(mine)] = mine
    event = None
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.startswith(b"event: "):
            event = line[7:].strip()
        elif line.startswith(b"data: ") and event == b"ticket":
            payload = json.loads(line[6:])
            if "created" in payload.get("kinds", ()):
                mine.setdefault(payload["ticket"], time.time())


def load(config: dict, org_id: int, agent_id: int, rate: float, seconds: float, out) -> None:
    """Open `rate` tickets a second for `seconds` (its own process, as a web process would),
    sending back each ticket's COMMIT time."""
    from supportdesk import create_app
    from supportdesk.accounts.models import User
    from supportdesk.extensions import db
    from supportdesk.tickets.service import open_ticket

    app = create_app(config)
    committed: dict[int, float] = {}
    with app.app_context():
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < seconds:
            due = start + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            ticket = open_ticket(
                org_id,
                actor=db.session.get(User, agent_id),
                customer_email=f"c{n}@bench.example",
                subject=f"Bench ticket {n}",
                body="Load.",
            )
            number = ticket.number
            db.session.commit()
            committed[number] = time.time()
            n += 1
            db.session.expunge_all()
    out.put(committed)


async def clients(streams: int, port: int, cookie: str, seconds: float, out, ready_q) -> None:
    """One client process: `streams` connections; reports when open, then the arrivals."""
    arrivals: dict = {}
    ready: list = []
    tasks = []
    for i in range(streams):
        tasks.append(asyncio.create_task(stream(port, cookie, arrivals, asyncio.Event(), ready)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    while len(ready) < streams:
        failed = [t for t in tasks if t.done() and t.exception()]
        if failed:
            raise failed[0].exception()
        await asyncio.sleep(0.1)
    ready_q.put(streams)
    await asyncio.sleep(seconds)
    for t in tasks:
        t.cancel()
    out.put(list(arrivals.values()))


def client_process(streams, port, cookie, seconds, out, ready_q) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    asyncio.run(clients(streams, port, cookie, seconds, out, ready_q))


def run(args, port: int, cookie: str, config: dict, org_id: int, agent_id: int, pid: int):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out, ready_q, loaded = ctx.Queue(), ctx.Queue(), ctx.Queue()
    share = args.streams // args.clients
    listen_for = args.seconds + 30
    procs = [
        ctx.Process(target=client_process, args=(share, port, cookie, listen_for, out, ready_q))
        for _ in range(args.clients)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready_q.get(timeout=120)
    time.sleep(1)
    rss_open = sum(rss_kb(p) for p in worker_pids(pid))
    loader = ctx.Process(
        target=load, args=(config, org_id, agent_id, args.rate, args.seconds, loaded)
    )
    loader.start()
    committed = loaded.get(timeout=args.seconds + 120)
    loader.join()
    rss_load = sum(rss_kb(p) for p in worker_pids(pid))
    arrivals = [got for _ in procs for got in out.get(timeout=listen_for + 60)]
    for p in procs:
        p.join()
    latencies = [
        got[number] - at for got in arrivals for number, at in committed.items() if number in got
    ]
    expected = len(committed) * share * args.clients
    latencies.sort()
    return {
        "streams": share * args.clients,
        "client_processes": args.clients,
        "tickets": len(committed),
        "rate_per_second": args.rate,
        "stream_worker_rss_mb_with_streams_open": round(rss_open / 1024, 1),
        "stream_worker_rss_mb_after_load": round(rss_load / 1024, 1),
        "deliveries": len(latencies),
        "deliveries_missing": expected - len(latencies),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "latency_ms_p95": round(latencies[int(len(latencies) * 0.95)] * 1000, 1)
        if latencies
        else None,
        "latency_ms_max": round(latencies[-1] * 1000, 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--database", default=os.environ.get("SUPPORTDESK_TEST_DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("SUPPORTDESK_TEST_REDIS_URL"))
    args = parser.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))

    from flask_migrate import upgrade

    from supportdesk import create_app
    from supportdesk.extensions import db
    from supportdesk.sessions.service import start_session
    from tests.factories import OrganizationFactory, UserFactory

    url = make_database(args.database)
    proc = None
    try:
        config = {"DATABASE_URL": url, "REDIS_URL": args.redis, "SECRET_KEY": "bench"}
        app = create_app(config)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            org = OrganizationFactory()
            agent = UserFactory(organization=org)
            db.session.flush()
            with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
                from flask_login.utils import _create_identifier

                record = start_session(agent, remember=False, ip_address="127.0.0.1", user_agent="")
                identifier = _create_identifier()
            db.session.commit()
            org_id, agent_id = org.id, agent.id
            serializer = app.session_interface.get_signing_serializer(app)
            session = {"_user_id": record.key, "_fresh": True, "_id": identifier}
            cookie = f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps(session)}"
        port = free_port()
        env = {
            **os.environ,
            "SUPPORTDESK_DATABASE_URL": url,
            "SUPPORTDESK_REDIS_URL": args.redis,
            "SUPPORTDESK_SECRET_KEY": "bench",
            "STREAM_BIND": f"127.0.0.1:{port}",
        }
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/stream.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        rss_idle = sum(rss_kb(p) for p in worker_pids(proc.pid))
        result = run(args, port, cookie, config, org_id, agent_id, proc.pid)
        result = {"stream_worker_rss_mb_idle": round(rss_idle / 1024, 1), **result}
        print(json.dumps(result, indent=2))
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        drop_database(args.database, url)


if __name__ == "__main__":
    main()
