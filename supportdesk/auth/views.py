"""Sign-in and sign-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from supportdesk.accounts.service import set_own_time_zone
from supportdesk.auth import bp
from supportdesk.auth.forms import ChangePasswordForm, LoginForm, TimeZoneForm, time_zone_choices
from supportdesk.auth.service import LoginRefused, authenticate, change_password
from supportdesk.auth.throttle import login_throttle
from supportdesk.console.forms import apply_domain_errors
from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("console.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; on success start a fresh session."""
    if current_user.is_authenticated:
        return redirect(url_for("console.queue"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(
                login_throttle(), form.email.data, form.password.data, request.remote_addr or "-"
            )
        except LoginRefused as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            session.clear()  # a new session at login: nothing from before survives
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (POST only, so a link on another site cannot sign an agent out)."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def _account_page(password_form=None, zone_form=None, status: int = 200):
    """The account page with both forms; the one that was posted keeps its input and errors."""
    if zone_form is None:
        zone_form = TimeZoneForm(data={"time_zone": current_user.time_zone or ""})
    zone_form.time_zone.choices = time_zone_choices(follow=current_user.organization.time_zone)
    return render_template(
        "auth/account.html",
        form=password_form or ChangePasswordForm(),
        zone_form=zone_form,
        now=utcnow(),
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The signed-in agent's own account: change the password (signs out other sessions)."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.password.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
            status = exc.status
        else:
            # The session token changed: sign this session in again with the new one.
            login_user(current_user._get_current_object())
            flash("Password changed. Your other sessions are signed out.", "success")
            return redirect(url_for("auth.account"))
    elif request.method == "POST":
        status = 422
    return _account_page(password_form=form, status=status)


@bp.post("/account/time-zone")
@login_required
def time_zone_update():
    """Save the zone the console shows this agent's times in (empty: the organization's)."""
    form = TimeZoneForm()
    if not form.validate_on_submit():
        return _account_page(zone_form=form, status=422)
    try:
        set_own_time_zone(current_user, form.time_zone.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _account_page(zone_form=form, status=exc.status)
    flash(f"Times now show in {current_user.shown_time_zone}.", "success")
    return redirect(url_for("auth.account"))
