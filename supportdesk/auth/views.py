"""Sign-in and sign-out pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from supportdesk.accounts.models import User
from supportdesk.auth import bp, two_factor
from supportdesk.auth.forms import LoginForm
from supportdesk.auth.service import (
    LoginRefused,
    authenticate,
    establish,
    record_failed_sign_in,
    sign_out,
)
from supportdesk.auth.throttle import login_throttle
from supportdesk.extensions import db
from supportdesk.submit import commit, submit
from supportdesk.twofactor.service import is_enabled
from supportdesk.web import same_site_path


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; on success start a fresh session, recorded server-side."""
    if current_user.is_authenticated:
        return redirect(url_for("console.queue"))
    form = LoginForm()
    return submit(
        form,
        lambda: _start_session(form),
        done=lambda user: _signed_in(user, remember=form.remember.data),
        page=lambda _: render_template("auth/login.html", form=form),
    )


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right; the agent has a second factor to enter before any session."""

    user: User


def _start_session(form: LoginForm) -> User | CodeNeeded:
    """The agent with these credentials, with a new session record, or CodeNeeded; a refusal is
    recorded in the audit log in a transaction of its own (the refused one is rolled back)."""
    address = request.remote_addr or "-"
    try:
        user = authenticate(login_throttle(), form.email.data, form.password.data, address)
    except LoginRefused as refusal:
        db.session.rollback()
        record_failed_sign_in(login_throttle(), form.email.data, refusal, address)
        commit()
        raise
    if is_enabled(user):
        return CodeNeeded(user)
    return establish(
        user,
        remember=form.remember.data,
        address=address,
        user_agent=request.user_agent.string,
    )


def _signed_in(result: User | CodeNeeded, *, remember: bool):
    session.clear()  # a new session at login: nothing from before survives
    if isinstance(result, CodeNeeded):
        # No session yet: the code page finds only this note, and every other page sees a
        # signed-out visitor until the code is right.
        two_factor.await_code(result.user, remember=remember, next_path=request.args.get("next"))
        return redirect(url_for("auth.login_code"))
    login_user(result, remember=remember)
    return redirect(same_site_path(request.args.get("next")))


@bp.post("/logout")
def logout():
    """Sign out (POST only, so a link on another site cannot sign an agent out).

    The session record is revoked, so copies of this browser's cookies stop working too.
    """
    if current_user.is_authenticated:
        sign_out(current_user)
        commit()
    sign_out_this_browser()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def sign_out_this_browser() -> None:
    """Forget the session in this browser, remember cookie included.

    Clear first, then logout_user(): it leaves the mark that deletes the remember cookie in the
    session, and clearing after it would erase that mark (the cookie would sign the browser in
    again on the next page).
    """
    session.clear()
    logout_user()
