"""Admin page of the customer portal, the contact form and the satisfaction survey."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from supportdesk.admin import bp
from supportdesk.console.access import requires
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.kb.hosts import public_url
from supportdesk.selfservice import service
from supportdesk.selfservice.service import MAX_DELAY_HOURS
from supportdesk.submit import Saved, submit
from supportdesk.web import Form


class PortalSettingsForm(Form):
    """The organization's self-service switches."""

    company_tickets = BooleanField(_l("Customers see the requests of their whole company"))
    contact_form = BooleanField(_l("The contact form opens tickets"))
    csat_enabled = BooleanField(_l("Ask for a satisfaction rating after each resolution"))
    csat_delay_hours = IntegerField(
        _l("Send the survey after (hours)"),
        validators=[InputRequired(), NumberRange(0, MAX_DELAY_HOURS)],
    )


@bp.route("/portal", methods=["GET", "POST"])
@requires("organization.manage")
def portal_settings():
    """Switch the portal's company view, the contact form and the survey; set its delay."""
    settings = service.settings_for(current_user.organization_id)
    form = PortalSettingsForm(
        data={name: getattr(settings, name) for name in service.SETTINGS_FIELDS}
    )
    org = current_user.organization
    return submit(
        form,
        lambda: service.update_settings(
            current_user, **{name: form[name].data for name in service.SETTINGS_FIELDS}
        ),
        done=lambda _: Saved(
            gettext("Portal and survey settings saved."), url_for("admin.portal_settings")
        ),
        page=lambda _: render_template(
            "admin/portal.html",
            form=form,
            organization=org,
            links={
                name: public_url(org, f"portal.{name}")
                for name in ("sign_in", "contact", "contact_embed")
            },
        ),
    )
