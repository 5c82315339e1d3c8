"""The portal's forms."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage
from wtforms import (
    EmailField,
    HiddenField,
    MultipleFileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from supportdesk.attachments.service import Upload
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.satisfaction.models import MAX_COMMENT
from supportdesk.tickets.service import MAX_BODY, MAX_SUBJECT
from supportdesk.web import Form


def _uploads(field: MultipleFileField) -> list[Upload]:
    return [
        Upload(f.filename or "", f.mimetype or "", f.read())
        for f in field.data or []
        if isinstance(f, FileStorage) and f.filename
    ]


class SignInForm(Form):
    """The address to mail a sign-in link to (the answer is the same for every address)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ConfirmForm(Form):
    """A button only (signing in with a link, signing out, closing a request)."""


class RatingForm(Form):
    """The survey answer a rating link named, sent with a button (or by the page's script)."""

    rating = RadioField(
        _l("Your rating"),
        choices=[
            SelectChoice("good", _l("Good")),
            SelectChoice("okay", _l("Okay")),
            SelectChoice("bad", _l("Bad")),
        ],
        validators=[DataRequired()],
    )


class ReplyForm(Form):
    """The customer's reply, with files."""

    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=MAX_BODY)])
    attachments = MultipleFileField(_l("Attach files"))

    def uploads(self) -> list[Upload]:
        return _uploads(self.attachments)


class ContactForm(Form):
    """A new request. `website` is the honeypot (hidden from people); `stamp` the time trap."""

    name = StringField(_l("Your name"), validators=[Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=MAX_SUBJECT)])
    body = TextAreaField(_l("How can we help?"), validators=[DataRequired(), Length(max=MAX_BODY)])
    attachments = MultipleFileField(_l("Attach files"))
    website = StringField(_l("Leave this field empty"))
    stamp = HiddenField()

    def uploads(self) -> list[Upload]:
        return _uploads(self.attachments)


class CommentForm(Form):
    """A comment on a satisfaction rating."""

    comment = TextAreaField(
        _l("Anything you would like to add?"), validators=[DataRequired(), Length(max=MAX_COMMENT)]
    )
