"""Admin page of the organization itself: its time zone (emails, and agents who chose none)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from supportdesk.accounts.service import set_organization_time_zone
from supportdesk.admin import bp
from supportdesk.admin.forms import OrganizationForm
from supportdesk.auth.forms import time_zone_choices
from supportdesk.console.access import requires
from supportdesk.console.forms import apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db


@bp.route("/organization", methods=["GET", "POST"])
@requires("organization.manage")
def organization_edit():
    """Set the organization's time zone."""
    org = current_user.organization
    form = OrganizationForm(data={"time_zone": org.time_zone})
    form.time_zone.choices = time_zone_choices()
    status = 200
    if form.validate_on_submit():
        try:
            set_organization_time_zone(current_user, form.time_zone.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
            status = exc.status
        else:
            flash(f"The organization's time zone is now {org.time_zone}.", "success")
            return redirect(url_for("admin.organization_edit"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/organization.html", form=form, organization=org), status
