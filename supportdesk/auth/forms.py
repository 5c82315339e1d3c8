"""Sign-in form."""

from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from supportdesk.web import Form


class LoginForm(Form):
    """Email and password; 'remember me' keeps the agent signed in for 30 days."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in")
