"""How long a sign-in session lasts: the one place its lifetime rules live (pure functions).

A session without "Keep me signed in" ends after SUPPORTDESK_SESSION_IDLE_MINUTES without a
request. A remembered session ends REMEMBER_DAYS after sign-in (the remember cookie's own
lifetime), idle or not: remembering is for the agent who comes back after a weekend. No session
outlives REMEMBER_DAYS, so a copied cookie that is used every day still dies.
"""

from __future__ import annotations

import datetime as dt

REMEMBER_DAYS = 30
REMEMBER_FOR = dt.timedelta(days=REMEMBER_DAYS)
# last_seen_at is written at most this often per session: not one write per page view.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def session_ends_at(
    *, created_at: dt.datetime, last_seen_at: dt.datetime, remember: bool, idle: dt.timedelta
) -> dt.datetime:
    """The moment a session stops being accepted (unless revoked sooner)."""
    longest = created_at + REMEMBER_FOR
    if remember:
        return longest
    return min(last_seen_at + idle, longest)


def is_live(record, now: dt.datetime, idle: dt.timedelta) -> bool:
    """Whether the session `record` (an AgentSession) is still accepted at `now`."""
    if record.revoked_at is not None:
        return False
    ends = session_ends_at(
        created_at=record.created_at,
        last_seen_at=record.last_seen_at,
        remember=record.remember,
        idle=idle,
    )
    return now < ends
