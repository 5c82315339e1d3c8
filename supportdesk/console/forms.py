"""Console forms. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from supportdesk.attachments.service import Upload
from supportdesk.customers.models import Tier
from supportdesk.fields.models import FieldType
from supportdesk.fields.rules import MAX_TEXT, field_name
from supportdesk.i18n import LANGUAGES
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import choices
from supportdesk.params import query_int
from supportdesk.tickets.models import Priority, Status
from supportdesk.web import Form

PRIORITY_CHOICES = choices(Priority)
STATUS_CHOICES = choices(Status)
TIER_CHOICES = choices(Tier)


class FilesMixin:
    """The composer's files: chosen or dropped (`attachments`) and pasted images (`inline_images`).

    The browser cannot give files back after a refused save: the page asks for them again.
    """

    attachments = MultipleFileField(_l("Attach files"))
    inline_images = MultipleFileField(_l("Pasted images"))

    def uploads(self) -> list[Upload]:
        """The sent files as the attachments service takes them."""
        return [
            _upload(f, inline)
            for field, inline in ((self.attachments, False), (self.inline_images, True))
            for f in field.data or []
            if isinstance(f, FileStorage) and f.filename
        ]


def _upload(f: FileStorage, inline: bool) -> Upload:
    return Upload(f.filename or "", f.mimetype or "", f.read(), inline)


def people_choices(agents, *, none_label: str) -> list[SelectChoice]:
    """Select choices for agents or teams, with 0 meaning 'nobody'."""
    return [SelectChoice(0, none_label)] + [SelectChoice(a.id, a.name) for a in agents]


class NewTicketForm(FilesMixin, Form):
    """An agent logs a request on a customer's behalf (phone, chat, walk-in)."""

    customer_email = EmailField(
        _l("Customer email"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    customer_name = StringField(_l("Customer name"), validators=[Optional(), Length(max=200)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(
        _l("What the customer needs"), validators=[DataRequired(), Length(max=100_000)]
    )
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, default="medium")
    team_id = SelectField(_l("Team"), coerce=int, default=0)
    assignee_id = SelectField(_l("Assignee"), coerce=int, default=0)
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)])

    def values(self) -> dict[str, Any]:
        """The arguments of tickets.service.open_ticket, from the submitted fields."""
        return {
            "customer_email": self.customer_email.data,
            "customer_name": self.customer_name.data or "",
            "subject": self.subject.data,
            "body": self.body.data,
            "priority": Priority(self.priority.data),
            "assignee_id": self.assignee_id.data or None,
            "team_id": self.team_id.data or None,
            "attachments": self.uploads(),
            "tags": self.tags.data or "",
        }


class TicketPropertiesForm(Form):
    """Status, priority, assignment, subject and tags, saved against the version shown."""

    version = HiddenField(validators=[InputRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES)
    assignee_id = SelectField(_l("Assignee"), coerce=int)
    team_id = SelectField(_l("Team"), coerce=int)
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)])
    # "1" when the page showed the custom field inputs: an unticked box sends nothing, so a
    # post without them (an older page) must not read as "clear every field".
    fields_shown = HiddenField()

    def validate_version(self, field) -> None:
        if not str(field.data).isdigit():
            raise ValidationError("Reload the ticket and try again.")

    def values(self) -> dict[str, Any]:
        """The arguments of tickets.service.update_ticket, from the submitted fields."""
        shown = self.fields_shown.data == "1"
        return {
            "expected_version": int(self.version.data),
            "subject": self.subject.data,
            "tags": self.tags.data or "",
            "status": Status(self.status.data),
            "priority": Priority(self.priority.data),
            "assignee_id": self.assignee_id.data or None,
            "team_id": self.team_id.data or None,
            "custom_fields": {
                name.removeprefix(PREFIX): self[name].data
                for name in (self.custom_names() if shown else ())
            },
        }

    def custom_names(self) -> list[str]:
        """The names of the custom field inputs (`custom_fields.<key>`), in order."""
        return [name for name in self._fields if name.startswith(PREFIX)]

    def edits(self, seen: dict[str, Any]) -> dict[str, Any]:
        """The values this agent set, leaving out every field a colleague changed meanwhile
        (`seen`, from StaleTicket.values_seen): those show the colleague's value, marked, so the
        agent decides again there; every other edit is kept, so nothing typed is lost."""
        names = ("subject", "status", "priority", "assignee_id", "team_id", "tags")
        return {
            name: self[name].data for name in (*names, *self.custom_names()) if name not in seen
        }


PREFIX = "custom_fields."


