"""Single sign-on pages: find the organization by address, send the browser to its identity
provider, and finish the sign-in on the way back (supportdesk.sso does the checking).

The pending sign-in (organization, state, nonce, PKCE verifier) waits in the session and is
taken out by the callback, so a callback URL works once: replayed, it meets no pending sign-in.
Every refusal is a sentence on the sign-in page and an entry in the organization's audit log.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import asdict

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from supportdesk.auth import bp
from supportdesk.extensions import db
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.sso import provider
from supportdesk.sso import service as sso
from supportdesk.sso.models import SsoSettings
from supportdesk.sso.provider import Pending, SsoFailure
from supportdesk.submit import commit
from supportdesk.web import CONTENT_SECURITY_POLICY, Form, same_site_path

PENDING_KEY = "sso_pending"
# Which organization this browser last signed in with by SSO: the sign-in page then offers
# "Sign in with <provider>" first. Only a hint (an organization's public slug), never a credential.
REMEMBER_COOKIE = "supportdesk_sso"
REMEMBER_SECONDS = 365 * 24 * 3600


class SsoEmailForm(Form):
    """The work address whose organization's identity provider signs the agent in."""

    email = EmailField(_l("Work email"), validators=[DataRequired(), Email(), Length(max=254)])


def _callback_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso_callback")


@bp.route("/login/sso", methods=["GET", "POST"])
def sso_entry():
    """Ask for the work address; its organization's provider takes over."""
    if current_user.is_authenticated:
        return redirect(url_for("console.queue"))
    form = SsoEmailForm()
    if form.validate_on_submit():
        settings = sso.settings_for_email(form.email.data)
        if settings is not None:
            return _start(settings, login_hint=form.email.data.strip().lower())
        form.email.errors = [
            *form.email.errors,
            "No organization signs in with single sign-on for this address. Sign in with your "
            "password instead.",
        ]
    status = 422 if form.is_submitted() else 200
    return (
        render_template("auth/sso.html", form=form),
        status,
        {"Content-Security-Policy": _entry_policy()},
    )


def _entry_policy() -> str:
    """The page's CSP, with form-action open to https: the form's answer redirects to the
    identity provider, and browsers apply form-action to that redirect. The page shows no
    input of anybody but the visitor, so no injected form can use it."""
    schemes = "https: http:" if current_app.config.get("SSO_ALLOW_HTTP") else "https:"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {schemes}")


@bp.get("/login/sso/<slug>")
def sso_start(slug: str):
    """An organization's direct sign-in link: straight to its identity provider."""
    settings = sso.settings_for_slug(slug)
    if settings is None:
        flash(
            gettext("This single sign-on link is not active. Sign in with your password."), "error"
        )
        return redirect(url_for("auth.login"))
    return _start(settings)


def _start(settings: SsoSettings, *, login_hint: str | None = None):
    pending = Pending.new(settings.organization_id)
    try:
        url = provider.authorization_url(
            settings, pending, redirect_uri=_callback_url(), login_hint=login_hint
        )
    except SsoFailure as failure:
        return _refused(settings.organization_id, failure, email=login_hint)
    session[PENDING_KEY] = {**asdict(pending), "next": request.args.get("next")}
    return redirect(url)


@bp.get("/login/sso/callback")
def sso_callback():
    """The provider sends the browser back here with a code (or an error) and the state."""
    saved = session.pop(PENDING_KEY, None)
    if not saved:
        flash(
            gettext(
                "This single sign-on attempt is unknown or was already used. Start again with "
                "“Sign in with SSO”."
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    next_path = saved.pop("next", None)
    pending = Pending(**saved)
    settings = sso.settings_for(pending.organization_id)
    claims: dict = {}
    try:
        if settings is None or not settings.usable:
            raise SsoFailure("sso_off", "Single sign-on is turned off for this organization.")
        if not hmac.compare_digest(request.args.get("state", ""), pending.state):
            raise SsoFailure(
                "state_mismatch",
                "This sign-in answer does not belong to the sign-in you started (state "
                "mismatch). Start again with “Sign in with SSO”.",
            )
        if request.args.get("error"):
            # The provider's words, shortened; the reason keeps only an error code's characters
            # (it reaches the app log, where a crafted line break must not forge an entry).
            code = re.sub(r"[^A-Za-z0-9_.-]", "", request.args["error"])[:40] or "unknown"
            said = " ".join(request.args.get("error_description", "").split())[:200] or code
            raise SsoFailure(
                f"provider_error:{code}", f"The identity provider did not sign you in ({said})."
            )
        token = provider.exchange_code(
            settings, pending, code=request.args.get("code", ""), redirect_uri=_callback_url()
        )
        claims = provider.verify_id_token(settings, pending, token)
        user = sso.sign_in(
            settings,
            claims,
            address=request.remote_addr or "-",
            user_agent=request.user_agent.string,
        )
        commit()
    except SsoFailure as failure:
        return _refused(pending.organization_id, failure, email=claims.get("email"))
    session.clear()  # a new session at sign-in: nothing from before survives
    login_user(user, remember=False)
    response = redirect(same_site_path(next_path))
    response.set_cookie(
        REMEMBER_COOKIE,
        settings.organization.slug,
        max_age=REMEMBER_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


@bp.app_template_global()
def remembered_sso() -> SsoSettings | None:
    """The usable settings of the organization this browser last signed in with by SSO."""
    slug = request.cookies.get(REMEMBER_COOKIE)
    return sso.settings_for_slug(slug) if slug else None


def _refused(organization_id: int, failure: SsoFailure, *, email: str | None):
    db.session.rollback()
    sso.record_failure(organization_id, failure, email=email, address=request.remote_addr or "-")
    commit()
    flash(failure.message, "error")
    return redirect(url_for("auth.login"))
