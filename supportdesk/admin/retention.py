"""Admin page of the retention policy: edit it, preview what a run would remove, enable it."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.privacy_forms import RetentionForm
from supportdesk.console.access import requires
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.privacy import retention
from supportdesk.privacy.models import RetentionPolicy
from supportdesk.submit import Saved, show_error, submit


def _form_values(form: RetentionForm) -> dict:
    return {
        "enabled": form.enabled.data,
        "closed_ticket_action": form.closed_ticket_action.data,
        "closed_ticket_days": form.closed_ticket_days.data,
        "inbound_mail_days": form.inbound_mail_days.data,
        "export_days": form.export_days.data,
    }


@bp.route("/retention", methods=["GET", "POST"])
@requires("retention.manage")
def retention_edit():
    """The policy form; "Preview" shows what the values in the form would remove, saving nothing."""
    policy = retention.policy_for(current_user.organization_id)
    form = RetentionForm(
        data={
            "enabled": policy.enabled,
            "closed_ticket_action": policy.closed_ticket_action.value,
            "closed_ticket_days": policy.closed_ticket_days,
            "inbound_mail_days": policy.inbound_mail_days,
            "export_days": policy.export_days,
        }
    )
    previewing = request.method == "POST" and "preview" in request.form

    def page(_, shown: RetentionPolicy | None = None):
        return render_template(
            "admin/retention.html",
            form=form,
            policy=policy,
            rules=retention.preview(shown or policy),
            previewing=shown is not None,
            audit_days=current_user.organization.audit_retention_days,
        )

    if previewing and form.validate():
        try:
            # The form's values on a policy that is thrown away: a preview saves nothing.
            shown = retention.save_policy(current_user, _form_values(form))
            html = page(None, shown)
        except DomainError as exc:
            show_error(form, exc)
            html = page(exc), exc.status
        db.session.rollback()
        return html

    return submit(
        form,
        lambda: retention.save_policy(current_user, _form_values(form)),
        done=lambda saved: Saved(
            gettext("Retention policy saved")
            + (" and enabled." if saved.enabled else " (not enabled)."),
            url_for("admin.retention_edit"),
        ),
        page=page,
    )
