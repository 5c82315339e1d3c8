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


from supportdesk.console import (  # noqa: E402,F401  (registers the routes)
    customers,
    mail,
    search,
    tickets,
    tokens,
)
