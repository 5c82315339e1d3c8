"""Admin view of every API token of the organization: who holds what, and revoke any of them."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.console.access import requires
from supportdesk.submit import Saved, act
from supportdesk.tokens import queries, service


@bp.get("/tokens")
@requires("api_token.revoke_any")
def token_list():
    """Every token of the organization with its agent, active first."""
    tokens = queries.list_organization_tokens(current_user.organization_id)
    return render_template("admin/tokens.html", tokens=tokens)


@bp.post("/tokens/<int:token_id>/revoke")
@requires("api_token.revoke_any")
def token_revoke(token_id: int):
    """Revoke any token of the organization."""
    return act(
        lambda: service.revoke_any_token(current_user, token_id),
        done=lambda token: Saved(
            gettext(
                "Token %(name)s of %(user)s revoked.", name=repr(token.name), user=token.user.name
            ),
            url_for("admin.token_list"),
        ),
        back=url_for("admin.token_list"),
    )
