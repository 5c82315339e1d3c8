"""Admin pages of the audit log: browse with filters (keyset pages), export as CSV."""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context, url_for
from flask_login import current_user

from supportdesk.accounts.queries import list_agents
from supportdesk.admin import bp
from supportdesk.audit.actions import ACTIONS, label, target_types
from supportdesk.audit.export import csv_lines
from supportdesk.audit.queries import browse, export, filters_from_args
from supportdesk.console.access import requires
from supportdesk.db import utcnow
from supportdesk.params import INT8_MAX, query_int
from supportdesk.web import shown_time_zone

FILTER_ARGS = ("actor", "action", "target_type", "target_id", "from", "to")


def _filter_args() -> dict[str, str]:
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


@bp.get("/audit-log")
@requires("audit_log.view")
def audit_list():
    """The organization's audit log, newest first, filtered; 50 entries a page."""
    filters = filters_from_args(request.args, shown_time_zone())
    page = browse(
        current_user, filters, before=query_int(request.args.get("before"), maximum=INT8_MAX)
    )
    args = _filter_args()
    return render_template(
        "admin/audit_log.html",
        page=page,
        args=args,
        agents=list_agents(current_user.organization_id),
        actions=ACTIONS,
        target_types=target_types(),
        label=label,
        next_url=url_for("admin.audit_list", before=page.next_before, **args)
        if page.next_before
        else None,
        export_url=url_for("admin.audit_export", **args),
    )


@bp.get("/audit-log.csv")
@requires("audit_log.view")
def audit_export():
    """Every entry matching the filters as CSV (streamed; formula-safe cells)."""
    filters = filters_from_args(request.args, shown_time_zone())
    entries = export(current_user, filters)
    name = f"audit-log-{current_user.organization.slug}-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        stream_with_context(csv_lines(entries)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
