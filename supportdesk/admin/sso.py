"""Admin page of single sign-on (OpenID Connect): the provider, allowed domains, just-in-time
agents and "SSO only". The client secret is written, never shown again ("set" / "replace")."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from supportdesk.accounts.models import Role
from supportdesk.admin import bp
from supportdesk.console.access import requires
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import choices
from supportdesk.sso.service import JIT_ROLES, save_settings, settings_for
from supportdesk.submit import Saved, submit
from supportdesk.web import Form


class SsoSettingsForm(Form):
    """The organization's OpenID Connect provider and sign-in rules (the service checks them)."""

    enabled = BooleanField(_l("Single sign-on is on"))
    provider_name = StringField(_l("Provider name"), validators=[Length(max=80)])
    issuer = StringField(_l("Issuer URL"), validators=[Length(max=500)])
    client_id = StringField(_l("Client id"), validators=[Length(max=255)])
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=2000)])
    allowed_domains = TextAreaField(_l("Allowed email domains"), validators=[Length(max=4000)])
    jit_enabled = BooleanField(_l("Create an agent on first sign-in (just-in-time)"))
    jit_role = SelectField(
        _l("Role of agents created on first sign-in"),
        choices=choices(JIT_ROLES),
        default=Role.AGENT.value,
    )
    sso_only = BooleanField(_l("SSO only: refuse password sign-in (admins keep it: break-glass)"))


def callback_url() -> str:
    """The redirect URI to register at the provider (one for every organization)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso_callback")


@bp.route("/sso", methods=["GET", "POST"])
@requires("organization.manage")
def sso_edit():
    """Show and save the organization's single sign-on settings."""
    row = settings_for(current_user.organization_id)
    form = SsoSettingsForm(
        data={
            "enabled": row.enabled,
            "provider_name": row.provider_name,
            "issuer": row.issuer,
            "client_id": row.client_id,
            "allowed_domains": "\n".join(row.allowed_domains or []),
            "jit_enabled": row.jit_enabled,
            "jit_role": row.jit_role.value,
            "sso_only": row.sso_only,
        }
        if row is not None
        else None
    )

    def save():
        return save_settings(
            current_user,
            enabled=bool(form.enabled.data),
            provider_name=form.provider_name.data or "",
            issuer=form.issuer.data or "",
            client_id=form.client_id.data or "",
            client_secret=form.client_secret.data,
            allowed_domains=form.allowed_domains.data or "",
            jit_enabled=bool(form.jit_enabled.data),
            jit_role=Role(form.jit_role.data),
            sso_only=bool(form.sso_only.data),
        )

    return submit(
        form,
        save,
        done=lambda saved: Saved(
            gettext("Single sign-on settings saved")
            + (": agents can sign in with SSO." if saved.usable else " (single sign-on is off)."),
            url_for("admin.sso_edit"),
        ),
        page=lambda _: render_template(
            "admin/sso.html",
            form=form,
            settings=row,
            callback_url=callback_url(),
            direct_url=current_app.config["BASE_URL"].rstrip("/")
            + url_for("auth.sso_start", slug=current_user.organization.slug),
            organization=current_user.organization,
        ),
    )
