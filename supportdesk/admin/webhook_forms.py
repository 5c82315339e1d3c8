"""Admin form for webhook endpoints: URL, description and the event types, as checkboxes."""

from __future__ import annotations

from typing import Any

from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from supportdesk.i18n import lazy_gettext as _l
from supportdesk.web import Form
from supportdesk.webhooks.models import EVENT_TYPES

EVENT_CHOICES = [SelectChoice(name, name) for name in EVENT_TYPES]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookEndpointForm(Form):
    """Where to send events and which ones (the service checks the URL's destination)."""

    url = StringField(_l("Endpoint URL"), validators=[DataRequired(), Length(max=2000)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    event_types = CheckboxesField(_l("Events to send"), choices=EVENT_CHOICES)

    def values(self) -> dict[str, Any]:
        """The arguments of webhooks.service.create_endpoint and update_endpoint."""
        return {
            "url": self.url.data,
            "description": self.description.data or "",
            "event_types": self.event_types.data or [],
        }
