"""Failed-login throttling that slows guessing without letting anyone lock a colleague out.

Failures are counted per (account, client address) and per client address. A flood of wrong
passwords for alice@ from one address blocks that address only: Alice, signing in from her own
machine, is unaffected. Counters live in Redis when configured (shared by every web process),
otherwise in this process's memory (the single-process embedded default, and while a configured
Redis does not answer: signing in never depends on Redis).
"""

from __future__ import annotations

import hashlib
import threading
import time

from flask import current_app
from redis import Redis

from supportdesk.redis_fallback import RedisOrMemory, fail_fast_redis


def _key(*parts: str) -> str:
    # Hash the parts so emails and addresses never appear in Redis keys.
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"supportdesk:login-failures:{digest}"


class _MemoryCounters:
    """Fixed-window counters in process memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def get(self, key: str) -> int:
        with self._lock:
            count, expires = self._counts.get(key, (0, 0.0))
            return count if expires > time.monotonic() else 0

    def incr(self, key: str, window: int) -> None:
        with self._lock:
            now = time.monotonic()
            count, expires = self._counts.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + window
            self._counts[key] = (count + 1, expires)

    def delete(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class _RedisCounters:
    """Fixed-window counters in Redis: INCR, with the expiry set by the first failure."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    def get(self, key: str) -> int:
        return int(self._redis.get(key) or 0)

    def incr(self, key: str, window: int) -> None:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        pipe.execute()

    def delete(self, key: str) -> None:
        self._redis.delete(key)


class _SharedCounters:
    """Counters in Redis, falling back to process memory while Redis does not answer."""

    def __init__(self, redis: Redis) -> None:
        self._redis = _RedisCounters(redis)
        self._memory = _MemoryCounters()
        self._fallback = RedisOrMemory("failed sign-ins")

    def get(self, key: str) -> int:
        return self._fallback.run(lambda: self._redis.get(key), lambda: self._memory.get(key))

    def incr(self, key: str, window: int) -> None:
        self._fallback.run(
            lambda: self._redis.incr(key, window), lambda: self._memory.incr(key, window)
        )

    def delete(self, key: str) -> None:
        self._fallback.run(lambda: self._redis.delete(key), lambda: self._memory.delete(key))


class LoginThrottle:
    """Decides whether a login attempt may proceed and records failures."""

    def __init__(
        self,
        counters,
        *,
        per_account: int,
        per_address: int,
        window: int,
        codes_per_agent: int = 5,
    ) -> None:
        self._counters = counters
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self.codes_per_agent = codes_per_agent

    def blocked(self, email: str, address: str) -> bool:
        """True when this address has failed too often for this account, or for any account."""
        return (
            self._counters.get(_key(email.lower(), address)) >= self.per_account
            or self._counters.get(_key(address)) >= self.per_address
        )

    def failed(self, email: str, address: str) -> None:
        self._counters.incr(_key(email.lower(), address), self.window)
        self._counters.incr(_key(address), self.window)

    def succeeded(self, email: str, address: str) -> None:
        self._counters.delete(_key(email.lower(), address))

    # Second-factor codes are counted per agent, whatever the address: someone holding the
    # password cannot spread a million guesses over many addresses.
    def code_blocked(self, user_id: int) -> bool:
        """True when the agent has entered too many wrong codes in the window."""
        return self._counters.get(_key("two-factor", str(user_id))) >= self.codes_per_agent

    def code_failed(self, user_id: int) -> None:
        self._counters.incr(_key("two-factor", str(user_id)), self.window)

    def code_succeeded(self, user_id: int) -> None:
        self._counters.delete(_key("two-factor", str(user_id)))

    def allow(self, kind: str, key: str, limit: int) -> bool:
        """Count one `kind` request for `key` in the window; False once `limit` are used up.

        Requests that are not passwords (password reset mails) share the counters and window.
        """
        counted = _key(kind, key.lower())
        if self._counters.get(counted) >= limit:
            return False
        self._counters.incr(counted, self.window)
        return True


def init_throttle(app, redis_url: str | None) -> None:
    """Attach the app's LoginThrottle (Redis-backed when Redis is configured; sign-in keeps
    working while Redis is down, counting in memory)."""
    counters = _SharedCounters(fail_fast_redis(redis_url)) if redis_url else _MemoryCounters()
    app.extensions["login_throttle"] = LoginThrottle(
        counters,
        per_account=int(app.config["LOGIN_MAX_FAILURES"]),
        per_address=int(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        window=int(app.config["LOGIN_WINDOW_SECONDS"]),
        codes_per_agent=int(app.config["TWO_FACTOR_MAX_FAILURES"]),
    )


def login_throttle() -> LoginThrottle:
    """The current app's throttle."""
    return current_app.extensions["login_throttle"]
