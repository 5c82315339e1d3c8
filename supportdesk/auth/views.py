"""Sign-in and sign-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from supportdesk.auth import bp
from supportdesk.auth.forms import LoginForm
from supportdesk.auth.service import LoginRefused, authenticate
from supportdesk.auth.throttle import login_throttle
from supportdesk.extensions import db
from supportdesk.sessions.service import end_session, start_session


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
    """Show the sign-in form; on success start a fresh session, recorded server-side."""
    if current_user.is_authenticated:
        return redirect(url_for("console.queue"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        address = request.remote_addr or "-"
        try:
            user = authenticate(login_throttle(), form.email.data, form.password.data, address)
        except LoginRefused as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
            status = exc.status
        else:
            user.web_session = start_session(
                user,
                remember=form.remember.data,
                ip_address=request.remote_addr or "",
                user_agent=request.user_agent.string,
            )
            db.session.commit()
            session.clear()  # a new session at login: nothing from before survives
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (POST only, so a link on another site cannot sign an agent out).

    The session record is revoked, so copies of this browser's cookies stop working too.
    """
    if current_user.is_authenticated:
        end_session(current_user.web_session)
        db.session.commit()
    sign_out_this_browser()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def sign_out_this_browser() -> None:
    """Forget the session in this browser, remember cookie included.

    Clear first, then logout_user(): it leaves the mark that deletes the remember cookie in the
    session, and clearing after it would erase that mark (the cookie would sign the browser in
    again on the next page).
    """
    session.clear()
    logout_user()