def _custom_input(spec) -> Any:
    """The form input of one custom field; its value is checked by supportdesk.fields.rules."""
    kind, label = spec.type, spec.label
    if kind is FieldType.CHECKBOX:
        return BooleanField(label)
    if kind is FieldType.SELECT:
        choices = [SelectChoice("", "—"), *(SelectChoice(o, o) for o in spec.options)]
        return SelectField(label, choices=choices, validate_choice=False, coerce=str)
    if kind is FieldType.MULTISELECT:
        return SelectMultipleField(
            label,
            choices=[SelectChoice(o, o) for o in spec.options],
            validate_choice=False,
            coerce=str,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )
    render = {"date": {"type": "date"}, "number": {"inputmode": "decimal"}}.get(kind.value, {})
    return StringField(label, validators=[Optional(), Length(max=MAX_TEXT)], render_kw=render)


def properties_form(specs) -> type[TicketPropertiesForm]:
    """TicketPropertiesForm with an input per active custom field, named `custom_fields.<key>`
    as the rules name them (a refused value lands beside its input)."""
    inputs = {field_name(s.key): _custom_input(s) for s in specs if not s.archived}
    return type("TicketPropertiesForm", (TicketPropertiesForm,), inputs)


def custom_data(specs, values: dict) -> dict[str, Any]:
    """The custom field inputs' initial data from a ticket's stored values."""
    data = {}
    for spec in specs:
        value = values.get(spec.key)
        if spec.type is FieldType.MULTISELECT:
            value = value or []
        elif spec.type is FieldType.CHECKBOX:
            value = bool(value)
        elif value is not None:
            value = str(value)
        data[field_name(spec.key)] = value
    return data


class MessageForm(FilesMixin, Form):
    """The composer: a public reply or an internal note (its mode switch, `kind`), in Markdown.

    The rules on Cc and minutes are the service's (supportdesk.composer.rules); `from_queue` is
    the query string of the queue the agent came from (send and go to the next ticket).
    """

    kind = RadioField(
        _l("Mode"),
        choices=[
            SelectChoice("public", _l("Reply to customer")),
            SelectChoice("internal", _l("Internal note")),
        ],
        default="public",
        validators=[InputRequired()],
    )
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=100_000)])
    cc = StringField(_l("Cc"), validators=[Optional(), Length(max=2000)])
    time_spent_minutes = IntegerField(
        _l("Time spent (minutes)"), validators=[Optional(), NumberRange(min=0, max=24 * 60)]
    )
    from_queue = HiddenField(validators=[Optional(), Length(max=2000)])
    # The newest public message on the page when the composer was shown: a reply sent after a
    # newer one arrived asks first (tickets.service.reply, ReplyCollision).
    last_seen_message_id = HiddenField(validators=[Optional(), Length(max=20)])

    @property
    def internal(self) -> bool:
        """Whether this is an internal note (never sent to the customer)."""
        return self.kind.data == "internal"


class CustomerForm(Form):
    """Create or edit a customer."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    tier = SelectField(_l("Tier"), choices=TIER_CHOICES, default="free")
    language = SelectField(
        _l("Language of their mail"),
        choices=[
            SelectChoice("", "Not known yet (English)"),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
        ],
        default="",
        validate_choice=False,
    )

    def values(self) -> dict[str, Any]:
        """The arguments of customers.service.create_customer and update_customer."""
        return {
            "email": self.email.data,
            "name": self.name.data or "",
            "tier": Tier(self.tier.data),
            "company": self.company.data or "",
            "language": self.language.data or None,
        }


class DeleteTicketForm(Form):
    """The confirmation of a deletion: the version the admin looked at, and why."""

    version = HiddenField(validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (kept in the deletion record)"), validators=[Optional(), Length(max=500)]
    )

    def validate_version(self, field) -> None:
        if query_int(field.data) is None:  # ASCII digits within int4, as the column holds
            raise ValidationError("Reload the ticket and try again.")


def _version_given(form, field) -> None:
    if query_int(field.data) is None:  # ASCII digits within int4, as the column holds
        raise ValidationError("Reload the ticket and try again.")


class MergeTicketForm(Form):
    """The confirmation of a merge: the ticket to merge into and both versions looked at."""

    into = StringField(_l("Merge into ticket number"), validators=[DataRequired()])
    version = HiddenField(validators=[InputRequired(), _version_given])
    into_version = HiddenField(validators=[InputRequired(), _version_given])

    def validate_into(self, field) -> None:
        if query_int(str(field.data).strip().lstrip("#")) is None:
            raise ValidationError("Enter a ticket number, e.g. 118.")

    def values(self) -> dict[str, int]:
        """The target's number and the versions, as the merge service takes them."""
        return {
            "into": int(str(self.into.data).strip().lstrip("#")),
            "expected_version": int(self.version.data),
            "target_version": int(self.into_version.data),
        }


class SplitMessageForm(Form):
    """The confirmation of a split: the new ticket's subject and the version looked at."""

    subject = StringField(_l("Subject of the new ticket"), validators=[Optional(), Length(max=300)])
    version = HiddenField(validators=[InputRequired(), _version_given])
