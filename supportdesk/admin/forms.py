"""Admin forms for agents and teams."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from supportdesk.accounts.models import AssignmentStrategy, Role
from supportdesk.web import Form

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


class AgentForm(Form):
    """Name, email and role of an agent."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="agent")


class NewAgentForm(AgentForm):
    """A new agent also needs a first password (they can be told to change it)."""

    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=1024)])


class TeamForm(Form):
    """A team's name, description and members."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = StringField("Description", validators=[Optional(), Length(max=500)])
    members = SelectMultipleField("Members", coerce=int)
    strategy = SelectField(
        "Assignment",
        choices=[SelectChoice(s.value, s.label) for s in AssignmentStrategy],
        default=AssignmentStrategy.MANUAL.value,
    )


class ConfirmForm(Form):
    """An empty form: a button that only needs the CSRF token."""
