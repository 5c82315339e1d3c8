"""Admin views for the CRM connection: settings, "Test connection", full sync and the sync log."""

from __future__ import annotations

import hmac
import re
from dataclasses import asdict
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.crm_forms import CrmConnectionForm
from supportdesk.admin.forms import ConfirmForm
from supportdesk.console.access import requires
from supportdesk.crm import mapping, oauth, queries, service, sync
from supportdesk.crm.providers.base import CrmError
from supportdesk.crm.service import TIMELINE_EVENTS
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.mail.outbound.compose import external_url
from supportdesk.submit import Saved, act, submit
from supportdesk.web import CONTENT_SECURITY_POLICY

PENDING_KEY = "crm_oauth_pending"


def _callback_url() -> str:
    """The connected app's callback URL (the admin registers it in Salesforce)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("admin.crm_salesforce_callback")


def _page() -> str:
    return url_for("admin.crm_show")


def _policy(connection) -> str:
    """The page's CSP: "Connect Salesforce" posts to us and is redirected to the login host,
    and browsers apply form-action to that redirect, so that one origin is allowed too."""
    if connection is None or connection.provider.value != "salesforce":
        return CONTENT_SECURITY_POLICY
    url = urlsplit(connection.base_url)
    origin = f"{url.scheme}://{url.netloc}"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def _render(form: CrmConnectionForm, connection):
    org = current_user.organization_id
    page = render_template(
        "admin/crm.html",
        form=form,
        connection=connection,
        directions=mapping.DIRECTIONS,
        timeline_events=TIMELINE_EVENTS,
        counts=queries.sync_counts(org) if connection else {},
        recent=queries.list_syncs(org, limit=10) if connection else [],
        confirm=ConfirmForm(),
        callback_url=_callback_url(),
        webhook_url=(
            external_url("inbound.crm_webhook_receive", connection_id=connection.id)
            if connection is not None and connection.provider.value == "hubspot"
            else None
        ),
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = _policy(connection)
    return response


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


@bp.post("/crm/salesforce/connect")
@requires("crm.manage")
def crm_salesforce_connect():
    """Send the admin to Salesforce to sign in and allow the connected app (OAuth 2.0, PKCE)."""
    pending = oauth.Pending.new(current_user)
    try:
        url = oauth.authorize_url(current_user, pending, redirect_uri=_callback_url())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(_page())
    session[PENDING_KEY] = asdict(pending)
    return redirect(url)


@bp.get("/crm/salesforce/callback")
@requires("crm.manage")
def crm_salesforce_callback():
    """Salesforce sends the browser back here with a code (or an error) and our state."""
    saved = session.pop(PENDING_KEY, None)
    pending = oauth.Pending(**saved) if saved else None
    if pending is None or (pending.organization_id, pending.user_id) != (
        current_user.organization_id,
        current_user.id,
    ):
        flash(
            gettext(
                "This answer from Salesforce belongs to no sign-in you started here. Press "
                "“Connect Salesforce” again."
            ),
            "error",
        )
        return redirect(_page())
    if not hmac.compare_digest(request.args.get("state", ""), pending.state):
        flash(
            gettext(
                "This answer from Salesforce does not belong to the sign-in you started (state "
                "mismatch). Press “Connect Salesforce” again."
            ),
            "error",
        )
        return redirect(_page())
    if request.args.get("error"):
        code = re.sub(r"[^A-Za-z0-9_.-]", "", request.args["error"])[:40] or "unknown"
        said = " ".join(request.args.get("error_description", "").split())[:200] or code
        flash(gettext("Salesforce did not connect: %(problem)s.", problem=said), "error")
        return redirect(_page())
    try:
        connection = oauth.complete(
            current_user, pending, code=request.args.get("code", ""), redirect_uri=_callback_url()
        )
    except (CrmError, DomainError) as exc:
        db.session.rollback()
        problem = getattr(exc, "message", None) or str(exc)
        flash(gettext("Salesforce did not connect: %(problem)s", problem=problem), "error")
        return redirect(_page())
    db.session.commit()
    flash(
        gettext(
            "Salesforce is connected (%(instance)s); the sync runs.",
            instance=connection.instance_url,
        ),
        "success",
    )
    return redirect(_page())
