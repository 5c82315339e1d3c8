"""Admin pages: agents, teams, the organization, mail (in and out), notifications, webhooks, API tokens."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every admin page needs a signed-in agent; each view checks the role it needs."""


from supportdesk.admin import (  # noqa: E402,F401  (registers the routes)
    agents,
    audit,
    crm,
    deletions,
    fields,
    invitations,
    macros,
    mail,
    organization,
    outbound_mail,
    portal,
    privacy,
    retention,
    sla,
    sso,
    teams,
    tokens,
    two_factor,
    webhooks,
)
