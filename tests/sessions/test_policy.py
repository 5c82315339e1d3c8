"""A session's lifetime: idle timeout without 'Keep me signed in', REMEMBER_DAYS with it."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.sessions.policy import REMEMBER_FOR, is_live, session_ends_at

SIGN_IN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
IDLE = dt.timedelta(minutes=720)


class Record:
    """The fields of an AgentSession that the policy reads."""

    def __init__(self, *, last_seen_after, remember=False, revoked=False):
        self.created_at = SIGN_IN
        self.last_seen_at = SIGN_IN + last_seen_after
        self.remember = remember
        self.revoked_at = SIGN_IN if revoked else None


H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("last_seen_after", "remember", "now_after", "live"),
    [
        pytest.param(0 * H, False, 11 * H, True, id="idle 11 h: live"),
        pytest.param(0 * H, False, 12 * H, False, id="idle 12 h: ended"),
        pytest.param(20 * D, False, 20 * D + 11 * H, True, id="busy for 20 days: live"),
        pytest.param(29 * D + 23 * H, False, 30 * D, False, id="busy, but 30 days old: ended"),
        pytest.param(0 * H, True, 29 * D, True, id="remembered, idle 29 days: live"),
        pytest.param(29 * D, True, 30 * D, False, id="remembered, 30 days old: ended"),
    ],
)
def test_a_session_lives_until_its_idle_or_absolute_limit(
    last_seen_after, remember, now_after, live
):
    record = Record(last_seen_after=last_seen_after, remember=remember)

    assert is_live(record, SIGN_IN + now_after, IDLE) is live


def test_a_revoked_session_is_never_live():
    assert is_live(Record(last_seen_after=0 * H, revoked=True), SIGN_IN, IDLE) is False


def test_no_session_outlives_the_remember_period():
    for remember in (False, True):
        ends = session_ends_at(
            created_at=SIGN_IN,
            last_seen_at=SIGN_IN + REMEMBER_FOR,
            remember=remember,
            idle=IDLE,
        )
        assert ends == SIGN_IN + REMEMBER_FOR
