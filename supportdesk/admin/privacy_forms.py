"""Forms of the privacy pages: a customer's email, the erasure confirmation, retention policy."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import choices
from supportdesk.privacy.models import ClosedTicketAction
from supportdesk.web import Form


class CustomerEmailForm(Form):
    """The customer to export or erase, by email."""

    email = EmailField(_l("Customer email"), validators=[DataRequired(), Length(max=254)])


class EraseForm(Form):
    """The customer to erase and their email typed again, as the confirmation."""

    email = EmailField(_l("Customer email"), validators=[DataRequired(), Length(max=254)])
    confirmation = StringField(
        _l("Type the customer's email address to confirm"), validators=[DataRequired()]
    )


class RetentionForm(Form):
    """An organization's retention policy (the service checks the ranges: field errors)."""

    enabled = BooleanField(_l("Apply this policy every hour"))
    closed_ticket_action = SelectField(
        _l("Closed tickets"),
        choices=choices(ClosedTicketAction),
        default=ClosedTicketAction.OFF.value,
    )
    closed_ticket_days = IntegerField(_l("… once closed for (days)"), validators=[Optional()])
    inbound_mail_days = IntegerField(
        _l("Purge the raw bytes of received mail after (days; empty: keep)"),
        validators=[Optional()],
    )
    export_days = IntegerField(
        _l("Delete customers' data exports after (days)"), validators=[Optional()]
    )
