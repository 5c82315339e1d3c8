"""Admin views for teams: list, create, edit members."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from supportdesk.accounts import queries, service
from supportdesk.accounts.models import AssignmentStrategy
from supportdesk.admin import bp
from supportdesk.admin.forms import TeamForm
from supportdesk.console.access import requires
from supportdesk.console.forms import apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db


def _form(team=None) -> TeamForm:
    data = None
    if team is not None and request.method == "GET":
        data = {
            "name": team.name,
            "description": team.description,
            "members": [m.id for m in team.members],
            "strategy": team.assignment_strategy.value,
        }
    form = TeamForm(data=data)
    form.members.choices = _member_choices(team)
    return form


def _member_choices(team) -> list[SelectChoice]:
    """Active agents, then the team's deactivated members (marked), so saving keeps them."""
    # Dropping them silently would also keep them out of the rotation once reactivated.
    members = {m.id for m in team.members} if team is not None else set()
    return [
        SelectChoice(a.id, a.name if a.active else f"{a.name} (deactivated)")
        for a in queries.list_agents(current_user.organization_id)
        if a.active or a.id in members
    ]


@bp.get("/teams")
def team_list():
    """Teams and their members."""
    return render_template(
        "admin/teams.html", teams=queries.list_teams(current_user.organization_id)
    )


@bp.route("/teams/new", methods=["GET", "POST"])
@requires("team.manage")
def team_new():
    """Create a team."""
    form = _form()
    status = 200
    if form.validate_on_submit():
        try:
            service.create_team(
                current_user,
                name=form.name.data,
                description=form.description.data or "",
                member_ids=form.members.data or [],
                strategy=AssignmentStrategy(form.strategy.data),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
        else:
            flash("Team created.", "success")
            return redirect(url_for("admin.team_list"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/team_form.html", form=form, team=None), status


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires("team.manage")
def team_edit(team_id: int):
    """Rename a team or change its members."""
    team = queries.get_team(current_user.organization_id, team_id)
    form = _form(team)
    status = 200
    if form.validate_on_submit():
        try:
            service.update_team(
                current_user,
                team_id,
                name=form.name.data,
                description=form.description.data or "",
                member_ids=form.members.data or [],
                strategy=AssignmentStrategy(form.strategy.data),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
            team = queries.get_team(current_user.organization_id, team_id)
        else:
            flash("Team saved.", "success")
            return redirect(url_for("admin.team_list"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/team_form.html", form=form, team=team), status
