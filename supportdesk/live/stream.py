"""One agent's Server-Sent Events: replay from `Last-Event-ID`, then live events, heartbeats.

The generator holds no request context and no database session (the view reads what it needs
first), so an open stream costs a queue and a socket, whichever server runs it. It ends after
`lifetime` seconds, when its broker ends it, or when the client goes away; the browser then
reconnects with the last id it saw and is given what it missed.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator

from supportdesk.live.broker import Event, Subscription, newer, visible


def frame(event: Event) -> str:
    """An event in the wire format of Server-Sent Events."""
    data = json.dumps(event.payload, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.name}\ndata: {data}\n\n"


def frames(
    broker,
    sub: Subscription,
    *,
    user_id: int,
    replay: list[Event] | None,
    latest: str,
    heartbeat: float,
    lifetime: float,
    retry_ms: int = 2000,
) -> Iterator[str]:
    """The stream of one agent: `replay` (None: the log no longer reaches back, say `reset`),
    then the events of their organization meant for them, a comment every `heartbeat` seconds."""
    try:
        yield f"retry: {retry_ms}\n\n"
        last = latest
        if replay is None:
            # The page must reload what it shows; from here on, ids resume from `latest`.
            yield f"id: {latest}\nevent: reset\ndata: {{}}\n\n"
        else:
            for event in replay:
                last = event.id
                if event.organization_id == sub.organization_id and visible(event, user_id):
                    yield frame(event)
        deadline = time.monotonic() + lifetime
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                event = sub.inbox.get(timeout=min(heartbeat, remaining))
            except queue.Empty:
                yield ": heartbeat\n\n"
                continue
            if event is None:
                return
            if not newer(event.id, last):
                continue  # already given from the log
            last = event.id
            if event.organization_id != sub.organization_id or not visible(event, user_id):
                continue
            yield frame(event)
    finally:
        broker.unsubscribe(sub)
