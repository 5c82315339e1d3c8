"""Pages to manage canned replies (personal and shared) and macros: list, create, edit, delete."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.accounts.queries import assignable_agents, list_teams
from supportdesk.admin import bp
from supportdesk.admin.macro_forms import LEAVE, CannedReplyForm, MacroForm
from supportdesk.console.access import requires
from supportdesk.console.forms import people_choices
from supportdesk.macros import placeholders, queries, service
from supportdesk.submit import Saved, act, submit


def _org() -> int:
    return current_user.organization_id


# -- canned replies --------------------------------------------------------------------------


@bp.get("/canned-replies")
def canned_reply_list():
    """The shared canned replies and the agent's own."""
    replies = queries.list_replies(_org(), current_user.id)
    return render_template(
        "admin/canned_replies.html",
        replies=replies,
        manageable={r.id for r in replies if service.may_manage_reply(current_user, r)},
    )


def _reply_page(form: CannedReplyForm, reply=None):
    return render_template(
        "admin/canned_reply_form.html", form=form, reply=reply, examples=placeholders.EXAMPLES
    )


@bp.route("/canned-replies/new", methods=["GET", "POST"])
@requires("canned_reply.manage_own")
def canned_reply_new():
    """Write a canned reply (shared ones: senior agents and admins)."""
    form = CannedReplyForm()
    return submit(
        form,
        lambda: service.create_reply(current_user, **form.values()),
        done=lambda reply: Saved(
            gettext("Canned reply “%(reply)s” saved.", reply=reply.title),
            url_for("admin.canned_reply_list"),
        ),
        page=lambda _: _reply_page(form),
    )


@bp.route("/canned-replies/<int:canned_reply_id>", methods=["GET", "POST"])
@requires("canned_reply.manage_own")
def canned_reply_edit(canned_reply_id: int):
    """Change a canned reply the agent may manage."""
    reply = queries.get_reply(_org(), current_user.id, canned_reply_id)
    service.require_reply_manager(current_user, reply)
    data = None
    if request.method == "GET":
        data = {"title": reply.title, "body": reply.body, "shared": reply.shared}
    form = CannedReplyForm(data=data)
    return submit(
        form,
        lambda: service.update_reply(current_user, reply.id, **form.values()),
        done=lambda reply: Saved(
            gettext("Canned reply “%(reply)s” saved.", reply=reply.title),
            url_for("admin.canned_reply_list"),
        ),
        page=lambda _: _reply_page(form, reply),
    )


@bp.post("/canned-replies/<int:canned_reply_id>/delete")
@requires("canned_reply.manage_own")
def canned_reply_delete(canned_reply_id: int):
    """Delete a canned reply the agent may manage."""
    back = url_for("admin.canned_reply_list")
    return act(
        lambda: service.delete_reply(current_user, canned_reply_id),
        done=lambda _: Saved(gettext("Canned reply deleted."), back),
        back=back,
    )


# -- macros ----------------------------------------------------------------------------------


@bp.get("/macros")
def macro_list():
    """The organization's macros and what each does."""
    return render_template("admin/macros.html", macros=queries.list_macros(_org()))


def _macro_form(macro=None) -> MacroForm:
    data = None
    if macro is not None and request.method == "GET":
        data = {
            "name": macro.name,
            "reply_body": macro.reply_body,
            "reply_kind": macro.reply_kind.value,
            "status": macro.status.value if macro.status else "",
            "priority": macro.priority.value if macro.priority else "",
            "assignee_id": macro.assignee_id or 0,
            "team_id": macro.team_id or 0,
            "add_tags": ", ".join(macro.add_tags),
            "remove_tags": ", ".join(macro.remove_tags),
        }
    form = MacroForm(data=data)
    agents = assignable_agents(_org())
    if macro is not None and macro.assignee is not None and macro.assignee not in agents:
        agents = [*agents, macro.assignee]  # saving keeps them (the service says if they left)
    form.assignee_id.choices = people_choices(agents, none_label=LEAVE)
    form.team_id.choices = people_choices(list_teams(_org()), none_label=LEAVE)
    return form


def _macro_page(form: MacroForm, macro=None):
    return render_template(
        "admin/macro_form.html", form=form, macro=macro, examples=placeholders.EXAMPLES
    )


@bp.route("/macros/new", methods=["GET", "POST"])
@requires("macro.manage")
def macro_new():
    """Define a macro."""
    form = _macro_form()
    return submit(
        form,
        lambda: service.create_macro(current_user, **form.values()),
        done=lambda macro: Saved(
            gettext("Macro “%(macro)s” saved.", macro=macro.name), url_for("admin.macro_list")
        ),
        page=lambda _: _macro_page(form),
    )


@bp.route("/macros/<int:macro_id>", methods=["GET", "POST"])
@requires("macro.manage")
def macro_edit(macro_id: int):
    """Change a macro's name or actions."""
    macro = queries.get_macro(_org(), macro_id)
    form = _macro_form(macro)
    return submit(
        form,
        lambda: service.update_macro(current_user, macro.id, **form.values()),
        done=lambda macro: Saved(
            gettext("Macro “%(macro)s” saved.", macro=macro.name), url_for("admin.macro_list")
        ),
        page=lambda _: _macro_page(form, macro),
    )


@bp.post("/macros/<int:macro_id>/delete")
@requires("macro.manage")
def macro_delete(macro_id: int):
    """Delete a macro."""
    back = url_for("admin.macro_list")
    return act(
        lambda: service.delete_macro(current_user, macro_id),
        done=lambda _: Saved(gettext("Macro deleted."), back),
        back=back,
    )
