"""Admin views for teams: list, create, edit members."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from supportdesk.accounts import queries, service
from supportdesk.admin import bp
from supportdesk.admin.forms import TeamForm
from supportdesk.console.access import requires
from supportdesk.submit import Saved, submit


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
    return submit(
        form,
        lambda: service.create_team(current_user, **form.values()),
        done=lambda _: Saved(gettext("Team created."), url_for("admin.team_list")),
        page=lambda _: render_template("admin/team_form.html", form=form, team=None),
    )


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires("team.manage")
def team_edit(team_id: int):
    """Rename a team or change its members."""
    team = queries.get_team(current_user.organization_id, team_id)
    form = _form(team)
    return submit(
        form,
        lambda: service.update_team(current_user, team_id, **form.values()),
        done=lambda _: Saved(gettext("Team saved."), url_for("admin.team_list")),
        page=lambda _: render_template("admin/team_form.html", form=form, team=team),
    )
