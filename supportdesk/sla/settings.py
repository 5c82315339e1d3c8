"""SLA configuration writes: calendars, policies and escalation rules (team leads and admins).

Every change re-computes the organization's open tickets in a job after the commit, so the
console's countdowns follow the new hours or targets.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from supportdesk import audit, jobs
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import touch_if_changed, utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.sla.calendar import Calendar, CalendarError, format_minute
from supportdesk.sla.models import BusinessCalendar, EscalationRule, EscalationTrigger, SlaPolicy

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
PRIORITIES = ["critical", "high", "medium", "low"]
TIERS = ["free", "basic", "premium", "enterprise"]
_LINE = re.compile(r"^\s*([A-Za-z]{3})[a-z]*\s+(.+)$")


def weekly_to_text(weekly: dict) -> str:
    """{"0": [["09:00", "17:00"]]} → "Mon 09:00-17:00" lines, for the form."""
    lines = []
    for day in range(7):
        periods = weekly.get(str(day)) or weekly.get(day) or []
        if periods:
            lines.append(f"{DAYS[day]} " + ", ".join(f"{a}-{b}" for a, b in periods))
    return "\n".join(lines)


def parse_weekly(text: str) -> dict[str, list[list[str]]]:
    """Lines like "Mon 09:00-12:30, 13:30-17:00" → the stored weekly hours (validated)."""
    weekly: dict[str, list[list[str]]] = {}
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        match = _LINE.match(raw)
        day = match.group(1).capitalize() if match else ""
        if day not in DAYS:
            raise _bad(
                "weekly", f"{raw.strip()!r}: start each line with a day, e.g. Mon 09:00-17:00"
            )
        periods = []
        for chunk in match.group(2).split(","):
            start, _, end = chunk.strip().partition("-")
            periods.append([start.strip(), end.strip()])
        weekly.setdefault(str(DAYS.index(day)), []).extend(periods)
    try:
        spec = Calendar.from_spec("UTC", weekly)
    except CalendarError as exc:
        raise _bad("weekly", str(exc).capitalize() + ".") from exc
    # Store the normalised form (sorted, zero-padded).
    return {
        str(d): [[format_minute(a), format_minute(b)] for a, b in spans]
        for d, spans in spec.weekly.items()
    }


def parse_holidays(text: str, country: str | None, year: int | None) -> list[str]:
    """ISO dates, one per line or comma-separated, plus a country's public holidays for a year."""
    days = set()
    for token in re.split(r"[\s,]+", text or ""):
        if token:
            try:
                days.add(dt.date.fromisoformat(token))
            except ValueError as exc:
                raise _bad("holidays", f"{token!r} is not a date like 2026-12-25.") from exc
    if country:
        import holidays as holiday_data

        if country.upper() not in holiday_data.list_supported_countries():
            raise _bad("holiday_country", f"No holiday data for {country!r}.")
        days.update(holiday_data.country_holidays(country.upper(), years=year or utcnow().year))
    return sorted(d.isoformat() for d in days)


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: message})


def _recompute_later(organization_id: int) -> None:
    jobs.defer(db.session, "supportdesk.jobs.sla.recompute_sla", organization_id)


def _owned(model, organization_id: int, row_id: int | None):
    if row_id is None:
        return None
    row = db.session.scalar(
        sa.select(model).where(model.organization_id == organization_id, model.id == row_id)
    )
    if row is None:
        raise NotFound("That SLA setting does not exist.")
    return row


def save_calendar(
    actor: User,
    calendar_id: int | None,
    *,
    name: str,
    time_zone: str,
    always_open: bool,
    weekly_text: str,
    holidays_text: str,
    holiday_country: str | None = None,
    holiday_year: int | None = None,
) -> BusinessCalendar:
    """Create or update a business-hours calendar; open tickets are recomputed after commit."""
    require(actor, "sla.manage")
    org = actor.organization_id
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _bad("time_zone", f"{time_zone!r} is not a time zone such as Europe/Berlin.") from exc
    weekly = parse_weekly(weekly_text)
    if not always_open and not weekly:
        raise _bad("weekly", "Give at least one period, or choose 24/7.")
    cal = _owned(BusinessCalendar, org, calendar_id) or BusinessCalendar(organization_id=org)
    before = audit.snapshot(cal, CALENDAR_FIELDS) if cal.id else None
    cal.name = _name(name)
    cal.time_zone = time_zone
    cal.always_open = always_open
    cal.weekly_hours = weekly
    cal.holidays = parse_holidays(holidays_text, holiday_country, holiday_year)
    cal.holiday_country = (holiday_country or "").upper() or None
    db.session.add(cal)
    changed = touch_if_changed(cal)
    _flush_unique("name", "A calendar with this name exists already.")
    if changed:
        _recompute_later(org)
    _audit(actor, "sla_calendar.saved", ("sla_calendar", cal), before, CALENDAR_FIELDS)
    return cal


