"""Admin views for invitations (invite, resend, revoke) and forced password resets."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.accounts import invitations, queries, resets
from supportdesk.admin import bp
from supportdesk.admin.forms import InviteForm
from supportdesk.console.access import requires
from supportdesk.submit import Saved, act, submit


@bp.route("/agents/invite", methods=["GET", "POST"])
@requires("agent.manage")
def agent_invite():
    """Invite someone by email: they get a link to choose a password and join."""
    form = InviteForm()
    form.teams.choices = [(t.id, t.name) for t in queries.list_teams(current_user.organization_id)]
    days = current_app.config["INVITATION_DAYS"]
    return submit(
        form,
        lambda: invitations.invite(current_user, **form.values()),
        done=lambda row: Saved(
            gettext(
                "Invitation sent to %(email)s. The link works for %(days)s days.",
                email=row.email,
                days=days,
            ),
            url_for("admin.agent_list"),
        ),
        page=lambda _: render_template("admin/agent_invite.html", form=form, days=days),
    )


@bp.post("/invitations/<int:invitation_id>/resend")
@requires("agent.manage")
def invitation_resend(invitation_id: int):
    """Mail a new link (the previous one stops working) with a new expiry."""
    return act(
        lambda: invitations.resend(current_user, invitation_id),
        done=lambda row: Saved(
            gettext("A new invitation link went to %(email)s.", email=row.email),
            url_for("admin.agent_list"),
        ),
        back=url_for("admin.agent_list"),
    )


@bp.post("/invitations/<int:invitation_id>/revoke")
@requires("agent.manage")
def invitation_revoke(invitation_id: int):
    """Withdraw a pending invitation: its link stops working."""
    return act(
        lambda: invitations.revoke(current_user, invitation_id),
        done=lambda row: Saved(
            gettext("The invitation of %(email)s is revoked.", email=row.email),
            url_for("admin.agent_list"),
        ),
        back=url_for("admin.agent_list"),
    )


@bp.post("/agents/<int:agent_id>/reset-password")
@requires("agent.manage")
def agent_force_reset(agent_id: int):
    """Sign the agent out everywhere and mail them a link to choose a new password."""
    return act(
        lambda: resets.force_reset(current_user, agent_id),
        done=lambda row: Saved(
            gettext(
                "The agent is signed out everywhere and was mailed a link to choose a new password."
            ),
            url_for("admin.agent_edit", agent_id=agent_id),
        ),
        back=url_for("admin.agent_edit", agent_id=agent_id),
    )
