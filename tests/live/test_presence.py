"""Presence marks: heartbeats, typing, leaving and expiry, in Redis and in process memory."""

from __future__ import annotations

import pytest

from supportdesk.live.presence import (
    TTL_SECONDS,
    TYPING_SECONDS,
    MemoryPresence,
    RedisPresence,
    Viewer,
)

pytestmark = pytest.mark.integration


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["redis", "memory"])
def store(request):
    clock = Clock()
    if request.param == "redis":
        redis = request.getfixturevalue("app").extensions["redis"]
        return RedisPresence(redis, clock=clock), clock
    return MemoryPresence(clock=clock), clock


def test_a_heartbeat_shows_the_agent_and_what_they_type(store):
    presence, clock = store
    before, after = presence.touch(1, 7, 10, "Ann", "reply")
    assert before == [] and after == [Viewer(10, "Ann", "reply")]
    clock.now += TYPING_SECONDS + 1
    assert presence.viewers(1, [7]) == {7: [Viewer(10, "Ann", None)]}


def test_a_mark_not_renewed_is_gone_after_its_ttl(store):
    presence, clock = store
    presence.touch(1, 7, 10, "Ann", None)
    clock.now += TTL_SECONDS - 1
    presence.touch(1, 7, 11, "Ben", None)
    clock.now += 2
    assert presence.viewers(1, [7]) == {7: [Viewer(11, "Ben", None)]}
    before, after = presence.touch(1, 7, 11, "Ben", None)
    assert before == after == [Viewer(11, "Ben", None)]


def test_leaving_removes_the_mark_at_once(store):
    presence, _clock = store
    presence.touch(1, 7, 10, "Ann", None)
    before, after = presence.leave(1, 7, 10)
    assert before == [Viewer(10, "Ann", None)] and after == []


def test_presence_is_kept_per_organization(store):
    presence, _clock = store
    presence.touch(1, 7, 10, "Ann", None)
    assert presence.viewers(2, [7]) == {7: []}
