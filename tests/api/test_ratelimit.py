"""Fixed-window rate limits, in memory and in Redis."""

from __future__ import annotations

import pytest

from supportdesk.api.ratelimit import RateLimiter, _MemoryWindows, _RedisWindows


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
