"""Who is viewing a ticket and who is typing on it: short-lived marks that heartbeats renew.

A ticket page sends a heartbeat every HEARTBEAT_SECONDS while its tab is visible (and says when
the agent types); a mark not renewed within TTL_SECONDS is gone, so a closed laptop disappears
within seconds without saying goodbye. A page that is left or hidden says so at once (`leave`).
Typing lasts TYPING_SECONDS after the last keystroke's heartbeat.

With Redis the marks are a sorted set per ticket (member: agent id, score: expiry) beside a hash
of what each agent does, both expiring, shared by every web process; without Redis (the embedded
default) a dictionary in process memory. Whenever the set of viewers or typists changes, the
ticket's organization hears a `presence` live event, so other pages update without asking.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

TTL_SECONDS = 30
HEARTBEAT_SECONDS = 10
TYPING_SECONDS = 8
TYPING_MODES = ("reply", "note")
_KEY = "supportdesk:live:presence:{org}:{ticket}"
_INFO = "supportdesk:live:presence-info:{org}:{ticket}"


@dataclass(frozen=True)
class Viewer:
    """An agent on a ticket page now; `typing` is "reply", "note" or None."""

    id: int
    name: str
    typing: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


class MemoryPresence:
    """Presence marks in this process's memory (no Redis)."""

    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # (org, ticket) -> {user id: (expires, name, typing, typing until)}
        self._marks: dict[tuple[int, int], dict[int, tuple[float, str, str | None, float]]] = {}

    def touch(
        self, org: int, ticket: int, user_id: int, name: str, typing: str | None
    ) -> tuple[list[Viewer], list[Viewer]]:
        now = self._clock()
        with self._lock:
            marks = self._marks.setdefault((org, ticket), {})
            before = self._alive(marks, now, keep=True)
            marks[user_id] = (now + TTL_SECONDS, name, typing, now + TYPING_SECONDS)
            return before, self._alive(marks, now)

    def leave(self, org: int, ticket: int, user_id: int) -> tuple[list[Viewer], list[Viewer]]:
        now = self._clock()
        with self._lock:
            marks = self._marks.setdefault((org, ticket), {})
            before = self._alive(marks, now, keep=True)
            marks.pop(user_id, None)
            after = self._alive(marks, now)
            if not marks:
                del self._marks[(org, ticket)]
            return before, after

    def viewers(self, org: int, tickets: list[int]) -> dict[int, list[Viewer]]:
        now = self._clock()
        with self._lock:
            return {t: self._alive(self._marks.get((org, t), {}), now) for t in tickets}

    @staticmethod
    def _alive(marks: dict, now: float, keep: bool = False) -> list[Viewer]:
        if not keep:
            for user_id in [u for u, m in marks.items() if m[0] <= now]:
                del marks[user_id]
        return sorted(
            (
                Viewer(u, name, typing if typing and until > now else None)
                for u, (expires, name, typing, until) in marks.items()
                if expires > now
            ),
            key=lambda v: (v.name.lower(), v.id),
        )


class RedisPresence:
    """Presence marks in Redis, shared by every process (module docstring)."""

    def __init__(self, redis: Redis, clock=time.time) -> None:
        self.redis = redis
        self._clock = clock

    def touch(
        self, org: int, ticket: int, user_id: int, name: str, typing: str | None
    ) -> tuple[list[Viewer], list[Viewer]]:
        now = self._clock()
        before = self._read(org, ticket, now)
        key, info = _KEY.format(org=org, ticket=ticket), _INFO.format(org=org, ticket=ticket)
        data = json.dumps({"name": name, "typing": typing, "until": now + TYPING_SECONDS})
        pipe = self.redis.pipeline()
        pipe.zadd(key, {user_id: now + TTL_SECONDS})
        pipe.hset(info, str(user_id), data)
        pipe.expire(key, TTL_SECONDS * 2)
        pipe.expire(info, TTL_SECONDS * 2)
        pipe.execute()
        return before, self._read(org, ticket, now)

    def leave(self, org: int, ticket: int, user_id: int) -> tuple[list[Viewer], list[Viewer]]:
        now = self._clock()
        before = self._read(org, ticket, now)
        pipe = self.redis.pipeline()
        pipe.zrem(_KEY.format(org=org, ticket=ticket), user_id)
        pipe.hdel(_INFO.format(org=org, ticket=ticket), str(user_id))
        pipe.execute()
        return before, self._read(org, ticket, now)

    def viewers(self, org: int, tickets: list[int]) -> dict[int, list[Viewer]]:
        now = self._clock()
        pipe = self.redis.pipeline(transaction=False)
        for ticket in tickets:
            pipe.zrangebyscore(_KEY.format(org=org, ticket=ticket), f"({now}", "+inf")
            pipe.hgetall(_INFO.format(org=org, ticket=ticket))
        replies = pipe.execute()
        return {
            ticket: _viewers(replies[2 * i], replies[2 * i + 1], now)
            for i, ticket in enumerate(tickets)
        }

    def _read(self, org: int, ticket: int, now: float) -> list[Viewer]:
        key = _KEY.format(org=org, ticket=ticket)
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zrangebyscore(key, f"({now}", "+inf")
        pipe.hgetall(_INFO.format(org=org, ticket=ticket))
        _removed, ids, info = pipe.execute()
        return _viewers(ids, info, now)


def _viewers(ids: list, info: dict, now: float) -> list[Viewer]:
    people = []
    for raw in ids:
        user_id = int(raw)
        data = info.get(str(user_id).encode()) or info.get(str(user_id))
        if data is None:
            continue
        mark = json.loads(data)
        typing = mark["typing"] if mark.get("typing") and mark["until"] > now else None
        people.append(Viewer(user_id, mark["name"], typing))
    return sorted(people, key=lambda v: (v.name.lower(), v.id))


def store_for(redis: Redis | None) -> MemoryPresence | RedisPresence:
    """The presence store of an app: Redis when configured, else process memory."""
    return RedisPresence(redis) if redis is not None else MemoryPresence()


def safely(call, fallback):
    """Run a presence operation; Redis failing costs the feature, never the page."""
    try:
        return call()
    except RedisError:
        log.warning("Redis unavailable; presence is not shown")
        return fallback
