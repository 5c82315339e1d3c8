"""Admin forms for agents, teams and the organization."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from supportdesk.accounts.models import AssignmentStrategy, Role, TwoFactorPolicy
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import choices
from supportdesk.web import Form

ROLE_CHOICES = choices(Role)


class AgentForm(Form):
    """Name, email and role of an agent."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="agent")

    def values(self) -> dict[str, Any]:
        """The arguments of accounts.service.update_agent, from the submitted fields."""
        return {"name": self.name.data, "email": self.email.data, "role": Role(self.role.data)}


class NewAgentForm(AgentForm):
    """A new agent also needs a first password (they can be told to change it)."""

    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=1024)])

    def values(self) -> dict[str, Any]:
        """The arguments of accounts.service.create_agent, from the submitted fields."""
        return {**super().values(), "password": self.password.data}


class InviteForm(Form):
    """Who to invite: their address, name, role and teams (they choose their password)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="agent")
    teams = SelectMultipleField(_l("Teams"), coerce=int)

    def values(self) -> dict[str, Any]:
        """The arguments of accounts.invitations.invite."""
        return {
            "name": self.name.data,
            "email": self.email.data,
            "role": Role(self.role.data),
            "team_ids": self.teams.data or [],
        }


class TeamForm(Form):
    """A team's name, description and members."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    members = SelectMultipleField(_l("Members"), coerce=int)
    strategy = SelectField(
        _l("Assignment"),
        choices=choices(AssignmentStrategy),
        default=AssignmentStrategy.MANUAL.value,
    )

    def values(self) -> dict[str, Any]:
        """The arguments of accounts.service.create_team and update_team."""
        return {
            "name": self.name.data,
            "description": self.description.data or "",
            "member_ids": self.members.data or [],
            "strategy": AssignmentStrategy(self.strategy.data),
        }


class ConfirmForm(Form):
    """An empty form: a button that only needs the CSRF token."""


class AddressForm(Form):
    """A support address to add."""

    address = EmailField(_l("New address"), validators=[DataRequired(), Email(), Length(max=254)])


class NotificationSettingsForm(Form):
    """Which notifications go out, and how the emails look."""

    ticket_acknowledged = BooleanField(_l("New ticket: acknowledge the customer's request"))
    agent_replied = BooleanField(_l("Agent reply: email the public reply to the customer"))
    ticket_resolved = BooleanField(_l("Resolved: tell the customer (they can reply to reopen)"))
    ticket_assigned = BooleanField(_l("Assigned: tell the agent a ticket was assigned to them"))
    customer_replied = BooleanField(_l("Customer reply: tell the ticket's assignee"))
    sender_name = StringField(_l("Sender name"), validators=[Optional(), Length(max=100)])
    accent_color = StringField(_l("Accent colour"), validators=[DataRequired(), Length(max=7)])
    logo_url = StringField(_l("Logo URL (https)"), validators=[Optional(), Length(max=500)])
    footer_text = TextAreaField(_l("Signature / footer"), validators=[Optional(), Length(max=1000)])


class OrganizationForm(Form):
    """The organization's time zone and audit retention. The service checks both (field errors)."""

    time_zone = SelectField(_l("Time zone"), validate_choice=False)
    audit_retention_days = IntegerField(
        _l("Keep audit log entries for (days)"), validators=[InputRequired()]
    )
    time_tracking = BooleanField(_l("Agents record the minutes spent on each reply and note"))
    # The service checks and normalizes it (a field error); empty: none.
    help_host = StringField(_l("Help center host name"))
    two_factor_policy = SelectField(
        _l("Two-factor authentication"),
        choices=choices(TwoFactorPolicy),
        validate_choice=False,  # the service checks it (a field error); absent: unchanged
    )
