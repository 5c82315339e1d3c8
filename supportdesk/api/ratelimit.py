"""Per-token request limits in fixed windows, with the seconds to wait when a token is over.

Counters live in Redis when it is configured (shared by every web process), otherwise in this
process's memory (the single-process embedded default), like the login throttle.
"""

from __future__ import annotations

import threading
import time

from flask import current_app
from redis import Redis


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


def init_rate_limiter(app, redis: Redis | None) -> None:
    """Attach the app's API rate limiter (Redis-backed when Redis is configured)."""
    counters = _RedisWindows(redis) if redis is not None else _MemoryWindows()
    app.extensions["api_rate_limiter"] = RateLimiter(
        counters,
        limit=int(app.config["API_RATE_LIMIT"]),
        window=int(app.config["API_RATE_WINDOW_SECONDS"]),
    )


def rate_limiter() -> RateLimiter:
    """The current app's API rate limiter."""
    return current_app.extensions["api_rate_limiter"]
