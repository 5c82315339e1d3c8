"""Console search: one box over subjects, messages, customers and numbers, with the queue filters."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from supportdesk.accounts.queries import assignment_choices
from supportdesk.console import bp
from supportdesk.console.filters import filter_args, parse_queue_filter
from supportdesk.params import query_int
from supportdesk.search import search_tickets
from supportdesk.tickets.models import Priority, Status


@bp.get("/search")
def search_results():
    """Ranked tickets matching `q`, narrowed by the same filters as the queue page."""
    args = request.args.copy()
    args.setdefault("queue", "all")
    f = parse_queue_filter(args)
    results = search_tickets(
        current_user.organization_id,
        request.args.get("q", ""),
        f,
        user_id=current_user.id,
        page=query_int(request.args.get("page")) or 1,
        per_page=current_app.config["PAGE_SIZE"],
    )
    agents, teams = assignment_choices(current_user.organization_id)
    return render_template(
        "console/search.html",
        results=results,
        f=f,
        args=filter_args(f),
        agents=agents,
        teams=teams,
        statuses=list(Status),
        priorities=list(Priority),
    )
