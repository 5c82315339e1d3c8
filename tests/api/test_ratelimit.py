"""Fixed-window rate limits, in memory and in Redis, and what happens while Redis is down."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis import Redis
from redis.exceptions import RedisError

from supportdesk.api.ratelimit import (
    RateLimiter,
    _MemoryWindows,
    _RedisWindows,
    _SharedWindows,
    fail_fast_redis,
    init_rate_limiter,
)
from tests.factories import make_ticket


class Clock:
    """A settable clock (seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def counters(request):
    """Both counter stores."""
    if request.param == "memory":
        return _MemoryWindows()
    return _RedisWindows(request.getfixturevalue("redis_client"))


def test_requests_over_the_limit_wait_for_the_next_window(counters):
    clock = Clock(1_000_000.0)  # a window boundary for a 60 s window (1_000_000 % 60 = 40)
    limiter = RateLimiter(counters, limit=2, window=60, clock=clock)

    results = [limiter.hit("token-1") for _ in range(3)]

    assert [allowed for allowed, _, _ in results] == [True, True, False]
    assert [remaining for _, remaining, _ in results] == [1, 0, 0]
    assert results[-1][2] == 20
    clock.now += 20
    assert limiter.hit("token-1")[0] is True


def test_each_key_has_its_own_window(counters):
    limiter = RateLimiter(counters, limit=1, window=60, clock=Clock(120.5))

    assert limiter.hit("a")[0] and limiter.hit("b")[0]
    assert not limiter.hit("a")[0]


def test_the_memory_store_forgets_old_windows_when_full():
    counters = _MemoryWindows()
    for i in range(10_001):
        counters.hit(f"k{i}", 60)

    assert counters.hit("k0", 60) == 1


# -- Redis down -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _redis_server(port: int) -> Iterator[subprocess.Popen]:
    """A throwaway redis-server on `port` (no persistence), stopped at the end."""
    process = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port)]
        + ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )
    client = Redis(port=port, socket_connect_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except RedisError:
                process.poll()
                assert process.returncode is None, "redis-server exited"
                threading.Event().wait(0.05)
        yield process
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL that nothing listens on."""
    return f"redis://127.0.0.1:{_free_port()}/0"


@pytest.fixture
def dead_redis(dead_redis_url) -> Iterator[Redis]:
    """The limiter's client for a Redis URL that nothing listens on."""
    client = fail_fast_redis(dead_redis_url)
    yield client
    client.close()


def _outage_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "supportdesk.redis_fallback"]


def test_while_redis_is_down_requests_are_counted_in_memory_and_logged_once(dead_redis, caplog):
    limiter = RateLimiter(_SharedWindows(dead_redis), limit=3, window=60, clock=Clock(120.0))

    with caplog.at_level(logging.WARNING):
        results = [limiter.hit("token-1")[0] for _ in range(5)]

    assert results == [True, True, True, False, False]
    assert len(_outage_lines(caplog)) == 1
    assert "Redis does not answer" in _outage_lines(caplog)[0]


def test_a_redis_stopped_mid_run_degrades_then_is_used_again_when_back(caplog):
    port = _free_port()
    clock = Clock(0.0)
    client = fail_fast_redis(f"redis://127.0.0.1:{port}/0")
    counters = _SharedWindows(client, retry_seconds=30, clock=clock)
    with caplog.at_level(logging.WARNING):
        with _redis_server(port):
            assert [counters.hit("k", 60) for _ in range(2)] == [1, 2]  # in Redis
        # Stopped: the count restarts in memory; one line says so however many requests come.
        assert [counters.hit("k", 60) for _ in range(3)] == [1, 2, 3]
        with _redis_server(port):
            assert counters.hit("k", 60) == 4  # still memory until the retry time
            clock.now += 31
            assert counters.hit("k", 60) == 1  # a fresh Redis: counting there again
            assert int(client.get("k")) == 1
    client.close()
    lines = _outage_lines(caplog)
    assert len(lines) == 2
    assert "Redis does not answer" in lines[0] and "answers again" in lines[1]


def test_the_api_keeps_answering_while_redis_is_down(app, api, org, dead_redis_url, caplog):
    make_ticket(org)
    saved = app.extensions["api_rate_limiter"]
    init_rate_limiter(app, dead_redis_url)
    try:
        with caplog.at_level(logging.WARNING):
            statuses = [api.get("/tickets").status_code for _ in range(3)]
    finally:
        app.extensions["api_rate_limiter"] = saved

    assert statuses == [200, 200, 200]
    assert len(_outage_lines(caplog)) == 1
