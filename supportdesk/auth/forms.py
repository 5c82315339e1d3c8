"""Sign-in and account forms."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from supportdesk.localtime import time_zones
from supportdesk.sessions.policy import REMEMBER_DAYS
from supportdesk.web import Form


def time_zone_choices(follow: str | None = None) -> list[SelectChoice]:
    """Every zone of the list; with `follow`, first an empty choice that follows that zone."""
    choices = [SelectChoice(zone, zone.replace("_", " ")) for zone in time_zones()]
    if follow is not None:
        choices.insert(0, SelectChoice("", f"The organization's zone ({follow})"))
    return choices


class LoginForm(Form):
    """Email and password; 'remember me' keeps the agent signed in for REMEMBER_DAYS days."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(f"Keep me signed in for {REMEMBER_DAYS} days")


class ChangePasswordForm(Form):
    """The agent's current password, then the new one twice."""

    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two entries differ.")],
    )


class ForgotPasswordForm(Form):
    """The address to mail a reset link to (the answer is the same whether it is an agent's)."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(Form):
    """A new password, twice (reset link)."""

    password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two entries differ.")],
    )


class AcceptInvitationForm(NewPasswordForm):
    """The invited agent's name as they want it shown, and their first password."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])


class TimeZoneForm(Form):
    """The zone this agent reads times in. The service checks it (unknown zone: field error)."""

    time_zone = SelectField("Time zone", validate_choice=False)
