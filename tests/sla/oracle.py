"""A brute-force oracle for business time: walks the calendar one UTC minute at a time.

It knows nothing of offset spans or intervals: a minute counts when the wall clock at its start
shows a time inside a period of that local date (not a holiday) and no pause covers it.
"""

from __future__ import annotations

import datetime as dt

from supportdesk.sla.calendar import Calendar

MINUTE = dt.timedelta(minutes=1)


def is_business(cal: Calendar, instant: dt.datetime) -> bool:
    """Whether the minute starting at `instant` is business time."""
    if cal.always_open:
        return True
    wall = instant.astimezone(cal.zone)
    if wall.date() in cal.holidays:
        return False
    minute = wall.hour * 60 + wall.minute
    return any(s <= minute < e for s, e in cal.weekly.get(wall.weekday(), ()))


def _paused(instant: dt.datetime, pauses) -> bool:
    return any(s <= instant and (e is None or instant < e) for s, e in pauses)


def business_minutes(cal: Calendar, start: dt.datetime, end: dt.datetime, pauses=()) -> int:
    """Business minutes in [start, end) (both on whole minutes)."""
    count, t = 0, start
    while t < end:
        if is_business(cal, t) and not _paused(t, pauses):
            count += 1
        t += MINUTE
    return count


def add_minutes(cal: Calendar, start: dt.datetime, minutes: int, pauses=(), limit_days=60):
    """The end of the `minutes`-th business minute from `start` (None if not within limit_days)."""
    if minutes <= 0:
        return start
    count, t = 0, start
    stop = start + dt.timedelta(days=limit_days)
    while t < stop:
        if is_business(cal, t) and not _paused(t, pauses):
            count += 1
            if count == minutes:
                return t + MINUTE
        t += MINUTE
    return None
