"""Console search: one box over subjects, messages, customers and numbers, with the queue filters."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, render_template, request
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.console.filters import filter_bar, parse_search_filter, wants_zone
from supportdesk.params import query_int
from supportdesk.replica import reads_replica
from supportdesk.search import search_tickets


@bp.get("/search")
@reads_replica
def search_results():
    """Ranked tickets matching `q`, narrowed by the same filters as the queue page."""
    # Days of a filter are read in the organization's zone, as the queue and exports read them.
    zone = current_user.organization.time_zone if wants_zone(request.args) else "UTC"
    f = parse_search_filter(request.args, zone)
    results = search_tickets(
        current_user.organization_id,
        request.args.get("q", ""),
        f,
        user_id=current_user.id,
        page=query_int(request.args.get("page")) or 1,
        per_page=current_app.config["PAGE_SIZE"],
    )
    # "Export these results": the same query and filters, every page.
    asked = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "page"])
    return render_template(
        "console/search.html",
        results=results,
        export_parameters=asked,
        **filter_bar(current_user.organization_id, f),
    )
