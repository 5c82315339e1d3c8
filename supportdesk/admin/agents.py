"""Admin views for agents: list, create, edit role, deactivate and reactivate."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from supportdesk.accounts import queries, service
from supportdesk.accounts.models import Role
from supportdesk.admin import bp
from supportdesk.admin.forms import AgentForm, ConfirmForm, NewAgentForm
from supportdesk.console.access import requires
from supportdesk.console.forms import apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db


@bp.get("/agents")
def agent_list():
    """Every agent of the organization with role, teams and status."""
    agents = queries.list_agents(current_user.organization_id)
    return render_template("admin/agents.html", agents=agents, confirm=ConfirmForm())


@bp.route("/agents/new", methods=["GET", "POST"])
@requires("agent.manage")
def agent_new():
    """Add an agent."""
    form = NewAgentForm()
    status = 200
    if form.validate_on_submit():
        try:
            agent = service.create_agent(
                current_user,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=Role(form.role.data),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
        else:
            flash(f"{agent.name} can now sign in as {agent.email}.", "success")
            return redirect(url_for("admin.agent_list"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/agent_form.html", form=form, agent=None), status


@bp.route("/agents/<int:agent_id>", methods=["GET", "POST"])
@requires("agent.manage")
def agent_edit(agent_id: int):
    """Change an agent's name, email or role."""
    agent = queries.get_agent(current_user.organization_id, agent_id)
    form = AgentForm(obj=agent)
    status = 200
    if form.validate_on_submit():
        try:
            service.update_agent(
                current_user,
                agent_id,
                name=form.name.data,
                email=form.email.data,
                role=Role(form.role.data),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
            agent = queries.get_agent(current_user.organization_id, agent_id)
        else:
            flash("Agent saved.", "success")
            return redirect(url_for("admin.agent_list"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/agent_form.html", form=form, agent=agent), status


@bp.post("/agents/<int:agent_id>/active")
@requires("agent.manage")
def agent_set_active(agent_id: int):
    """Deactivate (and sign out everywhere) or reactivate an agent."""
    if not ConfirmForm().validate():
        flash("The form had expired. Please try again.", "error")
        return redirect(url_for("admin.agent_list"))
    active = request.form.get("active") == "1"
    try:
        agent = service.set_active(current_user, agent_id, active)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.agent_list")), 303
    flash(
        f"{agent.name} is {'active again' if active else 'deactivated and signed out'}.", "success"
    )
    return redirect(url_for("admin.agent_list"))
