"""Sign-in form."""

from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from supportdesk.sessions.policy import REMEMBER_DAYS
from supportdesk.web import Form


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
