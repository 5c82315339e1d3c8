"""Counters that live in Redis and fall back to process memory while Redis does not answer.

Rate limits and the login throttle must keep the app answering when Redis is down: each process
then counts in its own memory (a limit may be reached once per process), logs the outage once,
and tries Redis again every `retry_seconds`. One rule, used by both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger(__name__)
T = TypeVar("T")
# Seconds to wait for Redis: a counter slower than this is as good as down (a refused
# connection fails at once; this bounds a Redis that hangs).
REDIS_TIMEOUT = 2.0


def fail_fast_redis(url: str) -> Redis:
    """A client that gives up at once: redis-py's default retries with backoff would hold
    every request for seconds while Redis is down."""
    return Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


class RedisOrMemory:
    """Runs each counter operation on Redis, or on process memory while Redis is down."""

    RETRY_SECONDS = 30

    def __init__(
        self, what: str, *, retry_seconds: float = RETRY_SECONDS, clock=time.monotonic
    ) -> None:
        self._what = what  # e.g. "API rate limits", for the log lines
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._retry_at: float | None = None  # set while Redis is down

    def run(self, on_redis: Callable[[], T], in_memory: Callable[[], T]) -> T:
        retry_at = self._retry_at
        if retry_at is not None and self._clock() < retry_at:
            return in_memory()
        try:
            result = on_redis()
        except RedisError as exc:
            with self._lock:
                if self._retry_at is None:
                    log.warning(
                        "Redis does not answer (%s): %s are counted in each process's memory "
                        "until it does.",
                        type(exc).__name__,
                        self._what,
                    )
                self._retry_at = self._clock() + self._retry_seconds
            return in_memory()
        if retry_at is not None:
            with self._lock:
                if self._retry_at is not None:
                    log.warning("Redis answers again: %s are shared again.", self._what)
                    self._retry_at = None
        return result
