"""Where live events go after the COMMIT, and how a stream reads them: Redis or process memory.

Each organization has its own channel. A publish appends the event to a short per-organization
log (a Redis stream capped at LOG_LENGTH entries, kept LOG_SECONDS after the last event) and
announces it on the organization's pub/sub channel, both in one Lua call, so the id a browser
gets with the event is the id it can resume from (`Last-Event-ID`). Every web or stream process
holds ONE pub/sub connection (the hub's listener thread, started with the first stream) and fans
the events out to its local streams: a thousand open streams cost one Redis connection, not a
thousand.

Without Redis (the embedded default) the log is a ring buffer in process memory and publishing
hands the event to the local streams directly: the same behaviour inside one process.

Failure cases:
- Redis does not answer at publish time: the event is dropped (logged); the change is committed,
  and pages catch up at the next event or reload. Live events are hints, never the record.
- The listener loses Redis: it reconnects with backoff, and every local stream is ended (`None`
  in its queue) so each browser reconnects and replays what it missed from the log.
- A stream that does not drain its queue (a stuck client) is ended the same way instead of
  holding memory without bound.
- `Last-Event-ID` older than the log (trimmed, or expired): the stream says `reset`, and the
  page reloads its live parts instead of pretending nothing was missed.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

LOG_LENGTH = 1000  # events kept per organization for resuming
LOG_SECONDS = 3600  # an organization's log expires this long after its last event
QUEUE_SIZE = 1000  # events a stream may have waiting before it is ended as stuck
CHANNEL = "supportdesk:live:org:{org}"
LOG_KEY = "supportdesk:live:log:{org}"
PATTERN = "supportdesk:live:org:*"
_ID = re.compile(r"[0-9]{1,19}(?:-[0-9]{1,19})?", re.ASCII)
# The id a page is rendered with when its organization's log is empty: "everything after this".
START = "0-0"

# One round trip, and the id in the announcement is exactly the log's id.
_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])
return id
"""


@dataclass(frozen=True)
class Event:
    """One live event as it travels: its log id, organization, and JSON-ready payload."""

    id: str
    organization_id: int
    payload: dict[str, Any]

    @property
    def name(self) -> str:
        return self.payload["type"]


@dataclass(eq=False)
class Subscription:
    """One open stream's inbox: events of its organization, `None` when it must end."""

    organization_id: int
    inbox: queue.Queue = field(default_factory=lambda: queue.Queue(QUEUE_SIZE))

    def offer(self, item: Event | None) -> bool:
        """Queue an event; False when the inbox is full (the stream is then ended)."""
        try:
            self.inbox.put_nowait(item)
            return True
        except queue.Full:
            return False


class Hub:
    """The local streams of this process, by organization."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_org: dict[int, set[Subscription]] = collections.defaultdict(set)

    def add(self, sub: Subscription) -> None:
        with self._lock:
            self._by_org[sub.organization_id].add(sub)

    def remove(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._by_org.get(sub.organization_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._by_org[sub.organization_id]

    def count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._by_org.values())

    def deliver(self, event: Event) -> None:
        """Hand `event` to every stream of its organization (and of no other)."""
        with self._lock:
            subs = list(self._by_org.get(event.organization_id, ()))
        for sub in subs:
            if not sub.offer(event):
                self._end(sub)

    def end_all(self) -> None:
        """End every local stream (its browser reconnects and replays from the log)."""
        with self._lock:
            subs = [s for group in self._by_org.values() for s in group]
        for sub in subs:
            self._end(sub)

    def _end(self, sub: Subscription) -> None:
        self.remove(sub)
        try:
            sub.inbox.put_nowait(None)
        except queue.Full:
            # Make room for the end marker: the stream is ending anyway.
            with contextlib.suppress(queue.Empty):
                sub.inbox.get_nowait()
            with contextlib.suppress(queue.Full):
                sub.inbox.put_nowait(None)


def _id_key(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


def newer(event_id: str, than: str) -> bool:
    """Whether log id `event_id` comes after `than` (ids are `<ms>-<seq>`, both brokers)."""
    return _id_key(event_id) > _id_key(than)


def valid_id(event_id: str | None) -> bool:
    """Whether a `Last-Event-ID` sent by a browser has the shape of our ids."""
    return bool(event_id) and _ID.fullmatch(event_id) is not None


class MemoryBroker:
    """The embedded default: a ring buffer per organization and the local hub, one process."""

    def __init__(self) -> None:
        self.hub = Hub()
        self._lock = threading.Lock()
        self._logs: dict[int, collections.deque[Event]] = {}
        self._seq = itertools.count(1)

    def publish(self, organization_id: int, payload: dict[str, Any]) -> str | None:
        with self._lock:
            event = Event(f"{int(time.time() * 1000)}-{next(self._seq)}", organization_id, payload)
            self._logs.setdefault(organization_id, collections.deque(maxlen=LOG_LENGTH)).append(
                event
            )
        self.hub.deliver(event)
        return event.id

    def publish_many(self, events: list[tuple[int, dict[str, Any]]]) -> None:
        """Publish (organization id, payload) pairs in order."""
        for organization_id, payload in events:
            self.publish(organization_id, payload)

    def latest(self, organization_id: int) -> str:
        """The id of the organization's last event ("0-0" before the first)."""
        with self._lock:
            events = self._logs.get(organization_id)
            return events[-1].id if events else START

    def since(self, organization_id: int, last_id: str) -> list[Event] | None:
        """The events after `last_id`, or None when the log no longer reaches back to it."""
        with self._lock:
            events = list(self._logs.get(organization_id, ()))
        if last_id != START and not any(e.id == last_id for e in events):
            return None
        return [e for e in events if newer(e.id, last_id)]

    def subscribe(self, organization_id: int) -> Subscription:
        sub = Subscription(organization_id)
        self.hub.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.hub.remove(sub)


