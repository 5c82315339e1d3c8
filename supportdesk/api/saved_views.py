"""API views for saved views: the caller's own and the shared ones, and the tickets of a view.

Filters are the console queue's query-string arguments, normalized as the console saves them
(unknown or malformed arguments are dropped), so a view saved here opens the same in the console.
"""

from __future__ import annotations

from flask import url_for
from werkzeug.datastructures import MultiDict

from supportdesk.api import field_schemas as fs
from supportdesk.api import schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.console.filters import filter_args, parse_columns, parse_queue_filter
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields.queries import field_specs
from supportdesk.replica import replica_reads
from supportdesk.tickets import queries

TAG = "Saved views"
VIEW_ID = {"view_id": "The saved view's id."}
_THE_VIEW = {"view_id": "$response.body#/id"}
VIEW_LINKS = {
    "GetSavedView": ("saved_view_get", _THE_VIEW),
    "UpdateSavedView": ("saved_view_update", _THE_VIEW),
    "ListSavedViewTickets": ("saved_view_tickets", _THE_VIEW),
    "DeleteSavedView": ("saved_view_delete", _THE_VIEW),
}


def _view(view_id: int):
    return saved_views.get_view(organization_id(), actor().id, view_id)


def _normalized(filters: dict | None, columns: list | None) -> dict:
    specs = field_specs(organization_id())
    out: dict = {}
    if filters is not None:
        out["filters"] = filter_args(parse_queue_filter(MultiDict(filters), specs))
    if columns is not None:
        out["columns"] = parse_columns(MultiDict({"col": columns}), specs)
    return out


@operation(
    "GET",
    "/views",
    tag=TAG,
    summary="List saved views",
    response=fs.SavedViewList,
    response_example=fs.SAVED_VIEW_LIST,
)
def saved_view_list():
    """The caller's views in their order, then the shared ones."""
    views = saved_views.list_views(organization_id(), actor().id)
    return fs.SavedViewList(data=[fs.SavedView.model_validate(v) for v in views])


@operation(
    "POST",
    "/views",
    tag=TAG,
    summary="Save a view",
    status=201,
    body=fs.SavedViewCreate,
    response=fs.SavedView,
    request_example=fs.SAVED_VIEW_CREATE,
    response_example=fs.SAVED_VIEW,
    links=VIEW_LINKS,
    headers=("Location",),
)
def saved_view_create(body: fs.SavedViewCreate):
    """Save a view; `shared: true` needs a senior agent or an admin (403 otherwise)."""
    view = saved_views.create_view(
        actor(), name=body.name, shared=body.shared, **_normalized(body.filters, body.columns)
    )
    db.session.commit()
    location = url_for("api.saved_view_get", view_id=view.id)
    return fs.SavedView.model_validate(view), {"Location": location}


@operation(
    "GET",
    "/views/{view_id}",
    tag=TAG,
    summary="Get a saved view",
    response=fs.SavedView,
    response_example=fs.SAVED_VIEW,
    path_params=VIEW_ID,
    links=VIEW_LINKS,
)
def saved_view_get(view_id: int):
    """One view (another agent's personal view is a 404)."""
    return fs.SavedView.model_validate(_view(view_id))


@operation(
    "PATCH",
    "/views/{view_id}",
    tag=TAG,
    summary="Update a saved view",
    body=fs.SavedViewUpdate,
    response=fs.SavedView,
    request_example=fs.SAVED_VIEW_UPDATE,
    response_example=fs.SAVED_VIEW,
    path_params=VIEW_ID,
    links=VIEW_LINKS,
)
def saved_view_update(view_id: int, body: fs.SavedViewUpdate):
    """Rename, refilter, change columns or share; shared views are edited by seniors only."""
    view = _view(view_id)
    saved_views.update_view(
        actor(),
        view,
        name=body.name,
        shared=body.shared,
        **_normalized(body.filters, body.columns),
    )
    db.session.commit()
    return fs.SavedView.model_validate(view)


@operation(
    "DELETE",
    "/views/{view_id}",
    tag=TAG,
    summary="Delete a saved view",
    status=204,
    path_params=VIEW_ID,
)
def saved_view_delete(view_id: int):
    """Delete the view (its tickets are untouched)."""
    saved_views.delete_view(actor(), _view(view_id))
    db.session.commit()
    return None


@operation(
    "GET",
    "/views/{view_id}/tickets",
    tag=TAG,
    summary="List the tickets of a saved view",
    query=fs.ViewTicketsQuery,
    response=schemas.TicketPage,
    response_example={"data": [], "next_cursor": None},
    path_params=VIEW_ID,
)
def saved_view_tickets(view_id: int, query: fs.ViewTicketsQuery):
    """The tickets the view shows, in its sort, with keyset pagination like `/tickets`."""
    view = _view(view_id)
    f = parse_queue_filter(MultiDict(view.filters), field_specs(organization_id()))
    with replica_reads(actor().id):
        page = queries.list_queue(
            organization_id(), actor().id, f, per_page=query.limit, after=query.cursor
        )
        return schemas.TicketPage(
            data=[schemas.Ticket.model_validate(t) for t in page.tickets],
            next_cursor=page.next_cursor,
        )
