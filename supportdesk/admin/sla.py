"""Admin pages for SLAs: business-hours calendars, policies and escalation rules."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from supportdesk.admin import bp
from supportdesk.admin.sla_forms import CalendarForm, PolicyForm, RuleForm
from supportdesk.console.access import requires
from supportdesk.sla import queries, settings
from supportdesk.sla.models import BusinessCalendar, EscalationRule, SlaPolicy
from supportdesk.submit import Saved, submit


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


def _save(form, save, saved: str, template: str, **context):
    """The settings pages all save the same way, and go back to the SLA page."""
    return submit(
        form,
        save,
        done=lambda _: Saved(saved, url_for("admin.sla_show")),
        page=lambda _: render_template(template, form=form, **context),
    )


@bp.route("/sla/calendars/new", methods=["GET", "POST"], defaults={"calendar_id": None})
@bp.route("/sla/calendars/<int:calendar_id>", methods=["GET", "POST"])
@requires("sla.manage")
def calendar_edit(calendar_id: int | None):
    """Create or edit a business-hours calendar."""
    cal = queries.get_setting(BusinessCalendar, _org(), calendar_id) if calendar_id else None
    form = CalendarForm(data=CalendarForm.shown(cal) if request.method == "GET" else None)
    return _save(
        form,
        lambda: settings.save_calendar(current_user, calendar_id, **form.values()),
        "Calendar saved; open tickets are being recomputed.",
        "admin/sla_calendar_form.html",
        row=cal,
    )


@bp.route("/sla/policies/new", methods=["GET", "POST"], defaults={"policy_id": None})
@bp.route("/sla/policies/<int:policy_id>", methods=["GET", "POST"])
@requires("sla.manage")
def policy_edit(policy_id: int | None):
    """Create or edit an SLA policy."""
    policy = queries.get_setting(SlaPolicy, _org(), policy_id) if policy_id else None
    calendars, _, _ = queries.list_settings(_org())
    form = PolicyForm(data=PolicyForm.shown(policy) if request.method == "GET" else None)
    form.calendar_id.choices = [SelectChoice(c.id, c.name) for c in calendars]
    if not calendars and request.method == "GET":
        flash(gettext("Add a business-hours calendar first."), "error")
        return redirect(url_for("admin.calendar_edit"))
    return _save(
        form,
        lambda: settings.save_policy(current_user, policy_id, **form.values()),
        "Policy saved; open tickets are being recomputed.",
        "admin/sla_policy_form.html",
        row=policy,
        priorities=settings.PRIORITIES,
    )


@bp.route("/sla/rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/sla/rules/<int:rule_id>", methods=["GET", "POST"])
@requires("sla.manage")
def rule_edit(rule_id: int | None):
    """Create or edit an escalation rule."""
    rule = queries.get_setting(EscalationRule, _org(), rule_id) if rule_id else None
    form = RuleForm(data=RuleForm.shown(rule) if request.method == "GET" else None)
    return _save(
        form,
        lambda: settings.save_rule(current_user, rule_id, **form.values()),
        "Escalation rule saved.",
        "admin/sla_rule_form.html",
        row=rule,
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
