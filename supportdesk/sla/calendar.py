"""Business-hours arithmetic: a pure module (no database, no Flask), exact across DST and holidays.

An instant is *business time* when the wall clock of the calendar's time zone shows a time inside
one of the periods of that local date's weekday, and that local date is not a holiday. This one
definition settles the DST edge cases deliberately, the same way the minute-by-minute oracle in
the tests does:

- spring forward: wall times inside the gap never exist, so a period 02:00–04:00 on that night
  holds one hour (03:00–04:00); a period starting in the gap starts when the clocks jump;
- fall back: wall times inside the repeated hour happen twice, so a period 02:00–03:00 on that
  night holds two hours, and both passes through a period's wall times count.

The arithmetic walks spans of constant UTC offset: inside one span wall time is UTC plus a fixed
offset, so every period becomes a plain UTC interval. Pauses (a ticket waiting on its customer)
are half-open UTC intervals cut out of business time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
DAY = dt.timedelta(days=1)
# How far ahead a due time is searched before giving up (a calendar with no hours at all).
HORIZON = dt.timedelta(days=3 * 366)

Period = tuple[dt.time | None, dt.time | None]  # (start, end); end None means midnight (24:00)
Interval = tuple[dt.datetime, dt.datetime]


class CalendarError(ValueError):
    """A weekly-hours definition that cannot be used (bad time, period ending before it starts)."""


@dataclass(frozen=True)
class Calendar:
    """Business hours in a time zone: periods per weekday (0 = Monday), holidays, or always open."""

    time_zone: str = "UTC"
    weekly: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()
    always_open: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def from_spec(
        cls,
        time_zone: str,
        weekly: dict[str | int, Sequence[Sequence[str]]] | None = None,
        holidays: Iterable[dt.date | str] = (),
        always_open: bool = False,
    ) -> Calendar:
        """Build from the stored form: {"0": [["09:00", "12:30"], ["13:30", "17:00"]], …}."""
        ZoneInfo(time_zone)  # raises for an unknown zone
        parsed: dict[int, tuple[tuple[int, int], ...]] = {}
        for day, periods in (weekly or {}).items():
            weekday = int(day)
            if not 0 <= weekday <= 6:
                raise CalendarError(f"weekday {day!r} is not 0 (Monday) … 6 (Sunday)")
            spans = sorted((parse_minute(a), parse_minute(b)) for a, b in periods)
            for start, end in spans:
                if start >= end:
                    raise CalendarError("each period must end after it starts (same day)")
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                if start < end:
                    raise CalendarError("periods of one day must not overlap")
            if spans:
                parsed[weekday] = tuple(spans)
        days = frozenset(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in holidays
        )
        return cls(time_zone, parsed, days, always_open)


def parse_minute(value: str) -> int:
    """'09:30' → 570 minutes after midnight; '24:00' is the end of the day."""
    try:
        hours, minutes = value.strip().split(":")
        h, m = int(hours), int(minutes)
    except (ValueError, AttributeError) as exc:
        raise CalendarError(f"{value!r} is not a time like 09:30") from exc
    if not (0 <= m < 60 and (0 <= h < 24 or (h == 24 and m == 0))):
        raise CalendarError(f"{value!r} is not a time of day")
    return h * 60 + m


def format_minute(minute: int) -> str:
    """570 → '09:30'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _offset(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    return instant.astimezone(zone).utcoffset()  # type: ignore[return-value]


def _offset_spans(
    zone: ZoneInfo, start: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime, dt.timedelta]]:
    """Consecutive UTC spans [a, b) of constant UTC offset, from `start` on, at most a day each."""
    a = start
    while True:
        off = _offset(zone, a)
        b = a + DAY
        if _offset(zone, b) != off:
            # Binary search the transition to the second (zones change offset at whole seconds).
            lo, hi = a, b
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid <= lo:
                    mid = lo + dt.timedelta(seconds=1)
                if _offset(zone, mid) == off:
                    lo = mid
                else:
                    hi = mid
            b = hi
        yield a, b, off
        a = b


