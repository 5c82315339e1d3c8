"""Admin views for agents: list, create, edit role, deactivate and reactivate."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.accounts import queries, service
from supportdesk.accounts.invitations import list_pending
from supportdesk.admin import bp
from supportdesk.admin.forms import AgentForm, ConfirmForm, NewAgentForm
from supportdesk.console.access import requires
from supportdesk.db import utcnow
from supportdesk.submit import Saved, act, submit
from supportdesk.twofactor.service import enrolled_user_ids
from supportdesk.twofactor.service import status as two_factor_status


@bp.get("/agents")
def agent_list():
    """Every agent of the organization with role, teams and status."""
    agents = queries.list_agents(current_user.organization_id)
    pending = list_pending(current_user.organization_id) if current_user.can("agent.manage") else []
    return render_template(
        "admin/agents.html",
        agents=agents,
        pending=pending,
        now=utcnow(),
        confirm=ConfirmForm(),
        two_factor_ids=enrolled_user_ids(current_user.organization_id),
    )


@bp.route("/agents/new", methods=["GET", "POST"])
@requires("agent.manage")
def agent_new():
    """Add an agent."""
    form = NewAgentForm()
    return submit(
        form,
        lambda: service.create_agent(current_user, **form.values()),
        done=lambda agent: Saved(
            gettext("%(agent)s can now sign in as %(email)s.", agent=agent.name, email=agent.email),
            url_for("admin.agent_list"),
        ),
        page=lambda _: render_template("admin/agent_form.html", form=form, agent=None),
    )


@bp.route("/agents/<int:agent_id>", methods=["GET", "POST"])
@requires("agent.manage")
def agent_edit(agent_id: int):
    """Change an agent's name, email or role."""
    agent = queries.get_agent(current_user.organization_id, agent_id)
    form = AgentForm(obj=agent)
    return submit(
        form,
        lambda: service.update_agent(current_user, agent_id, **form.values()),
        done=lambda _: Saved(gettext("Agent saved."), url_for("admin.agent_list")),
        page=lambda _: render_template(
            "admin/agent_form.html",
            form=form,
            agent=agent,
            confirm=ConfirmForm(),
            two_factor=two_factor_status(agent),
        ),
    )


@bp.post("/agents/<int:agent_id>/active")
@requires("agent.manage")
def agent_set_active(agent_id: int):
    """Deactivate (and sign out everywhere) or reactivate an agent."""
    active = request.form.get("active") == "1"
    return act(
        lambda: service.set_active(current_user, agent_id, active),
        done=lambda agent: Saved(
            gettext("%(agent)s is active again.", agent=agent.name)
            if active
            else gettext("%(agent)s is deactivated and signed out.", agent=agent.name),
            url_for("admin.agent_list"),
        ),
        back=url_for("admin.agent_list"),
    )