class RedisBroker:
    """Redis streams for the log, pub/sub for the fan-out across processes (module docstring)."""

    RECONNECT_SECONDS = (0.2, 0.5, 1, 2, 5)
    PING_SECONDS = 15

    def __init__(self, redis: Redis, listener: Redis | None = None) -> None:
        self.redis = redis
        # The listener blocks on its socket: it must not share the request client's timeout.
        self._listener_client = listener or Redis(
            connection_pool=redis.connection_pool.__class__(
                **{**redis.connection_pool.connection_kwargs, "socket_timeout": None}
            )
        )
        self._script = redis.register_script(_PUBLISH)
        self.hub = Hub()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._ready = threading.Event()

    def publish(self, organization_id: int, payload: dict[str, Any]) -> str | None:
        data = json.dumps(payload, separators=(",", ":"))
        try:
            raw = self._script(
                keys=[LOG_KEY.format(org=organization_id), CHANNEL.format(org=organization_id)],
                args=[data, LOG_LENGTH, LOG_SECONDS],
            )
        except RedisError:
            log.warning(
                "Redis unavailable; a live event of organization %s is dropped", organization_id
            )
            return None
        return raw.decode() if isinstance(raw, bytes) else raw

    def latest(self, organization_id: int) -> str:
        """The id of the organization's last event ("0-0" before the first)."""
        last = self.redis.xrevrange(LOG_KEY.format(org=organization_id), count=1)
        if not last:
            return START
        return last[0][0].decode() if isinstance(last[0][0], bytes) else last[0][0]

    def publish_many(self, events: list[tuple[int, dict[str, Any]]]) -> None:
        """Publish (organization id, payload) pairs in one round trip (a bulk action's commit)."""
        pipe = self.redis.pipeline(transaction=False)
        for organization_id, payload in events:
            self._script(
                keys=[LOG_KEY.format(org=organization_id), CHANNEL.format(org=organization_id)],
                args=[json.dumps(payload, separators=(",", ":")), LOG_LENGTH, LOG_SECONDS],
                client=pipe,
            )
        try:
            pipe.execute()
        except RedisError:
            log.warning("Redis unavailable; %d live event(s) dropped", len(events))

    def since(self, organization_id: int, last_id: str) -> list[Event] | None:
        """The events after `last_id`, or None when the log no longer reaches back to it."""
        key = LOG_KEY.format(org=organization_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.xrange(key, last_id, last_id, count=1)
        pipe.xrange(key, f"({last_id}", "+", count=LOG_LENGTH)
        found, after = pipe.execute()
        if not found and last_id != START:
            return None
        return [_decoded(organization_id, entry_id, fields) for entry_id, fields in after]

    def subscribe(self, organization_id: int) -> Subscription:
        self._start()
        sub = Subscription(organization_id)
        self.hub.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.hub.remove(sub)

    def wait_listening(self, timeout: float = 5.0) -> bool:
        """Whether the listener has subscribed (tests publish only once it listens)."""
        self._start()
        return self._ready.wait(timeout)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._listen_forever, name="live-listener", daemon=True
                )
                self._thread.start()

    def _listen_forever(self) -> None:
        failures = 0
        while True:
            try:
                self._listen()
            except (RedisError, OSError) as exc:
                self._ready.clear()
                self.hub.end_all()
                delay = self.RECONNECT_SECONDS[min(failures, len(self.RECONNECT_SECONDS) - 1)]
                if failures == 0:
                    log.warning("Live events: lost Redis (%s); reconnecting", type(exc).__name__)
                failures += 1
                time.sleep(delay)
            else:
                failures = 0

    def _listen(self) -> None:
        pubsub = self._listener_client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.psubscribe(PATTERN)
            # The subscription is confirmed once the first reply is read.
            pubsub.get_message(timeout=5)
            self._ready.set()
            while True:
                message = pubsub.get_message(timeout=self.PING_SECONDS)
                if message is None:
                    pubsub.ping()  # a silent Redis that went away shows here, not never
                    continue
                if message.get("type") != "pmessage":
                    continue
                event = _announced(message["channel"], message["data"])
                if event is not None:
                    self.hub.deliver(event)
        finally:
            pubsub.close()


def _decoded(organization_id: int, entry_id: Any, fields: dict) -> Event:
    entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    data = fields.get(b"e", fields.get("e"))
    return Event(entry_id, organization_id, json.loads(data))


def _announced(channel: Any, data: Any) -> Event | None:
    """The event of a pub/sub announcement `<id> <json>` on `supportdesk:live:org:<id>`."""
    channel = channel.decode() if isinstance(channel, bytes) else channel
    data = data.decode() if isinstance(data, bytes) else data
    org = channel.rpartition(":")[2]
    event_id, _, body = data.partition(" ")
    if not org.isdigit() or not valid_id(event_id):
        log.warning("Live events: ignoring a malformed announcement on %s", channel)
        return None
    return Event(event_id, int(org), json.loads(body))


def broker_for(redis: Redis | None) -> MemoryBroker | RedisBroker:
    """The broker of an app: Redis when configured, else process memory."""
    return RedisBroker(redis) if redis is not None else MemoryBroker()


def visible(event: Event, user_id: int) -> bool:
    """Whether the agent `user_id` may receive `event` (some are for one agent only)."""
    to: Iterable[int] | None = event.payload.get("to")
    return to is None or user_id in to
