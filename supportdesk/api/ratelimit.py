"""Per-token request limits in fixed windows, with the seconds to wait when a token is over.

Counters live in Redis when it is configured (shared by every web process), otherwise in this
process's memory (the single-process embedded default), like the login throttle. While a
configured Redis does not answer, the API keeps answering: each process counts in its own memory
(so a token may get up to `limit` per process), logs the outage once, and tries Redis again
every RETRY_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app
from redis import Redis

from supportdesk.redis_fallback import RedisOrMemory, fail_fast_redis

log = logging.getLogger(__name__)


class _MemoryWindows:
    """Fixed-window counters in process memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def hit(self, key: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:  # old windows are never read again
                self._counts.clear()
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]


class _RedisWindows:
    """Fixed-window counters in Redis: INCR, expiring with the window."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    def hit(self, key: str, window: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, window + 1, nx=True)
        count, _ = pipe.execute()
        return int(count)


class _SharedWindows:
    """Counters in Redis, falling back to process memory while Redis does not answer."""

    RETRY_SECONDS = RedisOrMemory.RETRY_SECONDS

    def __init__(self, redis: Redis, *, retry_seconds: float = RETRY_SECONDS, clock=time.monotonic):
        self._redis = _RedisWindows(redis)
        self._memory = _MemoryWindows()
        self._fallback = RedisOrMemory("API rate limits", retry_seconds=retry_seconds, clock=clock)

    def hit(self, key: str, window: int) -> int:
        return self._fallback.run(
            lambda: self._redis.hit(key, window), lambda: self._memory.hit(key, window)
        )


class RateLimiter:
    """Allows `limit` requests per `window` seconds for each key (an API token id)."""

    def __init__(self, counters, *, limit: int, window: int, clock=time.time) -> None:
        self._counters = counters
        self.limit = limit
        self.window = window
        self._clock = clock

    def hit(self, key: str) -> tuple[bool, int, int]:
        """Count one request; returns (allowed, remaining, seconds until the window resets)."""
        now = self._clock()
        start = int(now // self.window) * self.window
        count = self._counters.hit(f"supportdesk:api-rate:{key}:{start}", self.window)
        reset = max(1, int(start + self.window - now + 0.999))
        return count <= self.limit, max(self.limit - count, 0), reset


def init_rate_limiter(app, redis_url: str | None) -> None:
    """Attach the app's API rate limiter (Redis-backed when Redis is configured)."""
    counters = _SharedWindows(fail_fast_redis(redis_url)) if redis_url else _MemoryWindows()
    app.extensions["api_rate_limiter"] = RateLimiter(
        counters,
        limit=int(app.config["API_RATE_LIMIT"]),
        window=int(app.config["API_RATE_WINDOW_SECONDS"]),
    )


def rate_limiter() -> RateLimiter:
    """The current app's API rate limiter."""
    return current_app.extensions["api_rate_limiter"]
