"""The agent console: queues, tickets and customers."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("console", __name__)


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every console page needs a signed-in agent."""


@bp.app_template_filter("count")
def _count(n: int) -> str:
    from supportdesk.tickets.queries import count_label

    return count_label(n)


@bp.app_template_filter("assignment_rule")
def _assignment_rule(value: str | None) -> str:
    """The label of the team-assignment rule kept in an assignee history entry, or empty."""
    from supportdesk.assignment.rules import rule_label

    return rule_label(value)


@bp.record_once
def _badges(state) -> None:
    from supportdesk import labels
    from supportdesk.console import badges

    state.app.jinja_env.globals.update(badges.GLOBALS)
    state.app.jinja_env.globals.update(labels.GLOBALS)


@bp.app_template_global("field_display")
def _field_display(spec, value) -> str:
    """A custom field's value as people read it (supportdesk.fields.rules.display)."""
    from supportdesk.fields.rules import display

    return display(spec, value)


@bp.app_template_global("sla_badge_for")
def _sla_badge_for(sla):
    """The SLA badge of a ticket's loaded SLA row (see supportdesk.sla.queries.badge)."""
    from supportdesk.sla.queries import badge

    return badge(sla)


from supportdesk.console import (  # noqa: E402,F401  (registers the routes)
    attachments,
    away,
    bulk,
    composer,
    customers,
    exports,
    kb,
    live,
    macros,
    mail,
    notifications,
    reports,
    saved_views,
    search,
    ticket_delete,
    ticket_merge,
    tickets,
    tokens,
)


@bp.app_template_global("rich")
def _rich(html: str):
    """A message's stored Markdown rendering, sanitized again as it is shown."""
    from supportdesk.markdown import as_markup

    return as_markup(html)


@bp.app_template_filter("minutes")
def _minutes(total: int | None) -> str:
    """Minutes as people read them: 45 min, 1 h 30 min, 3 h."""
    hours, minutes = divmod(int(total or 0), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