def open_intervals(cal: Calendar, start: dt.datetime) -> Iterator[Interval]:
    """Business-time intervals in UTC, in order, clipped to begin at `start` (endless)."""
    start = start.astimezone(UTC)
    if cal.always_open:
        yield start, start + HORIZON * 100
        return
    zone = cal.zone
    pending: Interval | None = None  # merge intervals that touch across span boundaries
    for a, b, off in _offset_spans(zone, start):
        # Wall time inside this span runs from a+off to b+off (naive, local).
        wall_a = (a + off).replace(tzinfo=None)
        wall_b = (b + off).replace(tzinfo=None)
        day = wall_a.date()
        while dt.datetime.combine(day, dt.time()) < wall_b:
            if day not in cal.holidays:
                midnight = dt.datetime.combine(day, dt.time())
                for s_min, e_min in cal.weekly.get(day.weekday(), ()):
                    ws = max(midnight + dt.timedelta(minutes=s_min), wall_a)
                    we = min(midnight + dt.timedelta(minutes=e_min), wall_b)
                    if ws >= we:
                        continue
                    us = (ws - off).replace(tzinfo=UTC)
                    ue = (we - off).replace(tzinfo=UTC)
                    if pending is not None and pending[1] >= us:
                        pending = (pending[0], max(pending[1], ue))
                        continue
                    if pending is not None:
                        yield pending
                    pending = (us, ue)
            day += DAY
        if pending is not None and pending[1] < b:
            yield pending
            pending = None
        if b - start > HORIZON:
            if pending is not None:
                yield pending
            return


def _subtract(interval: Interval, pauses: Sequence[Interval]) -> Iterator[Interval]:
    """The parts of `interval` outside every pause (pauses sorted by start)."""
    s, e = interval
    for ps, pe in pauses:
        if pe <= s:
            continue
        if ps >= e:
            break
        if ps > s:
            yield s, ps
        s = max(s, pe)
        if s >= e:
            return
    if s < e:
        yield s, e


_FOREVER = dt.datetime.max.replace(tzinfo=UTC)


def normalise_pauses(pauses: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> list[Interval]:
    """Sort and merge pauses; an open pause (end None) runs forever."""
    items = sorted((s, e if e is not None else _FOREVER) for s, e in pauses if e is None or e > s)
    merged: list[Interval] = []
    for s, e in items:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def business_seconds(
    cal: Calendar,
    start: dt.datetime,
    end: dt.datetime,
    pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
) -> float:
    """Business seconds in [start, end), not counting paused time."""
    if end <= start:
        return 0.0
    cut = normalise_pauses(pauses)
    total = dt.timedelta()
    for s, e in open_intervals(cal, start):
        if s >= end:
            break
        for ps, pe in _subtract((s, min(e, end)), cut):
            total += pe - ps
    return total.total_seconds()


def add_business_seconds(
    cal: Calendar,
    start: dt.datetime,
    seconds: float,
    pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
) -> dt.datetime | None:
    """The instant at which `seconds` of business time have elapsed since `start`.

    None when that never happens: the ticket is paused for good, or the calendar has no hours
    within the search horizon.
    """
    return add_business_seconds_many(cal, start, [seconds], pauses)[0]


def add_business_seconds_many(
    cal: Calendar,
    start: dt.datetime,
    amounts: Sequence[float],
    pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
) -> list[dt.datetime | None]:
    """add_business_seconds for several amounts in one walk (a due time and its warning).

    Paused spans are jumped over rather than walked, so a ticket that sat resolved for months
    costs no more than a fresh one.
    """
    start = start.astimezone(UTC)
    order = sorted(range(len(amounts)), key=lambda i: amounts[i])
    targets = [dt.timedelta(seconds=max(amounts[i], 0)) for i in order]
    results: list[dt.datetime | None] = [None] * len(amounts)
    cut = normalise_pauses(pauses)
    limit = start + HORIZON
    elapsed = dt.timedelta()
    k = 0
    while k < len(order) and not targets[k]:
        results[order[k]] = start
        k += 1
    pos, p = start, 0
    while k < len(order):
        while p < len(cut) and cut[p][1] <= pos:
            p += 1
        if p < len(cut) and cut[p][0] <= pos:
            if cut[p][1] == _FOREVER:
                return results
            pos = cut[p][1]
            continue
        barrier = cut[p][0] if p < len(cut) else None
        for s, e in open_intervals(cal, pos):
            if s > limit:
                return results
            if barrier is not None and s >= barrier:
                break
            end = min(e, barrier) if barrier is not None else e
            while k < len(order) and elapsed + (end - s) >= targets[k]:
                results[order[k]] = s + (targets[k] - elapsed)
                k += 1
            if k == len(order):
                return results
            elapsed += end - s
            if barrier is not None and e >= barrier:
                break
        else:
            return results
        pos = barrier  # type: ignore[assignment]
    return results
