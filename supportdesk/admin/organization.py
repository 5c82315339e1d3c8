"""Admin page of the organization itself: its time zone (emails, and agents who chose none) and
how long its audit log keeps entries."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from supportdesk.accounts.service import update_organization
from supportdesk.admin import bp
from supportdesk.admin.forms import OrganizationForm
from supportdesk.auth.forms import time_zone_choices
from supportdesk.console.access import requires
from supportdesk.submit import Saved, submit


@bp.route("/organization", methods=["GET", "POST"])
@requires("organization.manage")
def organization_edit():
    """Set the organization's time zone and audit log retention."""
    org = current_user.organization
    form = OrganizationForm(
        data={"time_zone": org.time_zone, "audit_retention_days": org.audit_retention_days}
    )
    form.time_zone.choices = time_zone_choices()
    return submit(
        form,
        lambda: update_organization(
            current_user,
            time_zone=form.time_zone.data,
            audit_retention_days=form.audit_retention_days.data,
        ),
        done=lambda _: Saved(
            f"Settings saved: times in {org.time_zone}, audit entries kept "
            f"{org.audit_retention_days} days.",
            url_for("admin.organization_edit"),
        ),
        page=lambda _: render_template("admin/organization.html", form=form, organization=org),
    )
