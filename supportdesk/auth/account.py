"""The signed-in agent's own account: password, and the sessions signed in as them."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from supportdesk.auth import bp
from supportdesk.auth.forms import ChangePasswordForm
from supportdesk.auth.service import change_password
from supportdesk.auth.views import sign_out_this_browser
from supportdesk.console.forms import apply_domain_errors
from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.sessions.queries import list_live_sessions
from supportdesk.sessions.service import revoke_session, revoke_sessions


def _render(form: ChangePasswordForm, status: int = 200):
    sessions = list_live_sessions(
        current_user.organization_id,
        current_user.id,
        utcnow(),
        current_app.extensions["session_idle_timeout"],
    )
    return render_template(
        "auth/account.html", form=form, sessions=sessions, this=current_user.web_session
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account page; POST changes the password (and signs out every other session)."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _render(form, 422 if request.method == "POST" else 200)
    try:
        change_password(current_user, form.current_password.data, form.password.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _render(form, exc.status)
    flash("Password changed. Your other sessions are signed out.", "success")
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
