"""Admin page of the organization itself: its time zone (emails, and agents who chose none)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from supportdesk.accounts.service import set_organization_time_zone
from supportdesk.admin import bp
from supportdesk.admin.forms import OrganizationForm
from supportdesk.auth.forms import time_zone_choices
from supportdesk.console.access import requires
from supportdesk.submit import Saved, submit


@bp.route("/organization", methods=["GET", "POST"])
@requires("organization.manage")
def organization_edit():
    """Set the organization's time zone."""
    org = current_user.organization
    form = OrganizationForm(data={"time_zone": org.time_zone})
    form.time_zone.choices = time_zone_choices()
    return submit(
        form,
        lambda: set_organization_time_zone(current_user, form.time_zone.data),
        done=lambda _: Saved(
            f"The organization's time zone is now {org.time_zone}.",
            url_for("admin.organization_edit"),
        ),
        page=lambda _: render_template("admin/organization.html", form=form, organization=org),
    )
