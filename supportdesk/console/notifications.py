"""The bell: the signed-in agent's notifications, marking them read, and who can be mentioned."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.extensions import db
from supportdesk.notifications import mentions, queries, service, tracking
from supportdesk.params import query_int
from supportdesk.submit import Saved, act
from supportdesk.web import same_site_path


@dataclass(frozen=True)
class _Go(Saved):
    """Go to the ticket without a message: opening a notification is not news."""

    def response(self) -> Response:
        return redirect(self.to)


@bp.app_template_global("unread_notifications")
def _unread_notifications() -> int:
    """The bell's count (base.html asks once per page): read with the session (no query of its
    own), unless this request wrote notification rows since."""
    preloaded = getattr(getattr(current_user, "web_session", None), "unread_notifications", None)
    if preloaded is not None and not db.session.info.get(tracking.CHANGED):
        return preloaded
    return queries.unread_count(current_user.id)


@bp.app_template_filter("mentions")
def _mentions(text: str, handles) -> str:
    """A note's text escaped, with its mentions of known agents highlighted."""
    return mentions.highlight(text, handles)


@bp.app_template_filter("mentions_html")
def _mentions_html(html: str, handles) -> str:
    """A Markdown note's sanitized HTML, with its mentions of known agents highlighted."""
    return mentions.highlight_html(html, handles)


@bp.get("/notifications")
def notification_list():
    """The agent's notifications, newest first (`?show=unread`, `?before=<id>` for older ones)."""
    unread_only = request.args.get("show") == "unread"
    before = query_int(request.args.get("before"))
    rows = queries.list_for(
        current_user.organization_id,
        current_user.id,
        unread_only=unread_only,
        before=before,
        limit=queries.PAGE + 1,
    )
    template = "console/_notification_menu.html" if request.args.get("menu") else None
    return render_template(
        template or "console/notifications.html",
        notifications=rows[: queries.PAGE],
        older=rows[queries.PAGE - 1].id if len(rows) > queries.PAGE else None,
        unread_only=unread_only,
    )


@bp.post("/notifications/<int:notification_id>/open")
def notification_open(notification_id: int):
    """Mark a notification read and go to what it is about (its ticket, or its export)."""
    return act(
        lambda: service.mark_read(current_user, notification_id),
        done=lambda row: _Go("", _about(row)),
        back=url_for("console.notification_list"),
    )


def _about(row) -> str:
    if row.export_id is not None:
        return url_for("console.export_show", export_id=row.export_id)
    return url_for("console.ticket_show", number=row.ticket.number)


@bp.post("/notifications/<int:notification_id>/read")
def notification_read(notification_id: int):
    """Mark one notification read and stay on the list."""
    back = same_site_path(request.form.get("next") or url_for("console.notification_list"))
    return act(
        lambda: service.mark_read(current_user, notification_id),
        done=lambda _: Saved(gettext("Notification marked read."), back),
        back=back,
    )


@bp.post("/notifications/read-all")
def notification_read_all():
    """Mark every notification of the agent read."""
    back = same_site_path(request.form.get("next") or url_for("console.notification_list"))
    return act(
        lambda: service.mark_all_read(current_user),
        done=lambda n: Saved(
            ngettext("%(num)s notification marked read.", "%(num)s notifications marked read.", n)
            if n
            else gettext("Nothing was unread."),
            back,
        ),
        back=back,
    )


@bp.get("/mentionable")
def mentionable_list():
    """The agents a note can mention, with their handles (the composer's `@` autocomplete)."""
    people = mentions.mentionable(current_user.organization_id)
    return jsonify([{"handle": p.handle, "name": p.name, "email": p.email} for p in people])
