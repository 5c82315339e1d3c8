"""Fixtures of the live console tests: the app's broker, listening, and a stream's frames."""

from __future__ import annotations

import json

import pytest

from supportdesk.live.broker import MemoryBroker, RedisBroker


@pytest.fixture
def broker(app):
    """The suite app's broker (Redis), its listener subscribed before the test publishes."""
    live = app.extensions["live"]
    assert isinstance(live, RedisBroker)
    assert live.wait_listening()
    return live


@pytest.fixture(params=["redis", "memory"])
def any_broker(request, app):
    """Each broker in turn: Redis (shared by processes) and process memory (no Redis)."""
    if request.param == "redis":
        return request.getfixturevalue("broker")
    return MemoryBroker()


def parse(text: str) -> list[dict]:
    """The events of a Server-Sent Events body: id, event, data (decoded), in order."""
    events = []
    for block in text.split("\n\n"):
        fields: dict = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "event" in fields:
            fields["data"] = json.loads(fields.get("data") or "null")
            events.append(fields)
    return events


def drain(sub, timeout: float = 2.0) -> list:
    """The events waiting in a subscription's inbox (waiting up to `timeout` for the first)."""
    import queue

    found = []
    try:
        found.append(sub.inbox.get(timeout=timeout))
        while True:
            found.append(sub.inbox.get_nowait())
    except queue.Empty:
        return found
