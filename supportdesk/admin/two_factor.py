"""Admin side of two-factor authentication: reset an agent's (a lost phone). The organization's
requirement is a field of the organization settings page (admin/organization.py)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.console.access import requires
from supportdesk.submit import Saved, act
from supportdesk.twofactor import service


@bp.post("/agents/<int:agent_id>/two-factor/reset")
@requires("agent.manage")
def agent_two_factor_reset(agent_id: int):
    """Remove the agent's authenticator and recovery codes (recorded in the audit log)."""
    back = url_for("admin.agent_edit", agent_id=agent_id)
    return act(
        lambda: service.admin_reset(current_user, agent_id),
        done=lambda agent: Saved(
            gettext(
                "Two-factor authentication of %(agent)s is reset. They sign in with their "
                "password next, then set up a new authenticator before anything else.",
                agent=agent.name,
            )
            if service.is_required(agent)
            else gettext(
                "Two-factor authentication of %(agent)s is reset. They sign in with their "
                "password next.",
                agent=agent.name,
            ),
            back,
        ),
        back=back,
    )
