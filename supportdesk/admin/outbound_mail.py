"""Admin mail pages: problem mail with "Retry now", an email's preview, notification settings."""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.forms import ConfirmForm, NotificationSettingsForm
from supportdesk.console.access import requires
from supportdesk.mail.outbound import queries, service
from supportdesk.mail.outbound.models import Notification
from supportdesk.mail.outbound.service import EmailNotFound
from supportdesk.submit import Saved, act, submit

# The HTML part is served alone, in a sandboxed frame of our own page, with no script, no
# same-origin rights and only https/data images: a rendered email can do nothing but look.
EMAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "frame-ancestors 'self'; sandbox"
)


@bp.get("/mail")
@requires("mail.manage")
def mail_list():
    """Deferred and failed mail, newest first, plus the latest emails sent."""
    org = current_user.organization_id
    return render_template(
        "admin/mail.html",
        problems=queries.problem_mail(org),
        recent=queries.recent_mail(org),
        confirm=ConfirmForm(),
    )


@bp.post("/mail/<int:email_id>/retry")
@requires("mail.manage")
def mail_retry(email_id: int):
    """Queue a deferred or failed email again, now."""
    return act(
        lambda: service.retry_email(current_user, email_id),
        done=lambda email: Saved(
            gettext("The email to %(to_address)s is queued again.", to_address=email.to_address),
            url_for("admin.mail_list"),
        ),
        back=url_for("admin.mail_list"),
    )


@bp.get("/mail/<int:email_id>")
def mail_show(email_id: int):
    """Preview one email: headers, attempts, the text part and the HTML part in a sandbox."""
    email = queries.readable_email(current_user, email_id)
    return render_template(
        "admin/mail_show.html",
        email=email,
        attempts=queries.attempts(current_user.organization_id, email_id),
        confirm=ConfirmForm(),
    )


@bp.get("/mail/<int:email_id>/html")
def mail_html(email_id: int):
    """The email's HTML part alone, under a policy that lets it do nothing but render."""
    email = queries.readable_email(current_user, email_id)
    if email.body_hidden:
        raise EmailNotFound()
    response = Response(email.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/notifications", methods=["GET", "POST"])
@requires("notifications.manage")
def notification_settings():
    """Switch each notification on or off and brand the emails."""
    form = NotificationSettingsForm(obj=service.settings_for(current_user.organization_id))
    return submit(
        form,
        lambda: service.update_settings(current_user, **form.data),
        done=lambda _: Saved(
            gettext("Notification settings saved."), url_for("admin.notification_settings")
        ),
        page=lambda _: render_template(
            "admin/notifications.html", form=form, notifications=list(Notification)
        ),
    )
