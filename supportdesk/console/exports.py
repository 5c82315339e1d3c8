"""Console views of exports: ask for one (from a queue or a report), follow it, download it."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.db import utcnow
from supportdesk.exports import service
from supportdesk.exports.download import serve
from supportdesk.exports.models import ExportStatus
from supportdesk.submit import Saved, act, commit


def _asked() -> dict:
    """The export's parameters: the query string of the page it was asked from (a name given
    more than once keeps every value, as a list)."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.form.get("parameters", ""), keep_blank_values=False):
        values.setdefault(name, []).append(value)
    return {name: v[0] if len(v) == 1 else v for name, v in values.items()}


@bp.post("/exports")
def export_create():
    """Queue an export (tickets of a queue filter or a search, or a report's table) and follow
    it."""
    back = request.referrer or url_for("console.export_list")
    return act(
        lambda: service.request_export(
            current_user,
            request.form.get("kind", ""),
            request.form.get("format", ""),
            _asked(),
            excel_bom=bool(request.form.get("excel_bom")),
        ),
        done=lambda export: Saved(
            gettext("Export queued: this page follows it."),
            url_for("console.export_show", export_id=export.id),
        ),
        back=back,
    )


@bp.get("/exports")
def export_list():
    """The agent's exports (admins: everyone's), newest first."""
    return render_template(
        "console/exports.html", exports=service.list_exports(current_user), now=utcnow()
    )


@bp.get("/exports/<int:export_id>")
def export_show(export_id: int):
    """One export's progress, and its download once it is ready."""
    export = service.get_export(current_user, export_id)
    return render_template("console/export.html", export=export, now=utcnow())


@bp.post("/exports/<int:export_id>/cancel")
def export_cancel(export_id: int):
    """Stop an export that is still running."""
    return act(
        lambda: service.cancel_export(current_user, export_id),
        done=lambda export: Saved(
            gettext("Export cancelled.")
            if export.status is ExportStatus.CANCELLED
            else gettext("It had finished."),
            url_for("console.export_show", export_id=export_id),
        ),
        back=url_for("console.export_show", export_id=export_id),
    )


@bp.get("/exports/<int:export_id>/download")
def export_download(export_id: int):
    """The export's file, for the agent who asked for it (and admins) until it expires; after
    that (or before it is ready) its page, answering 410 Gone."""
    try:
        export = service.open_download(current_user, export_id)
    except service.ExportGone as gone:  # the export's page, saying why there is no file
        page = render_template("console/export.html", export=gone.export, now=utcnow(), gone=True)
        return page, 410
    commit()
    return serve(export)
