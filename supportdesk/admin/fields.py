"""Admin pages for custom ticket fields: list, define, edit, archive, reorder (admins)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from supportdesk.admin import bp
from supportdesk.admin.forms import ConfirmForm
from supportdesk.console.access import requires
from supportdesk.fields import service
from supportdesk.fields.models import FieldType
from supportdesk.fields.queries import get_field, list_fields
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import choices
from supportdesk.submit import Saved, act, submit
from supportdesk.web import Form


class FieldForm(Form):
    """A custom field's definition; key and type only when creating (tickets hold values)."""

    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=80)])
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=40)])
    type = SelectField(_l("Type"), choices=choices(FieldType), default="text")
    options = TextAreaField(
        _l("Options (select fields)"), validators=[Optional(), Length(max=6000)]
    )
    required_on_resolve = BooleanField(_l("Required to resolve a ticket"))

    def values(self, *, new: bool) -> dict:
        """The arguments of fields.service.create_field (or update_field without key and type)."""
        values = {
            "label": self.label.data,
            "options": (self.options.data or "").splitlines(),
            "required_on_resolve": self.required_on_resolve.data,
        }
        if new:
            values |= {"key": self.key.data, "type": FieldType(self.type.data)}
        return values


def _form(field=None) -> FieldForm:
    data = None
    if field is not None and request.method == "GET":
        data = {
            "label": field.label,
            "key": field.key,
            "type": field.type.value,
            "options": "\n".join(field.options),
            "required_on_resolve": field.required_on_resolve,
        }
    form = FieldForm(data=data)
    if field is not None:  # fixed once created: shown, not submitted
        form.key.data, form.type.data = field.key, field.type.value
    return form


@bp.get("/fields")
@requires("field.manage")
def field_list():
    """The organization's ticket fields in their order, archived ones last."""
    return render_template(
        "admin/fields.html",
        fields=list_fields(current_user.organization_id),
        confirm=ConfirmForm(),
    )


@bp.route("/fields/new", methods=["GET", "POST"])
@requires("field.manage")
def field_new():
    """Define a ticket field."""
    form = _form()
    return submit(
        form,
        lambda: service.create_field(current_user, **form.values(new=True)),
        done=lambda f: Saved(
            gettext("Field “%(f)s” added.", f=f.label), url_for("admin.field_list")
        ),
        page=lambda _: render_template("admin/field_form.html", form=form, field=None),
    )


@bp.route("/fields/<int:field_id>", methods=["GET", "POST"])
@requires("field.manage")
def field_edit(field_id: int):
    """Change a field's label, options or whether resolving needs it."""
    field = get_field(current_user.organization_id, field_id)
    form = _form(field)
    return submit(
        form,
        lambda: service.update_field(current_user, field, **form.values(new=False)),
        done=lambda _: Saved(gettext("Field saved."), url_for("admin.field_list")),
        page=lambda _: render_template("admin/field_form.html", form=form, field=field),
    )


@bp.post("/fields/<int:field_id>/archive")
@requires("field.manage")
def field_archive(field_id: int):
    """Archive a field (hidden from forms and filters, values kept) or bring it back."""
    field = get_field(current_user.organization_id, field_id)
    archived = request.form.get("archived") == "1"
    return act(
        lambda: service.update_field(current_user, field, archived=archived),
        done=lambda _: Saved(
            gettext("Field “%(field)s” archived.", field=field.label)
            if archived
            else gettext("Field “%(field)s” restored.", field=field.label),
            url_for("admin.field_list"),
        ),
        back=url_for("admin.field_list"),
    )


@bp.post("/fields/<int:field_id>/move")
@requires("field.manage")
def field_move(field_id: int):
    """Move a field up or down the order forms show them in."""
    field = get_field(current_user.organization_id, field_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    return act(
        lambda: service.move_field(current_user, field, direction),
        done=lambda _: Saved(gettext("Fields reordered."), url_for("admin.field_list")),
        back=url_for("admin.field_list"),
    )
