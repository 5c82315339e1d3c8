"""Times shown to people: the one date format of pages and emails, in an IANA time zone.

The database and the API keep UTC; only text a person reads is converted, here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

# The IANA regions of real places; the rest of the database is aliases kept for old systems
# ("US/Eastern", "Etc/GMT+5", "posixrules") that would only lengthen the list.
REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
DEFAULT_ZONE = "UTC"
_FORMATS = {"datetime": "%d %b %Y, %H:%M", "date": "%d %b %Y", "time": "%H:%M"}


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The zones people choose from: UTC, then every Region/City zone in alphabetical order."""
    names = (n for n in zoneinfo.available_timezones() if n.split("/", 1)[0] in REGIONS)
    return (DEFAULT_ZONE, *sorted(names))


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(time_zones())


def is_time_zone(name: str | None) -> bool:
    """Whether `name` is one of the zones offered (an exact IANA name such as Europe/Berlin)."""
    return name in _zone_names()


def utc_iso(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z: what machines read (the `datetime` attribute of <time>)."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def format_datetime(
    value: dt.datetime, zone: str, *, style: str = "datetime", named: bool = False
) -> str:
    """`value` as wall time in `zone`: '27 Nov 2026, 14:05 CET'.

    style: "datetime", "time" ('14:05 CET') or "date" ('27 Nov 2026', no zone).
    named: add the zone's name when its abbreviation does not say it, as emails do, whose
    readers may live elsewhere: '27 Nov 2026, 14:05 CET (Europe/Berlin)'.
    """
    local = value.astimezone(zoneinfo.ZoneInfo(zone))
    text = local.strftime(_FORMATS[style])
    if style == "date":
        return text
    abbreviation = local.tzname()
    text = f"{text} {abbreviation}"
    if named and abbreviation != zone:
        text = f"{text} ({zone})"
    return text


def organization_time(
    organization_id: int, value: dt.datetime, style: str = "datetime", language: str | None = None
) -> str:
    """A time as mail and stored notes print it: in the organization's zone, named.

    '27 Nov 2026, 14:05 CET (Europe/Berlin)'; style "date" gives '27 Nov 2026'. With `language`
    (the reader's), in that language's date format: '27.11.2026, 14:05 CET (Europe/Berlin)'.
    """
    from supportdesk.accounts.models import Organization
    from supportdesk.extensions import db
    from supportdesk.i18n import format_time

    zone = db.session.get(Organization, organization_id).time_zone
    if language:
        return format_time(value, zone, language, style=style, named=True)
    return format_datetime(value, zone, style=style, named=True)
