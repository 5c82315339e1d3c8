"""The signed-in agent's own account: password, time zone, and the sessions signed in as them."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext, ngettext
from flask_login import current_user, login_required

from supportdesk.accounts.service import set_own_language, set_own_time_zone
from supportdesk.auth import bp
from supportdesk.auth.forms import (
    ChangePasswordForm,
    LanguageForm,
    NotificationPreferencesForm,
    TimeZoneForm,
    language_choices,
    time_zone_choices,
)
from supportdesk.auth.service import change_password
from supportdesk.auth.views import sign_out_this_browser
from supportdesk.db import utcnow
from supportdesk.i18n import DEFAULT, LANGUAGES
from supportdesk.notifications import preferences
from supportdesk.notifications.models import NotificationKind
from supportdesk.sessions.queries import list_live_sessions
from supportdesk.sessions.service import revoke_session, revoke_sessions
from supportdesk.submit import Saved, act, submit
from supportdesk.twofactor.service import status as two_factor_status


def _page(
    form: ChangePasswordForm | None = None,
    *,
    zone_form: TimeZoneForm | None = None,
    language_form: LanguageForm | None = None,
    notifications_form: NotificationPreferencesForm | None = None,
) -> str:
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
    if language_form is None:
        language_form = LanguageForm(data={"language": current_user.language or "en"})
    language_form.language.choices = language_choices()
    return render_template(
        "auth/account.html",
        form=form or ChangePasswordForm(),
        zone_form=zone_form,
        language_form=language_form,
        notifications_form=notifications_form
        or NotificationPreferencesForm.of(preferences.choices(current_user.id), formdata=None),
        notification_kinds=list(NotificationKind),
        now=now,
        sessions=sessions,
        this=current_user.web_session,
        two_factor=two_factor_status(current_user),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account page; POST changes the password (and signs out every other session)."""
    form = ChangePasswordForm()
    return submit(
        form,
        lambda: change_password(current_user, form.current_password.data, form.password.data),
        done=lambda _: Saved(
            gettext("Password changed. Your other sessions are signed out."),
            url_for("auth.account"),
        ),
        page=lambda _: _page(form),
    )


@bp.post("/account/time-zone")
@login_required
def time_zone_update():
    """Save the zone the console shows this agent's times in (empty: the organization's)."""
    form = TimeZoneForm()
    return submit(
        form,
        lambda: set_own_time_zone(current_user, form.time_zone.data),
        done=lambda _: Saved(
            gettext("Times now show in %(zone)s.", zone=current_user.shown_time_zone),
            url_for("auth.account"),
        ),
        page=lambda _: _page(zone_form=form),
    )


@bp.post("/account/language")
@login_required
def language_update():
    """Save the language of this agent's console and of the mail they get."""
    form = LanguageForm()
    return submit(
        form,
        lambda: set_own_language(current_user, form.language.data),
        # Flask-Babel chose this request's language before the change: say it in the new one.
        done=lambda _: Saved(_saved_language(), url_for("auth.account")),
        page=lambda _: _page(language_form=form),
    )


def _saved_language() -> str:
    chosen = current_user.language or DEFAULT
    with force_locale(chosen):
        return gettext("The console now speaks %(language)s.", language=LANGUAGES[chosen])


@bp.post("/account/notifications")
@login_required
def notification_preferences_update():
    """Save which notifications reach this agent in the console and by email."""
    form = NotificationPreferencesForm()
    return submit(
        form,
        lambda: preferences.save(current_user, form.choices()),
        done=lambda _: Saved(
            gettext("Notification preferences saved."),
            url_for("auth.account", _anchor="notifications"),
        ),
        page=lambda _: _page(notifications_form=form),
    )


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def session_revoke(session_id: int):
    """Sign out one session of this agent (CSRFProtect has checked the form's token)."""
    return act(
        lambda: revoke_session(current_user, session_id),
        done=_revoked,
        back=url_for("auth.account"),
    )


def _revoked(record) -> Saved:
    if record.id == current_user.web_session.id:
        sign_out_this_browser()
        return Saved(gettext("You are signed out."), url_for("auth.login"), "info")
    where = record.ip_address or "unknown address"
    return Saved(
        gettext("Signed out %(device)s (%(where)s).", device=record.device, where=where),
        url_for("auth.account"),
    )


@bp.post("/account/sessions/revoke-others")
@login_required
def session_revoke_others():
    """Sign out every other session of this agent; this browser stays signed in."""
    return act(
        lambda: revoke_sessions(current_user, keep=current_user.web_session),
        done=lambda count: Saved(
            ngettext(
                "Signed out %(num)s other session.", "Signed out %(num)s other sessions.", count
            ),
            url_for("auth.account"),
        ),
        back=url_for("auth.account"),
    )