CALENDAR_FIELDS = (
    "name",
    "time_zone",
    "always_open",
    "weekly_hours",
    "holidays",
    "holiday_country",
)
POLICY_FIELDS = (
    "name",
    "customer_tier",
    "calendar_id",
    "first_response_minutes",
    "resolution_minutes",
    "warning_percent",
)
RULE_FIELDS = (
    "name",
    "trigger",
    "threshold_minutes",
    "raise_priority",
    "reassign_to_senior",
    "active",
)


def _audit(actor: User, action: str, target: tuple, before: dict | None, fields) -> None:
    kind, row = target
    audit.record_changes(
        actor.organization_id,
        action,
        actor=actor,
        target=(kind, row.id, row.name),
        before=before,
        after=audit.snapshot(row, fields),
    )


def save_policy(
    actor: User,
    policy_id: int | None,
    *,
    name: str,
    customer_tier: str | None,
    calendar_id: int,
    first_response: dict[str, int | None],
    resolution: dict[str, int | None],
    warning_percent: int,
) -> SlaPolicy:
    """Create or update a policy (targets in minutes per priority); tickets are recomputed."""
    require(actor, "sla.manage")
    org = actor.organization_id
    _owned(BusinessCalendar, org, calendar_id)
    if customer_tier not in (None, *TIERS):
        raise _bad("customer_tier", "Choose a customer tier.")
    if not 1 <= warning_percent <= 99:
        raise _bad("warning_percent", "Use a share between 1 and 99 %.")
    policy = _owned(SlaPolicy, org, policy_id) or SlaPolicy(organization_id=org)
    before = audit.snapshot(policy, POLICY_FIELDS) if policy.id else None
    policy.name = _name(name)
    policy.customer_tier = customer_tier
    policy.calendar_id = calendar_id
    policy.first_response_minutes = _targets(first_response, "fr")
    policy.resolution_minutes = _targets(resolution, "res")
    policy.warning_percent = warning_percent
    db.session.add(policy)
    changed = touch_if_changed(policy)
    _flush_unique("customer_tier", "There is a policy for this tier already.")
    if changed:
        _recompute_later(org)
    _audit(actor, "sla_policy.saved", ("sla_policy", policy), before, POLICY_FIELDS)
    return policy


def save_rule(
    actor: User,
    rule_id: int | None,
    *,
    name: str,
    trigger: EscalationTrigger,
    threshold_minutes: int,
    raise_priority: bool,
    reassign_to_senior: bool,
    active: bool,
) -> EscalationRule:
    """Create or update an escalation rule."""
    require(actor, "sla.manage")
    if threshold_minutes < 0:
        raise _bad("threshold_minutes", "Use zero or more minutes.")
    if not (raise_priority or reassign_to_senior):
        raise _bad("raise_priority", "Choose at least one action.")
    rule = _owned(EscalationRule, actor.organization_id, rule_id) or EscalationRule(
        organization_id=actor.organization_id
    )
    before = audit.snapshot(rule, RULE_FIELDS) if rule.id else None
    rule.name = _name(name)
    rule.trigger = trigger
    rule.threshold_minutes = threshold_minutes
    rule.raise_priority = raise_priority
    rule.reassign_to_senior = reassign_to_senior
    rule.active = active
    db.session.add(rule)
    db.session.flush()
    _audit(actor, "escalation_rule.saved", ("escalation_rule", rule), before, RULE_FIELDS)
    return rule


def _name(name: str) -> str:
    name = " ".join((name or "").split())[:120]
    if not name:
        raise _bad("name", "Enter a name.")
    return name


def _targets(values: dict[str, int | None], prefix: str) -> dict[str, int]:
    result = {}
    for priority in PRIORITIES:
        minutes = values.get(priority)
        if minutes is not None:
            if minutes <= 0:
                raise _bad(f"{prefix}_{priority}", "Targets are whole minutes above zero.")
            result[priority] = int(minutes)
    return result


def _flush_unique(field: str, message: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise _bad(field, message) from exc
