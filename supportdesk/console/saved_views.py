"""Console views for saved views: save the queue as it is, list, rename, reorder, delete.

The sidebar of the queue lists them with their counts (sidebar_views: two queries, whatever
the number of views).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from supportdesk.admin.forms import ConfirmForm
from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.filters import filter_args, parse_columns, parse_queue_filter
from supportdesk.fields import saved_views
from supportdesk.fields.queries import field_specs
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.submit import Saved, act, submit
from supportdesk.tickets import queries
from supportdesk.web import Form

MAX_QUERY = 4_000


class SaveViewForm(Form):
    """The queue's "Save view" form: a name, shared or not, and the queue's query string."""

    name = StringField(_l("View name"), validators=[DataRequired(), Length(max=80)])
    shared = BooleanField(_l("Share with everyone"))
    query = HiddenField(validators=[Length(max=MAX_QUERY)])


class RenameViewForm(Form):
    """Rename a view."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])


def view_query(args: MultiDict, specs: dict) -> tuple[dict, list[str]]:
    """The normalized filters and the columns of a queue's query string (what a view stores)."""
    return filter_args(parse_queue_filter(args, specs)), parse_columns(args, specs)


def view_link(view) -> str:
    """The queue showing a view: its filters, columns, and `view` marking it in the sidebar."""
    return url_for("console.queue", view=view.id, col=view.columns, **view.filters)


def sidebar_views(specs: dict, counts: dict, active_id: int | None) -> list[dict]:
    """The agent's views for the queue's sidebar, with live counts: one query for the views,
    one for every count that is not already a sidebar number."""
    org, user = current_user.organization_id, current_user.id
    views = saved_views.list_views_cached(org, user)
    filters = {v.id: parse_queue_filter(MultiDict(v.filters), specs) for v in views}
    view_counts = queries.filtered_counts(org, user, filters, counts) if views else {}
    return [
        {"view": v, "count": view_counts[v.id], "href": view_link(v), "active": v.id == active_id}
        for v in views
    ]


@bp.post("/views")
@requires("view.save")
def view_create():
    """Save the queue being shown (filters, sort, columns) as a view, then show it."""
    form = SaveViewForm()
    specs = field_specs(current_user.organization_id)
    args = MultiDict(parse_qs(form.query.data or "", keep_blank_values=False))
    filters, columns = view_query(args, specs)
    return submit(
        form,
        lambda: saved_views.create_view(
            current_user,
            name=form.name.data,
            filters=filters,
            columns=columns,
            shared=form.shared.data,
        ),
        done=lambda view: Saved(gettext("View “%(view)s” saved.", view=view.name), view_link(view)),
        page=lambda _: render_template("console/views.html", **_views_page(create=form)),
    )


def _views_page(**forms) -> dict:
    views = saved_views.list_views(current_user.organization_id, current_user.id)
    return {
        "views": views,
        "links": {v.id: view_link(v) for v in views},
        "create": forms.get("create"),
        "rename": forms.get("rename") or {},
        "confirm": ConfirmForm(),
    }


@bp.get("/views")
def view_list():
    """The agent's views and the shared ones: rename, reorder, delete."""
    return render_template("console/views.html", **_views_page())


@bp.post("/views/<int:view_id>")
@requires("view.save")
def view_rename(view_id: int):
    """Rename a view."""
    view = saved_views.get_view(current_user.organization_id, current_user.id, view_id)
    form = RenameViewForm()
    return submit(
        form,
        lambda: saved_views.update_view(current_user, view, name=form.name.data),
        done=lambda _: Saved(gettext("View renamed."), url_for("console.view_list")),
        page=lambda _: render_template("console/views.html", **_views_page(rename={view_id: form})),
    )


@bp.post("/views/<int:view_id>/move")
@requires("view.save")
def view_move(view_id: int):
    """Move a view up or down its list."""
    view = saved_views.get_view(current_user.organization_id, current_user.id, view_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    return act(
        lambda: saved_views.move_view(current_user, view, direction),
        done=lambda _: Saved(gettext("Views reordered."), url_for("console.view_list")),
        back=url_for("console.view_list"),
    )


@bp.post("/views/<int:view_id>/delete")
@requires("view.save")
def view_delete(view_id: int):
    """Delete a view."""
    view = saved_views.get_view(current_user.organization_id, current_user.id, view_id)
    name = view.name
    return act(
        lambda: saved_views.delete_view(current_user, view),
        done=lambda _: Saved(
            gettext("View “%(name)s” deleted.", name=name), url_for("console.view_list")
        ),
        back=url_for("console.view_list"),
    )
