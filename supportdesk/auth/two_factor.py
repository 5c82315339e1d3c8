"""Two-factor pages: the code step of signing in, and the agent's own set-up, recovery codes and
turning it off. Plus the gate that keeps agents the organization requires it of, and who have
not set it up, on the set-up page.

Between a right password and a right code there is no session: the signed cookie holds only a
note (PENDING: which agent, "keep me signed in", where to go, until when), which no page but the
code page reads. Recovery codes are shown in the answer to the POST that made them, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user

from supportdesk.accounts.models import User
from supportdesk.auth import bp
from supportdesk.auth.forms import CodeForm
from supportdesk.auth.service import establish
from supportdesk.auth.throttle import login_throttle
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.submit import Saved, commit, submit
from supportdesk.twofactor import service
from supportdesk.web import same_site_path

T = TypeVar("T")
PENDING = "two_factor_pending"
# Pages an agent who must set up two factors can still reach (the set-up itself, signing out).
OPEN_WHILE_ENROLLING = frozenset({"auth.two_factor_setup", "auth.logout", "auth.login"})
GATED_BLUEPRINTS = ("console.", "admin.", "auth.")


def await_code(user: User, *, remember: bool, next_path: str | None) -> None:
    """Note in this browser's (fresh) session that `user` gave the right password."""
    seconds = int(current_app.config["TWO_FACTOR_PENDING_SECONDS"])
    session[PENDING] = {
        "user": user.id,
        "remember": bool(remember),
        "next": same_site_path(next_path),
        "until": int(utcnow().timestamp()) + seconds,
    }


def _pending() -> tuple[User, dict] | None:
    """The agent waiting for their code in this browser, if the note is still good."""
    note = session.get(PENDING)
    if not isinstance(note, dict) or int(note.get("until", 0)) < utcnow().timestamp():
        return None
    user = db.session.get(User, note.get("user"))
    if user is None or not user.active or not service.is_enabled(user):
        return None
    return user, note


def _keeping_failures(run: Callable[[], T]) -> T:
    """Run a code check; a refused code's audit entry is committed before the rollback."""
    try:
        return run()
    except service.CodeRefused:
        commit()
        raise


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in: a code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("console.queue"))
    waiting = _pending()
    if waiting is None:
        session.pop(PENDING, None)
        flash(gettext("Sign in again: the time to enter the code ran out."), "info")
        return redirect(url_for("auth.login"))
    user, note = waiting
    form = CodeForm()

    def check() -> str:
        how = _keeping_failures(
            lambda: service.check_code(login_throttle(), user, form.code.data, purpose="sign_in")
        )
        establish(
            user,
            remember=note["remember"],
            address=request.remote_addr or "-",
            user_agent=request.user_agent.string,
            second_factor=how,
        )
        return how

    return submit(
        form,
        check,
        done=lambda how: _signed_in(user, note, how),
        page=lambda _: render_template("auth/login_code.html", form=form, user=user),
    )


def _signed_in(user: User, note: dict, how: str):
    session.clear()
    login_user(user, remember=note["remember"])
    if how == "recovery_code":
        left = service.status(user).recovery_codes_left
        flash(
            gettext(
                "You signed in with a recovery code; %(left)s left. If your phone is lost, set up "
                "two-factor authentication again, or make new recovery codes.",
                left=left,
            ),
            "info",
        )
    return redirect(same_site_path(note.get("next")))


@bp.get("/account/two-factor")
@login_required
def two_factor_page():
    """The agent's two-factor state: set up, new recovery codes, turn off."""
    return _status_page()


def _status_page(regenerate: CodeForm | None = None, disable: CodeForm | None = None):
    return render_template(
        "auth/two_factor.html",
        status=service.status(current_user),
        regenerate_form=regenerate or CodeForm(prefix="regenerate", formdata=None),
        disable_form=disable or CodeForm(prefix="disable", formdata=None),
    )


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Scan the QR code (or type the key), then confirm with a code; shows the recovery codes."""
    if service.is_enabled(current_user):
        flash(gettext("Two-factor authentication is already on."), "info")
        return redirect(url_for("auth.two_factor_page"))
    factor = service.start_enrolment(current_user)
    commit()  # the same secret on every reload, until confirmed
    form = CodeForm()
    return submit(
        form,
        lambda: _keeping_failures(
            lambda: service.confirm_enrolment(login_throttle(), current_user, form.code.data)
        ),
        done=lambda codes: _codes_page(codes, first=True),
        page=lambda _: render_template(
            "auth/two_factor_setup.html",
            form=form,
            enrolment=service.enrolment(current_user, factor),
            required=service.is_required(current_user),
        ),
    )


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes_regenerate():
    """New recovery codes (after a code from the app); the old ones stop working."""
    form = CodeForm(prefix="regenerate")
    return submit(
        form,
        lambda: _keeping_failures(
            lambda: service.regenerate_recovery_codes(
                login_throttle(), current_user, form.code.data
            )
        ),
        done=lambda codes: _codes_page(codes, first=False),
        page=lambda _: _status_page(regenerate=form),
    )


@bp.post("/account/two-factor/disable")
@login_required
def two_factor_disable():
    """Turn two-factor authentication off (a code or a recovery code confirms it)."""
    form = CodeForm(prefix="disable")
    return submit(
        form,
        lambda: _keeping_failures(
            lambda: service.disable(login_throttle(), current_user, form.code.data)
        ),
        done=lambda _: Saved(
            gettext("Two-factor authentication is off. Signing in asks for your password only."),
            url_for("auth.two_factor_page"),
            "info",
        ),
        page=lambda _: _status_page(disable=form),
    )


def _codes_page(codes: list[str], *, first: bool):
    return render_template("auth/recovery_codes.html", codes=codes, first=first)


@bp.before_app_request
def require_enrolment():
    """Agents the organization requires two factors of, without them, see only the set-up page,
    which says why (API tokens are separate credentials and are not gated: see the README)."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_WHILE_ENROLLING or not endpoint.startswith(GATED_BLUEPRINTS):
        return None
    if not current_user.is_authenticated or not service.must_enrol(current_user):
        return None
    flash(
        gettext("Your organization requires two-factor authentication. Set it up to continue."),
        "info",
    )
    return redirect(url_for("auth.two_factor_setup"))
