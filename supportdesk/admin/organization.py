"""Admin page of the organization itself: its time zone (emails, and agents who chose none), how
long its audit log keeps entries, whether agents record the time they spend (time tracking), and
the help center's own host name."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.accounts.service import set_time_tracking, update_organization
from supportdesk.admin import bp
from supportdesk.admin.forms import OrganizationForm
from supportdesk.auth.forms import time_zone_choices
from supportdesk.console.access import requires
from supportdesk.kb.hosts import public_url
from supportdesk.labels import label_of
from supportdesk.mail.outbound.compose import external_url
from supportdesk.submit import Saved, submit
from supportdesk.twofactor.service import set_policy as set_two_factor_policy


@bp.route("/organization", methods=["GET", "POST"])
@requires("organization.manage")
def organization_edit():
    """Set the organization's time zone, audit log retention, time tracking and who must use
    two-factor authentication."""
    org = current_user.organization
    form = OrganizationForm(
        data={
            "time_zone": org.time_zone,
            "audit_retention_days": org.audit_retention_days,
            "time_tracking": org.time_tracking,
            "help_host": org.help_host or "",
            "two_factor_policy": org.two_factor_policy.value,
        }
    )
    form.time_zone.choices = time_zone_choices()

    def save() -> None:
        update_organization(
            current_user,
            time_zone=form.time_zone.data,
            audit_retention_days=form.audit_retention_days.data,
            help_host=form.help_host.data,
        )
        set_time_tracking(current_user, bool(form.time_tracking.data))
        if form.two_factor_policy.data:
            set_two_factor_policy(current_user, form.two_factor_policy.data)

    return submit(
        form,
        save,
        done=lambda _: Saved(
            (
                gettext(
                    "Settings saved: times in %(time_zone)s, audit entries kept %(days)s days, "
                    "time tracking %(tracking)s, two-factor authentication %(two_factor)s, "
                    "help center at %(host)s.",
                    time_zone=org.time_zone,
                    days=org.audit_retention_days,
                    tracking=gettext("on") if org.time_tracking else gettext("off"),
                    two_factor=label_of(org.two_factor_policy, in_sentence=True),
                    host=org.help_host,
                )
                if org.help_host
                else gettext(
                    "Settings saved: times in %(time_zone)s, audit entries kept %(days)s days, "
                    "time tracking %(tracking)s, two-factor authentication %(two_factor)s.",
                    time_zone=org.time_zone,
                    days=org.audit_retention_days,
                    tracking=gettext("on") if org.time_tracking else gettext("off"),
                    two_factor=label_of(org.two_factor_policy, in_sentence=True),
                )
            ),
            url_for("admin.organization_edit"),
        ),
        page=lambda _: render_template(
            "admin/organization.html",
            form=form,
            organization=org,
            help_address=public_url(org, "help.home"),
            app_address=external_url("help.home", org_slug=org.slug),
        ),
    )
