"""Forms of the SLA admin pages: calendars, policies and escalation rules."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from supportdesk.sla.models import EscalationTrigger
from supportdesk.sla.settings import PRIORITIES, TIERS
from supportdesk.web import Form


class CalendarForm(Form):
    """Name, time zone, weekly hours as text lines, holidays."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    always_open = BooleanField("Open 24/7 (ignores hours and holidays)")
    weekly = TextAreaField("Weekly hours", validators=[Optional(), Length(max=2000)])
    holidays = TextAreaField("Holidays", validators=[Optional(), Length(max=20000)])
    holiday_country = StringField(
        "Add public holidays of country", validators=[Optional(), Length(max=8)]
    )
    holiday_year = IntegerField(
        "for year", validators=[Optional(), NumberRange(min=2000, max=2100)]
    )


def _minutes(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, max=525_600)])


class PolicyForm(Form):
    """Targets in business minutes per priority, for all customers or one tier."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    customer_tier = SelectField(
        "Applies to",
        choices=[SelectChoice("", "All customers (default policy)")]
        + [SelectChoice(t, f"{t.capitalize()} customers") for t in TIERS],
        default="",
    )
    calendar_id = SelectField("Business hours", coerce=int)
    warning_percent = IntegerField(
        "Warn when this share is used (%)",
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

    def targets(self, prefix: str) -> dict[str, int | None]:
        return {p: getattr(self, f"{prefix}_{p}").data for p in PRIORITIES}


class RuleForm(Form):
    """When an escalation rule fires and what it does."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    trigger = SelectField(
        "When",
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
        "Minutes (after the breach, or unassigned/untouched)",
        validators=[Optional(), NumberRange(min=0, max=525_600)],
        default=0,
    )
    raise_priority = BooleanField("Raise the priority one level", default=True)
    reassign_to_senior = BooleanField("Reassign to a senior agent (of the ticket's team first)")
    active = BooleanField("Active", default=True)
