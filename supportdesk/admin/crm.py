"""Admin views for the CRM connection: settings, "Test connection", full sync and the sync log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.crm_forms import CrmConnectionForm
from supportdesk.admin.forms import ConfirmForm
from supportdesk.console.access import requires
from supportdesk.crm import mapping, queries, service, sync
from supportdesk.crm.service import TIMELINE_EVENTS
from supportdesk.mail.outbound.compose import external_url
from supportdesk.submit import Saved, act, submit


def _page() -> str:
    return url_for("admin.crm_show")


def _render(form: CrmConnectionForm, connection):
    org = current_user.organization_id
    return render_template(
        "admin/crm.html",
        form=form,
        connection=connection,
        directions=mapping.DIRECTIONS,
        timeline_events=TIMELINE_EVENTS,
        counts=queries.sync_counts(org) if connection else {},
        recent=queries.list_syncs(org, limit=10) if connection else [],
        confirm=ConfirmForm(),
        webhook_url=(
            external_url("inbound.crm_webhook_receive", connection_id=connection.id)
            if connection is not None and connection.provider.value == "hubspot"
            else None
        ),
    )


@bp.route("/crm", methods=["GET", "POST"])
@requires("crm.manage")
def crm_show():
    """The connection's settings (secrets write-only), its status and the latest syncs."""
    connection = service.get_connection(current_user.organization_id)
    form = CrmConnectionForm(
        data=CrmConnectionForm.initial(connection) if request.method == "GET" else None
    )
    return submit(
        form,
        lambda: service.save_connection(current_user, **form.values()),
        done=lambda c: Saved(
            gettext(
                "%(provider)s connection saved. Press “Test connection” to check it.",
                provider=c.provider.label,
            ),
            _page(),
        ),
        page=lambda _: _render(form, connection),
    )


@bp.post("/crm/test")
@requires("crm.manage")
def crm_test():
    """Call the CRM now and say in a sentence whether the connection works."""
    connection = service.require_connection(current_user.organization_id)
    problem = sync.check_connection(connection)
    if problem is None:
        flash(
            gettext(
                "%(provider)s answered: the connection works.", provider=connection.provider.label
            ),
            "success",
        )
    else:
        flash(gettext("The connection does not work: %(problem)s", problem=problem), "error")
    return redirect(_page())


@bp.post("/crm/full-sync")
@requires("crm.manage")
def crm_full_sync():
    """Queue every customer for a contact upsert (runs in the background)."""
    return act(
        lambda: service.queue_full_sync(current_user),
        done=lambda n: Saved(
            ngettext(
                "%(num)s customer queued for the CRM.", "%(num)s customers queued for the CRM.", n
            ),
            url_for("admin.crm_log"),
        ),
        back=_page(),
    )


@bp.post("/crm/disconnect")
@requires("crm.manage")
def crm_disconnect():
    """Forget the connection and its credentials."""
    return act(
        lambda: service.delete_connection(current_user),
        done=lambda _: Saved(
            gettext("The CRM is disconnected; its credentials are gone."), _page()
        ),
        back=_page(),
    )


@bp.get("/crm/log")
@requires("crm.manage")
def crm_log():
    """Every sync row, newest first: what was sent, the answer, how long it took."""
    org = current_user.organization_id
    state = request.args.get("state", "")
    return render_template(
        "admin/crm_log.html",
        connection=service.require_connection(org),
        rows=queries.list_syncs(org, state=state, limit=200),
        state=state,
        confirm=ConfirmForm(),
    )


@bp.post("/crm/log/<int:sync_id>/resend")
@requires("crm.manage")
def crm_sync_resend(sync_id: int):
    """Run one sync row again now (it writes the same CRM record, never a second one)."""
    return act(
        lambda: service.resend(current_user, sync_id),
        done=lambda _: Saved(gettext("Queued again."), url_for("admin.crm_log")),
        back=url_for("admin.crm_log"),
    )
