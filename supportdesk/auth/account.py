"""The signed-in agent's own account: password, time zone, and the sessions signed in as them."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from supportdesk.accounts.service import set_own_time_zone
from supportdesk.auth import bp
from supportdesk.auth.forms import ChangePasswordForm, TimeZoneForm, time_zone_choices
from supportdesk.auth.service import change_password
from supportdesk.auth.views import sign_out_this_browser
from supportdesk.console.forms import apply_domain_errors
from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.sessions.queries import list_live_sessions
from supportdesk.sessions.service import revoke_session, revoke_sessions


def _render(form: ChangePasswordForm | None = None, *, zone_form=None, status: int = 200):
    """The account page with its forms; the one that was posted keeps its input and errors."""
    now = utcnow()
    sessions = list_live_sessions(
        current_user.organization_id,
        current_user.id,
        now,
        current_app.extensions["session_idle_timeout"],
    )
    if zone_form is None:
        zone_form = TimeZoneForm(data={"time_zone": current_user.time_zone or ""})
    zone_form.time_zone.choices = time_zone_choices(follow=current_user.organization.time_zone)
    return render_template(
        "auth/account.html",
        form=form or ChangePasswordForm(),
        zone_form=zone_form,
        now=now,
        sessions=sessions,
        this=current_user.web_session,
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account page; POST changes the password (and signs out every other session)."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _render(form, status=422 if request.method == "POST" else 200)
    try:
        change_password(current_user, form.current_password.data, form.password.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _render(form, status=exc.status)
    flash("Password changed. Your other sessions are signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/time-zone")
@login_required
def time_zone_update():
    """Save the zone the console shows this agent's times in (empty: the organization's)."""
    form = TimeZoneForm()
    if not form.validate_on_submit():
        return _render(zone_form=form, status=422)
    try:
        set_own_time_zone(current_user, form.time_zone.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _render(zone_form=form, status=exc.status)
    flash(f"Times now show in {current_user.shown_time_zone}.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def session_revoke(session_id: int):
    """Sign out one session of this agent (CSRFProtect has checked the form's token)."""
    record = revoke_session(current_user, session_id)
    db.session.commit()
    if record.id == current_user.web_session.id:
        sign_out_this_browser()
        flash("You are signed out.", "info")
        return redirect(url_for("auth.login"))
    flash(f"Signed out {record.device} ({record.ip_address or 'unknown address'}).", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/revoke-others")
@login_required
def session_revoke_others():
    """Sign out every other session of this agent; this browser stays signed in."""
    count = revoke_sessions(current_user, keep=current_user.web_session)
    db.session.commit()
    flash(f"Signed out {count} other session{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("auth.account"))
