"""A worker or scheduler started while Redis is down waits for it, saying so, instead of crashing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import click
import pytest

from supportdesk.cli.jobs import wait_for_redis
from supportdesk.redis_fallback import fail_fast_redis

DEAD = "redis://127.0.0.1:9/0"  # the discard port: nobody answers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_gives_up_after_the_bound_with_a_sentence(capsys):
    slept: list[float] = []
    with pytest.raises(click.ClickException, match=r"Redis at 127.0.0.1:9 did not answer for 7 s"):
        wait_for_redis(fail_fast_redis(DEAD), 5, sleep=slept.append)
    assert slept == [1.0, 2.0, 4.0]
    said = capsys.readouterr().err.splitlines()
    assert said[0] == "Redis at 127.0.0.1:9 does not answer (ConnectionError); trying again in 1 s."
    assert len(said) == 3


def test_it_goes_on_as_soon_as_redis_starts_answering():
    port = _free_port()
    server: list[subprocess.Popen] = []
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"

    def start_redis_while_waiting(seconds: float) -> None:
        if not server:  # Redis comes up during the first wait, as after a reboot
            server.append(
                subprocess.Popen(
                    [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
                    stdout=subprocess.DEVNULL,
                )
            )
        time.sleep(0.2)

    client = fail_fast_redis(f"redis://127.0.0.1:{port}/0")
    try:
        wait_for_redis(client, 60, sleep=start_redis_while_waiting)
        assert client.ping()
    finally:
        for process in server:
            process.terminate()
            process.wait(timeout=10)


def test_the_worker_command_waits_then_says_why_it_stopped(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", DEAD)
    result = app.test_cli_runner().invoke(args=["worker", "--burst", "--redis-wait-seconds", "0"])
    assert result.exit_code == 1
    assert "Redis at 127.0.0.1:9 did not answer for 0 s; giving up." in result.output
