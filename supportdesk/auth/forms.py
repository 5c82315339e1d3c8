"""Sign-in and account forms."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from supportdesk.i18n import LANGUAGES
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.localtime import time_zones
from supportdesk.notifications.models import NotificationKind
from supportdesk.notifications.preferences import EMAIL_KINDS, Choice
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

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in for %(days)s days", days=REMEMBER_DAYS))


class ChangePasswordForm(Form):
    """The agent's current password, then the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two entries differ."))],
    )


class ForgotPasswordForm(Form):
    """The address to mail a reset link to (the answer is the same whether it is an agent's)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(Form):
    """A new password, twice (reset link)."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two entries differ."))],
    )


class AcceptInvitationForm(NewPasswordForm):
    """The invited agent's name as they want it shown, and their first password."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])


class TimeZoneForm(Form):
    """The zone this agent reads times in. The service checks it (unknown zone: field error)."""

    time_zone = SelectField(_l("Time zone"), validate_choice=False)


class LanguageForm(Form):
    """The language of this agent's console and mail. The service checks it (field error)."""

    language = SelectField(_l("Language"), validate_choice=False)


def language_choices() -> list[SelectChoice]:
    """Every language offered, in its own name."""
    return [SelectChoice(code, name) for code, name in LANGUAGES.items()]


class NotificationPreferencesForm(Form):
    """Per notification kind: in the console, and by email (fields `<kind>_in_app`, `<kind>_email`).

    An unchecked box is a no. SLA warnings have no email field (in-app only).
    """

    def choices(self) -> dict[NotificationKind, Choice]:
        return {
            kind: Choice(
                in_app=bool(self[f"{kind.value}_in_app"].data),
                email=kind in EMAIL_KINDS and bool(self[f"{kind.value}_email"].data),
            )
            for kind in NotificationKind
        }

    @classmethod
    def of(cls, saved: dict[NotificationKind, Choice], **kwargs) -> "NotificationPreferencesForm":
        """The form showing `saved` (on GET), or the posted boxes (on POST)."""
        data = {}
        for kind, choice in saved.items():
            data[f"{kind.value}_in_app"] = choice.in_app
            data[f"{kind.value}_email"] = choice.email
        return cls(data=data, **kwargs)


for _kind in NotificationKind:
    setattr(
        NotificationPreferencesForm, f"{_kind.value}_in_app", BooleanField(_l("In the console"))
    )
    if _kind in EMAIL_KINDS:
        setattr(NotificationPreferencesForm, f"{_kind.value}_email", BooleanField(_l("By email")))


class CodeForm(Form):
    """A code from the authenticator app (or, where accepted, a recovery code)."""

    code = StringField(_l("Authentication code"), validators=[DataRequired(), Length(max=64)])
