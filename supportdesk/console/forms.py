"""Console forms. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
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

from supportdesk.customers.models import Tier
from supportdesk.errors import DomainError
from supportdesk.params import query_int
from supportdesk.tickets.models import Priority, Status
from supportdesk.tickets.service import parse_tags
from supportdesk.web import Form

PRIORITY_CHOICES = [SelectChoice(p.value, p.label) for p in Priority]
STATUS_CHOICES = [SelectChoice(s.value, s.label) for s in Status]
TIER_CHOICES = [SelectChoice(t.value, t.label) for t in Tier]


def people_choices(agents, *, none_label: str) -> list[SelectChoice]:
    """Select choices for agents or teams, with 0 meaning 'nobody'."""
    return [SelectChoice(0, none_label)] + [SelectChoice(a.id, a.name) for a in agents]


class NewTicketForm(Form):
    """An agent logs a request on a customer's behalf (phone, chat, walk-in)."""

    customer_email = EmailField(
        "Customer email", validators=[DataRequired(), Email(), Length(max=254)]
    )
    customer_name = StringField("Customer name", validators=[Optional(), Length(max=200)])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(
        "What the customer needs", validators=[DataRequired(), Length(max=100_000)]
    )
    priority = SelectField("Priority", choices=PRIORITY_CHOICES, default="medium")
    team_id = SelectField("Team", coerce=int, default=0)
    assignee_id = SelectField("Assignee", coerce=int, default=0)
    tags = StringField("Tags", validators=[Optional(), Length(max=1000)])

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
            "tags": self.tags.data or "",
        }


class TicketPropertiesForm(Form):
    """Status, priority, assignment, subject and tags, saved against the version shown."""

    version = HiddenField(validators=[InputRequired()])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300)])
    status = SelectField("Status", choices=STATUS_CHOICES)
    priority = SelectField("Priority", choices=PRIORITY_CHOICES)
    assignee_id = SelectField("Assignee", coerce=int)
    team_id = SelectField("Team", coerce=int)
    tags = StringField("Tags", validators=[Optional(), Length(max=1000)])

    def validate_version(self, field) -> None:
        if not str(field.data).isdigit():
            raise ValidationError("Reload the ticket and try again.")

    def values(self) -> dict[str, Any]:
        """The arguments of tickets.service.update_ticket, from the submitted fields."""
        return {
            "expected_version": int(self.version.data),
            "subject": self.subject.data,
            "tags": self.tags.data or "",
            "status": Status(self.status.data),
            "priority": Priority(self.priority.data),
            "assignee_id": self.assignee_id.data or None,
            "team_id": self.team_id.data or None,
        }

    def edits(self, seen: dict[str, Any]) -> dict[str, Any]:
        """The values this agent set, leaving out fields still as they saw them (`seen`, from
        StaleTicket.values_seen): a colleague's newer value must win there."""
        edits = {}
        for name in ("subject", "status", "priority", "assignee_id", "team_id", "tags"):
            value = self[name].data
            if name not in seen or not _same_value(name, value, seen[name]):
                edits[name] = value
        return edits


def _same_value(name: str, submitted: Any, seen: Any) -> bool:
    if name in ("assignee_id", "team_id"):
        return (submitted or None) == seen
    if name == "tags":
        try:
            return sorted(parse_tags(submitted or "")) == sorted(seen or [])
        except DomainError:
            return False
    return submitted == seen


class MessageForm(Form):
    """The composer: a public reply or an internal note (its mode switch, `kind`), in Markdown.

    The rules on Cc and minutes are the service's (supportdesk.composer.rules); `from_queue` is
    the query string of the queue the agent came from (send and go to the next ticket).
    """

    kind = RadioField(
        "Mode",
        choices=[
            SelectChoice("public", "Reply to customer"),
            SelectChoice("internal", "Internal note"),
        ],
        default="public",
        validators=[InputRequired()],
    )
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=100_000)])
    cc = StringField("Cc", validators=[Optional(), Length(max=2000)])
    time_spent_minutes = IntegerField(
        "Time spent (minutes)", validators=[Optional(), NumberRange(min=0, max=24 * 60)]
    )
    from_queue = HiddenField(validators=[Optional(), Length(max=2000)])

    @property
    def internal(self) -> bool:
        """Whether this is an internal note (never sent to the customer)."""
        return self.kind.data == "internal"


class CustomerForm(Form):
    """Create or edit a customer."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    company = StringField("Company", validators=[Optional(), Length(max=200)])
    tier = SelectField("Tier", choices=TIER_CHOICES, default="free")

    def values(self) -> dict[str, Any]:
        """The arguments of customers.service.create_customer and update_customer."""
        return {
            "email": self.email.data,
            "name": self.name.data or "",
            "tier": Tier(self.tier.data),
            "company": self.company.data or "",
        }


class DeleteTicketForm(Form):
    """The confirmation of a deletion: the version the admin looked at, and why."""

    version = HiddenField(validators=[InputRequired()])
    reason = TextAreaField(
        "Reason (kept in the deletion record)", validators=[Optional(), Length(max=500)]
    )

    def validate_version(self, field) -> None:
        if query_int(field.data) is None:  # ASCII digits within int4, as the column holds
            raise ValidationError("Reload the ticket and try again.")
