"""Forms of the SLA admin pages: calendars, policies and escalation rules."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from supportdesk.i18n import lazy_gettext as _l
from supportdesk.sla.models import (
    DEFAULT_FIRST_RESPONSE,
    DEFAULT_RESOLUTION,
    OFFICE_HOURS,
    BusinessCalendar,
    EscalationRule,
    EscalationTrigger,
    SlaPolicy,
)
from supportdesk.sla.settings import PRIORITIES, TIERS, weekly_to_text
from supportdesk.web import Form


class CalendarForm(Form):
    """Name, time zone, weekly hours as text lines, holidays."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    time_zone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    always_open = BooleanField(_l("Open 24/7 (ignores hours and holidays)"))
    weekly = TextAreaField(_l("Weekly hours"), validators=[Optional(), Length(max=2000)])
    holidays = TextAreaField(_l("Holidays"), validators=[Optional(), Length(max=20000)])
    holiday_country = StringField(
        _l("Add public holidays of country"), validators=[Optional(), Length(max=8)]
    )
    holiday_year = IntegerField(
        _l("for year"), validators=[Optional(), NumberRange(min=2000, max=2100)]
    )

    @staticmethod
    def shown(cal: BusinessCalendar | None) -> dict[str, Any]:
        """The fields as the page first shows them: the calendar's, or office hours in Berlin."""
        cal = cal or BusinessCalendar(
            time_zone="Europe/Berlin", weekly_hours=OFFICE_HOURS, holidays=[]
        )
        return {
            "name": cal.name,
            "time_zone": cal.time_zone,
            "always_open": bool(cal.always_open),
            "weekly": weekly_to_text(cal.weekly_hours),
            "holidays": "\n".join(cal.holidays),
            "holiday_country": cal.holiday_country or "",
        }

    def values(self) -> dict[str, Any]:
        """The arguments of sla.settings.save_calendar, from the submitted fields."""
        return {
            "name": self.name.data,
            "time_zone": self.time_zone.data.strip(),
            "always_open": self.always_open.data,
            "weekly_text": self.weekly.data or "",
            "holidays_text": self.holidays.data or "",
            "holiday_country": (self.holiday_country.data or "").strip() or None,
            "holiday_year": self.holiday_year.data,
        }


def _minutes(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, max=525_600)])


class PolicyForm(Form):
    """Targets in business minutes per priority, for all customers or one tier."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    customer_tier = SelectField(
        _l("Applies to"),
        choices=[SelectChoice("", "All customers (default policy)")]
        + [SelectChoice(t, f"{t.capitalize()} customers") for t in TIERS],
        default="",
    )
    calendar_id = SelectField(_l("Business hours"), coerce=int)
    warning_percent = IntegerField(
        _l("Warn when this share is used (%)"),
        validators=[DataRequired(), NumberRange(1, 99)],
        default=80,
    )
    fr_critical = _minutes("Critical")
    fr_high = _minutes("High")
    fr_medium = _minutes("Medium")
    fr_low = _minutes("Low")
    res_critical = _minutes("Critical")
    res_high = _minutes("High")
    res_medium = _minutes("Medium")
    res_low = _minutes("Low")

    @staticmethod
    def shown(policy: SlaPolicy | None) -> dict[str, Any]:
        """The fields as the page first shows them: the policy's, or the default targets."""
        fr = policy.first_response_minutes if policy else DEFAULT_FIRST_RESPONSE
        res = policy.resolution_minutes if policy else DEFAULT_RESOLUTION
        return {
            "name": policy.name if policy else "Standard",
            "customer_tier": (policy.customer_tier or "") if policy else "",
            "calendar_id": policy.calendar_id if policy else None,
            "warning_percent": policy.warning_percent if policy else 80,
            **{f"fr_{p}": fr.get(p) for p in PRIORITIES},
            **{f"res_{p}": res.get(p) for p in PRIORITIES},
        }

    def targets(self, prefix: str) -> dict[str, int | None]:
        return {p: getattr(self, f"{prefix}_{p}").data for p in PRIORITIES}

    def values(self) -> dict[str, Any]:
        """The arguments of sla.settings.save_policy, from the submitted fields."""
        return {
            "name": self.name.data,
            "customer_tier": self.customer_tier.data or None,
            "calendar_id": self.calendar_id.data,
            "first_response": self.targets("fr"),
            "resolution": self.targets("res"),
            "warning_percent": self.warning_percent.data,
        }


class RuleForm(Form):
    """When an escalation rule fires and what it does."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    trigger = SelectField(
        _l("When"),
        choices=[
            SelectChoice(
                EscalationTrigger.FIRST_RESPONSE_BREACHED.value, "First response target breached"
            ),
            SelectChoice(EscalationTrigger.RESOLUTION_BREACHED.value, "Resolution target breached"),
            SelectChoice(EscalationTrigger.UNASSIGNED_FOR.value, "Unassigned for longer than…"),
            SelectChoice(EscalationTrigger.UNTOUCHED_FOR.value, "Untouched for longer than…"),
        ],
    )
    threshold_minutes = IntegerField(
        _l("Minutes (after the breach, or unassigned/untouched)"),
        validators=[Optional(), NumberRange(min=0, max=525_600)],
        default=0,
    )
    raise_priority = BooleanField(_l("Raise the priority one level"), default=True)
    reassign_to_senior = BooleanField(_l("Reassign to a senior agent (of the ticket's team first)"))
    active = BooleanField(_l("Active"), default=True)

    @staticmethod
    def shown(rule: EscalationRule | None) -> dict[str, Any] | None:
        """The fields as the page first shows them: the rule's, or the defaults for a new one."""
        if rule is None:
            return None
        return {
            "name": rule.name,
            "trigger": rule.trigger.value,
            "threshold_minutes": rule.threshold_minutes,
            "raise_priority": rule.raise_priority,
            "reassign_to_senior": rule.reassign_to_senior,
            "active": rule.active,
        }

    def values(self) -> dict[str, Any]:
        """The arguments of sla.settings.save_rule, from the submitted fields."""
        return {
            "name": self.name.data,
            "trigger": EscalationTrigger(self.trigger.data),
            "threshold_minutes": self.threshold_minutes.data or 0,
            "raise_priority": self.raise_priority.data,
            "reassign_to_senior": self.reassign_to_senior.data,
            "active": self.active.data,
        }
