"""Forms of the canned replies and macros pages. They check shapes; the services check rules."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import choices
from supportdesk.tickets.models import MessageKind, Priority, Status
from supportdesk.web import Form

LEAVE = _l("Leave as it is")


class CannedReplyForm(Form):
    """A canned reply's title, text, and whether the whole organization shares it."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=100_000)])
    shared = BooleanField(_l("Shared with everyone in the organization"))

    def values(self) -> dict[str, Any]:
        """The arguments of macros.service.create_reply and update_reply."""
        return {"title": self.title.data, "body": self.body.data, "shared": bool(self.shared.data)}


class MacroForm(Form):
    """A macro's name and actions; an action left empty is not applied."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    reply_body = TextAreaField(_l("Text to add"), validators=[Optional(), Length(max=100_000)])
    reply_kind = SelectField(
        _l("Add the text as"),
        choices=[
            SelectChoice(MessageKind.INTERNAL.value, "Internal note"),
            SelectChoice(MessageKind.PUBLIC.value, "Public reply to the customer"),
        ],
        default=MessageKind.INTERNAL.value,
    )
    status = SelectField(
        _l("Set status"),
        choices=[SelectChoice("", LEAVE), *choices(Status)],
        default="",
    )
    priority = SelectField(
        _l("Set priority"),
        choices=[SelectChoice("", LEAVE), *choices(Priority)],
        default="",
    )
    assignee_id = SelectField(_l("Assign to"), coerce=int, default=0)
    team_id = SelectField(_l("Set team"), coerce=int, default=0)
    add_tags = StringField(_l("Add tags"), validators=[Optional(), Length(max=1000)])
    remove_tags = StringField(_l("Remove tags"), validators=[Optional(), Length(max=1000)])

    def values(self) -> dict[str, Any]:
        """The arguments of macros.service.create_macro and update_macro."""
        return {
            "name": self.name.data,
            "reply_body": self.reply_body.data or "",
            "reply_kind": self.reply_kind.data,
            "status": self.status.data or None,
            "priority": self.priority.data or None,
            "assignee_id": self.assignee_id.data or None,
            "team_id": self.team_id.data or None,
            "add_tags": self.add_tags.data or "",
            "remove_tags": self.remove_tags.data or "",
        }
