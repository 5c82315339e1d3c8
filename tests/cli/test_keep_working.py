"""A worker whose Redis restarts keeps working and stays listed (for /readyz), job or no job."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from rq import Queue, Worker

from supportdesk.cli.jobs import RegisteredWorker

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 90  # seconds; a loaded machine is slow to start Python processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_server(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port)]
        + ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except RedisError:
            pass
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def _spawn_worker(database_url: str, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(
        SUPPORTDESK_DATABASE_URL=database_url,
        SUPPORTDESK_REDIS_URL=f"redis://127.0.0.1:{port}/0",
        SUPPORTDESK_SECRET_KEY="keep-working",
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "supportdesk", "worker", "default"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_the_worker_survives_a_redis_restart_during_a_job(database_url, tmp_path):
    port = _free_port()
    redis_process = _redis_server(port)
    client = Redis(port=port, socket_connect_timeout=1)
    log = tmp_path / "worker.log"
    worker = None
    try:
        _until(client.ping, "redis-server")
        # A job that runs until the test lets it end (after Redis is gone).
        release = tmp_path / "release"
        wait = f"while [ ! -e {release} ]; do sleep 0.1; done"
        Queue("default", connection=client).enqueue("subprocess.run", ["sh", "-c", wait])
        worker = _spawn_worker(database_url, port, log)
        _until(
            lambda: any(w.get_state() == "busy" for w in Worker.all(connection=client)),
            "the worker to start the job",
        )
        redis_process.terminate()  # gone while the job runs: RQ cannot record its end
        redis_process.wait()
        release.touch()
        _until(lambda: "Lost Redis (ConnectionError)" in log.read_text(), "the worker to notice")
        redis_process = _redis_server(port)
        _until(lambda: Worker.all(connection=client), "the worker to register again")
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=PATIENCE) == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        redis_process.terminate()
        redis_process.wait()
        client.close()


def test_an_idle_worker_is_listed_again_after_a_redis_restart(database_url, tmp_path):
    port = _free_port()
    redis_process = _redis_server(port)
    client = Redis(port=port, socket_connect_timeout=1)
    worker = None
    try:
        _until(client.ping, "redis-server")
        worker = _spawn_worker(database_url, port, tmp_path / "worker.log")
        _until(lambda: Worker.all(connection=client), "the worker to register")
        redis_process.terminate()  # the worker is waiting for work: RQ rides this out
        redis_process.wait()
        redis_process = _redis_server(port)
        _until(client.ping, "redis-server again")
        # The registry was lost with the data; the worker's next heartbeat lists it again.
        _until(lambda: Worker.all(connection=client), "the worker to be listed again")
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=PATIENCE) == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        redis_process.terminate()
        redis_process.wait()
        client.close()


# redis-py drops (without closing) the socket of a connection that failed while the server was
# down; it is collected here, not in whichever test the garbage collector happens to run next.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_rq_quitting_on_a_lost_redis_is_told_apart_from_a_finished_burst():
    """RQ's loop quits quietly when Redis drops during its maintenance, as after a finished burst;
    `lost_redis` tells the two apart, so `flask worker` starts again instead of exiting."""
    port = _free_port()
    servers = [_redis_server(port)]
    client = Redis(port=port, socket_connect_timeout=1)

    class RedisRestartsWhileCleaning(RegisteredWorker):
        def clean_registries(self):
            servers[-1].terminate()
            servers[-1].wait()
            try:
                super().clean_registries()
            finally:
                servers.append(_redis_server(port))  # back before RQ's teardown
                _until(client.ping, "redis-server again")

    try:
        _until(client.ping, "redis-server")
        finished = RegisteredWorker([Queue("default", connection=client)], connection=client)
        finished.work(burst=True)
        lost = RedisRestartsWhileCleaning([Queue("default", connection=client)], connection=client)
        lost.work(burst=True)
        assert (finished.lost_redis, type(lost.lost_redis)) == (None, RedisConnectionError)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        client.close()
        gc.collect()


# A process between two rounds of keep_working whose new round has just forked RQ's scheduler
# (a non-daemon child that stops only when told), then gets SIGTERM.
_BETWEEN_ROUNDS = """
import multiprocessing, signal, sys, time
from supportdesk.cli.jobs import _sigterm_exits

def scheduler():
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.05)

_sigterm_exits()
child = multiprocessing.get_context("fork").Process(target=scheduler)
child.start()
print(child.pid, flush=True)
while True:
    time.sleep(0.05)
"""


def test_sigterm_between_rounds_stops_the_scheduler_the_new_round_forked(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", _BETWEEN_ROUNDS], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        child_pid = int(process.stdout.readline())
        process.send_signal(signal.SIGTERM)
        # Without telling the child, the exiting process would wait for it forever.
        assert process.wait(timeout=PATIENCE) == 0
        _until(lambda: not Path(f"/proc/{child_pid}").exists(), "the scheduler child to end")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
