"""Pages reached from emailed links, and the one that mails them: forgot password, reset
password, accept an invitation. Open to signed-out visitors; the link's secret is the key."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_babel import gettext

from supportdesk.accounts import invitations, resets
from supportdesk.auth import bp
from supportdesk.auth.forms import AcceptInvitationForm, ForgotPasswordForm, NewPasswordForm
from supportdesk.auth.throttle import login_throttle
from supportdesk.errors import DomainError
from supportdesk.submit import Saved, submit

SENT = (
    "If an active agent account uses {email}, we sent it a link to choose a new password. "
    "It works once, for {minutes} minutes. Check your inbox (and spam folder)."
)


class TooManyResetRequests(DomainError):
    """Too many reset requests for this address or from this network: the same for every
    address, known or not, so it reveals nothing."""

    status = 429
    code = "too_many_requests"


def _request_reset(form: ForgotPasswordForm) -> None:
    config = current_app.config
    throttle = login_throttle()
    address = request.remote_addr or "-"
    if not (
        throttle.allow("reset-client", address, int(config["RESET_REQUESTS_PER_CLIENT"]))
        and throttle.allow("reset-email", form.email.data, int(config["RESET_REQUESTS_PER_EMAIL"]))
    ):
        raise TooManyResetRequests(
            f"Too many reset requests. Wait {throttle.window // 60} minutes and try again."
        )
    resets.request_reset(form.email.data)


@bp.route("/password/forgot", methods=["GET", "POST"])
def password_forgot():
    """Ask for a reset link. Known and unknown addresses get the very same answer."""
    form = ForgotPasswordForm()
    return submit(
        form,
        lambda: _request_reset(form),
        done=lambda _: Saved(
            SENT.format(
                email=form.email.data,
                minutes=current_app.config["PASSWORD_RESET_MINUTES"],
            ),
            url_for("auth.login"),
            "info",
        ),
        page=lambda _: render_template("auth/password_forgot.html", form=form),
    )


@bp.route("/password/reset/<secret>", methods=["GET", "POST"])
def password_reset(secret: str):
    """Choose a new password from a reset link (once; every session of the agent ends)."""
    try:
        reset = resets.usable_reset(secret)
    except resets.LinkInvalid as exc:
        return _dead_link(exc)
    form = NewPasswordForm()
    return submit(
        form,
        lambda: resets.complete_reset(secret, form.password.data),
        done=lambda user: Saved(
            gettext(
                "Your password is changed and every session of yours is signed out. "
                "Sign in with the new password. Your API tokens still work."
            ),
            url_for("auth.login"),
        ),
        page=lambda _: render_template("auth/password_reset.html", form=form, reset=reset),
    )


@bp.route("/invitations/<secret>", methods=["GET", "POST"])
def invitation_accept(secret: str):
    """Accept an invitation: choose a name and password; the agent exists from then on."""
    try:
        invitation = invitations.usable_invitation(secret)
    except resets.LinkInvalid as exc:
        return _dead_link(exc)
    form = AcceptInvitationForm(data={"name": invitation.name})
    return submit(
        form,
        lambda: invitations.accept(secret, name=form.name.data, password=form.password.data),
        done=lambda user: Saved(
            gettext(
                "Welcome to %(organization)s! Sign in as %(email)s.",
                organization=invitation.organization.name,
                email=user.email,
            ),
            url_for("auth.login"),
        ),
        page=lambda _: render_template(
            "auth/invitation_accept.html", form=form, invitation=invitation
        ),
    )


def _dead_link(exc: DomainError):
    return render_template("auth/link_dead.html", message=exc.message), exc.status
