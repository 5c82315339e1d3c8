"""Admin pages for SLAs: business-hours calendars, policies and escalation rules."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from supportdesk.admin import bp
from supportdesk.admin.sla_forms import CalendarForm, PolicyForm, RuleForm
from supportdesk.console.access import requires
from supportdesk.console.forms import apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.sla import queries, settings
from supportdesk.sla.models import (
    DEFAULT_FIRST_RESPONSE,
    DEFAULT_RESOLUTION,
    OFFICE_HOURS,
    BusinessCalendar,
    EscalationRule,
    EscalationTrigger,
    SlaPolicy,
)


def _org() -> int:
    return current_user.organization_id


@bp.get("/sla")
def sla_show():
    """Calendars, policies and escalation rules of the organization."""
    calendars, policies, rules = queries.list_settings(_org())
    return render_template(
        "admin/sla.html",
        calendars=calendars,
        policies=policies,
        rules=rules,
        priorities=settings.PRIORITIES,
        weekly_to_text=settings.weekly_to_text,
    )


def _save(form, template: str, row, save, saved: str, **context):
    """Validate, call the settings service, commit once, or re-render with the errors."""
    status = 200
    if form.validate_on_submit():
        try:
            save()
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
        else:
            flash(saved, "success")
            return redirect(url_for("admin.sla_show"))
    elif request.method == "POST":
        status = 422
    return render_template(template, form=form, row=row, **context), status


@bp.route("/sla/calendars/new", methods=["GET", "POST"], defaults={"calendar_id": None})
@bp.route("/sla/calendars/<int:calendar_id>", methods=["GET", "POST"])
@requires("sla.manage")
def calendar_edit(calendar_id: int | None):
    """Create or edit a business-hours calendar."""
    cal = queries.get_setting(BusinessCalendar, _org(), calendar_id) if calendar_id else None
    data = None
    if request.method == "GET":
        source = cal or BusinessCalendar(
            time_zone="Europe/Berlin", weekly_hours=OFFICE_HOURS, holidays=[]
        )
        data = {
            "name": source.name,
            "time_zone": source.time_zone,
            "always_open": bool(source.always_open),
            "weekly": settings.weekly_to_text(source.weekly_hours),
            "holidays": "\n".join(source.holidays),
            "holiday_country": source.holiday_country or "",
        }
    form = CalendarForm(data=data)
    return _save(
        form,
        "admin/sla_calendar_form.html",
        cal,
        lambda: settings.save_calendar(
            current_user,
            calendar_id,
            name=form.name.data,
            time_zone=form.time_zone.data.strip(),
            always_open=form.always_open.data,
            weekly_text=form.weekly.data or "",
            holidays_text=form.holidays.data or "",
            holiday_country=(form.holiday_country.data or "").strip() or None,
            holiday_year=form.holiday_year.data,
        ),
        "Calendar saved; open tickets are being recomputed.",
    )


@bp.route("/sla/policies/new", methods=["GET", "POST"], defaults={"policy_id": None})
@bp.route("/sla/policies/<int:policy_id>", methods=["GET", "POST"])
@requires("sla.manage")
def policy_edit(policy_id: int | None):
    """Create or edit an SLA policy."""
    policy = queries.get_setting(SlaPolicy, _org(), policy_id) if policy_id else None
    calendars, _, _ = queries.list_settings(_org())
    data = None
    if request.method == "GET":
        fr = policy.first_response_minutes if policy else DEFAULT_FIRST_RESPONSE
        res = policy.resolution_minutes if policy else DEFAULT_RESOLUTION
        data = {
            "name": policy.name if policy else "Standard",
            "customer_tier": (policy.customer_tier or "") if policy else "",
            "calendar_id": policy.calendar_id if policy else None,
            "warning_percent": policy.warning_percent if policy else 80,
            **{f"fr_{p}": fr.get(p) for p in settings.PRIORITIES},
            **{f"res_{p}": res.get(p) for p in settings.PRIORITIES},
        }
    form = PolicyForm(data=data)
    form.calendar_id.choices = [SelectChoice(c.id, c.name) for c in calendars]
    if not calendars and request.method == "GET":
        flash("Add a business-hours calendar first.", "error")
        return redirect(url_for("admin.calendar_edit"))
    return _save(
        form,
        "admin/sla_policy_form.html",
        policy,
        lambda: settings.save_policy(
            current_user,
            policy_id,
            name=form.name.data,
            customer_tier=form.customer_tier.data or None,
            calendar_id=form.calendar_id.data,
            first_response=form.targets("fr"),
            resolution=form.targets("res"),
            warning_percent=form.warning_percent.data,
        ),
        "Policy saved; open tickets are being recomputed.",
        priorities=settings.PRIORITIES,
    )


@bp.route("/sla/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/sla/rules/<int:rule_id>", methods=["GET", "POST"])
@requires("sla.manage")
def rule_edit(rule_id: int | None):
    """Create or edit an escalation rule."""
    rule = queries.get_setting(EscalationRule, _org(), rule_id) if rule_id else None
    data = None
    if request.method == "GET" and rule is not None:
        data = {
            "name": rule.name,
            "trigger": rule.trigger.value,
            "threshold_minutes": rule.threshold_minutes,
            "raise_priority": rule.raise_priority,
            "reassign_to_senior": rule.reassign_to_senior,
            "active": rule.active,
        }
    form = RuleForm(data=data)
    return _save(
        form,
        "admin/sla_rule_form.html",
        rule,
        lambda: settings.save_rule(
            current_user,
            rule_id,
            name=form.name.data,
            trigger=EscalationTrigger(form.trigger.data),
            threshold_minutes=form.threshold_minutes.data or 0,
            raise_priority=form.raise_priority.data,
            reassign_to_senior=form.reassign_to_senior.data,
            active=form.active.data,
        ),
        "Escalation rule saved.",
    )


@bp.app_template_filter("minutes")
def format_minutes(minutes: int | None) -> str:
    """90 → '1 h 30 min', 240 → '4 h', None → '—' (business time in the SLA pages)."""
    if not minutes:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")
