"""The ticket page's canned replies (the composer's `#` search) and macros (apply one)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, ValidationError

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.macros import queries as macros
from supportdesk.macros import service
from supportdesk.submit import Saved, submit
from supportdesk.tickets import queries
from supportdesk.tickets.errors import StaleTicket
from supportdesk.web import Form

# The composer's dropdown shows this many matches.
SUGGESTIONS = 8


class MacroApplyForm(Form):
    """Which macro to apply, against the ticket version the page showed."""

    version = HiddenField(validators=[InputRequired()])
    macro_id = SelectField(_l("Macro"), coerce=int, validators=[InputRequired()])

    def validate_version(self, field) -> None:
        if not str(field.data).isdigit() or len(str(field.data)) > 10:
            raise ValidationError("Reload the ticket and try again.")

    def values(self) -> dict[str, Any]:
        """The macro's id and the version, for macros.service.apply_macro."""
        return {"macro_id": self.macro_id.data, "expected_version": int(self.version.data)}


def macro_form(ticket, available, formdata=None) -> MacroApplyForm:
    """The apply form of the ticket page, offering the organization's macros."""
    # Prefixed: the property form on the same page has a `version` field too (unique ids).
    form = MacroApplyForm(formdata=formdata, data={"version": ticket.version}, prefix="macro")
    form.macro_id.choices = [(m.id, m.name) for m in available]
    return form


@bp.get("/tickets/<int:number>/canned-replies")
def canned_reply_search(number: int):
    """The canned replies matching `q` that this agent may use, rendered for this ticket (JSON)."""
    ticket = queries.get_ticket(current_user.organization_id, number)
    found = macros.list_replies(
        current_user.organization_id,
        current_user.id,
        q=request.args.get("q", ""),
        limit=SUGGESTIONS,
    )
    values = service.placeholder_values(ticket, current_user) if found else {}
    return jsonify(
        replies=[
            {
                "id": r.id,
                "title": r.title,
                "shared": r.shared,
                "body": service.render_for(r.body, values),
            }
            for r in found
        ]
    )


@bp.post("/tickets/<int:number>/macros")
@requires("macro.apply")
def macro_apply(number: int):
    """Apply a macro to the ticket: every change, or none and the reason."""
    from supportdesk.console.tickets import ticket_page

    org = current_user.organization_id
    ticket = queries.get_ticket(org, number)
    form = macro_form(ticket, macros.list_macros(org), request.form)

    def save():
        values = form.values()
        macro = macros.get_macro(org, values["macro_id"])
        service.apply_macro(
            ticket, macro, current_user, expected_version=values["expected_version"]
        )
        return macro

    def refused(error):
        if isinstance(error, StaleTicket):
            return ticket_page(number, stale=error.changes)
        return ticket_page(number, macro=form)

    return submit(
        form,
        save,
        done=lambda macro: Saved(
            gettext("Macro “%(macro)s” applied.", macro=macro.name),
            url_for("console.ticket_show", number=number),
        ),
        page=refused,
    )
