"""Admin form for the CRM connection: provider, where, credentials (write-only), mapping, timeline."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from supportdesk.admin.webhook_forms import CheckboxesField
from supportdesk.crm import mapping
from supportdesk.crm.models import CrmConnection, Provider
from supportdesk.crm.service import TIMELINE_EVENTS, TIMELINE_OBJECTS
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.web import Form

DIRECTION_CHOICES = [SelectChoice(value, label) for value, label in mapping.DIRECTIONS.items()]
MASTER_CHOICES = [SelectChoice(value, label) for value, label in mapping.MASTERS.items()]


class CrmConnectionForm(Form):
    """The connection's settings. Secret fields are never filled in: empty keeps the stored one."""

    provider = SelectField(_l("CRM"), choices=[SelectChoice(p.value, p.label) for p in Provider])
    base_url = StringField(_l("API address"), validators=[Optional(), Length(max=500)])
    access_token = PasswordField(
        _l("Private app access token"), validators=[Optional(), Length(max=2000)]
    )
    webhook_secret = PasswordField(
        _l("App client secret (webhooks)"), validators=[Optional(), Length(max=2000)]
    )
    client_id = StringField(
        _l("Consumer key (client id)"), validators=[Optional(), Length(max=300)]
    )
    client_secret = PasswordField(_l("Consumer secret"), validators=[Optional(), Length(max=2000)])
    refresh_token = PasswordField(_l("Refresh token"), validators=[Optional(), Length(max=2000)])
    company_property = StringField(
        _l("Company ⇄ CRM property"), validators=[Optional(), Length(max=100)]
    )
    company_direction = SelectField(_l("Company direction"), choices=DIRECTION_CHOICES)
    company_master = SelectField(_l("Company: wins a conflict"), choices=MASTER_CHOICES)
    tier_property = StringField(_l("Tier ⇄ CRM property"), validators=[Optional(), Length(max=100)])
    tier_direction = SelectField(_l("Tier direction"), choices=DIRECTION_CHOICES)
    tier_master = SelectField(_l("Tier: wins a conflict"), choices=MASTER_CHOICES)
    timeline_events = CheckboxesField(
        _l("Ticket events on the contact's timeline"),
        choices=[SelectChoice(e, e) for e in TIMELINE_EVENTS],
    )
    timeline_object = SelectField(
        _l("Salesforce record for ticket events"),
        choices=[SelectChoice(o, o) for o in TIMELINE_OBJECTS],
    )
    enabled = BooleanField(_l("Sync is on"))

    @staticmethod
    def initial(connection: CrmConnection | None) -> dict[str, Any]:
        """The form's values for a GET (strings, so the selects show the stored choice)."""
        provider = connection.provider if connection else Provider.HUBSPOT
        field_map = (connection.field_map if connection else None) or mapping.defaults(provider)
        return {
            "provider": provider.value,
            "base_url": connection.base_url if connection else "",
            "client_id": connection.client_id if connection else "",
            "company_property": field_map["company"]["property"],
            "company_direction": field_map["company"]["direction"],
            "company_master": mapping.master(field_map, "company"),
            "tier_property": field_map["tier"]["property"],
            "tier_direction": field_map["tier"]["direction"],
            "tier_master": mapping.master(field_map, "tier"),
            "timeline_events": connection.timeline_events if connection else list(TIMELINE_EVENTS),
            "timeline_object": connection.timeline_object if connection else "Task",
            "enabled": connection.enabled if connection else True,
        }

    def values(self) -> dict[str, Any]:
        """The arguments of crm.service.save_connection."""
        return {
            "provider": self.provider.data,
            "base_url": self.base_url.data or "",
            "access_token": self.access_token.data or "",
            "client_id": self.client_id.data or "",
            "client_secret": self.client_secret.data or "",
            "refresh_token": self.refresh_token.data or "",
            "webhook_secret": self.webhook_secret.data or "",
            "field_map": {
                "company": {
                    "property": self.company_property.data or "",
                    "direction": self.company_direction.data,
                    "master": self.company_master.data,
                },
                "tier": {
                    "property": self.tier_property.data or "",
                    "direction": self.tier_direction.data,
                    "master": self.tier_master.data,
                },
            },
            "timeline_events": self.timeline_events.data or [],
            "timeline_object": self.timeline_object.data,
            "enabled": bool(self.enabled.data),
        }
