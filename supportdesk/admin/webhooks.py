"""Admin views for webhooks: endpoints, their secret (shown once), test events and the delivery log."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.forms import ConfirmForm
from supportdesk.admin.webhook_forms import WebhookEndpointForm
from supportdesk.console.access import requires
from supportdesk.console.forms import apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.webhooks import queries, service
from supportdesk.webhooks.models import EVENT_TYPES

SHOWN_ONCE = "Copy the signing secret now; it will not be shown again: "


@bp.get("/webhooks")
@requires("webhook.manage")
def webhook_list():
    """The organization's endpoints and their state."""
    endpoints = queries.list_endpoints(current_user.organization_id)
    return render_template("admin/webhooks.html", endpoints=endpoints)


def _save(form: WebhookEndpointForm, save: Callable, template_args: dict):
    """Run `save()` for a valid form and commit; re-render with the reasons otherwise."""
    status = 200
    if form.validate_on_submit():
        try:
            endpoint = save()
            db.session.commit()
            return endpoint, None
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
    elif request.method == "POST":
        status = 422
    page = render_template(
        "admin/webhook_form.html", form=form, event_types=EVENT_TYPES, **template_args
    )
    return None, (page, status)


@bp.route("/webhooks/new", methods=["GET", "POST"])
@requires("webhook.manage")
def webhook_new():
    """Add an endpoint; its secret is shown once, on the next page."""
    form = WebhookEndpointForm(
        data={"event_types": list(EVENT_TYPES)} if request.method == "GET" else None
    )
    endpoint, page = _save(
        form,
        lambda: service.create_endpoint(
            current_user,
            url=form.url.data,
            description=form.description.data or "",
            event_types=form.event_types.data or [],
        ),
        {"endpoint": None},
    )
    if page:
        return page
    flash(SHOWN_ONCE + endpoint.secret, "secret")
    return redirect(url_for("admin.webhook_show", endpoint_id=endpoint.id))


@bp.route("/webhooks/<int:endpoint_id>/edit", methods=["GET", "POST"])
@requires("webhook.manage")
def webhook_edit(endpoint_id: int):
    """Change an endpoint's URL, description or events."""
    endpoint = queries.get_endpoint(current_user.organization_id, endpoint_id)
    form = WebhookEndpointForm(obj=endpoint if request.method == "GET" else None)
    saved, page = _save(
        form,
        lambda: service.update_endpoint(
            current_user,
            endpoint_id,
            url=form.url.data,
            description=form.description.data or "",
            event_types=form.event_types.data or [],
        ),
        {"endpoint": endpoint},
    )
    if page:
        return page
    flash("Endpoint saved.", "success")
    return redirect(url_for("admin.webhook_show", endpoint_id=endpoint_id))


@bp.get("/webhooks/<int:endpoint_id>")
@requires("webhook.manage")
def webhook_show(endpoint_id: int):
    """An endpoint, its state and its latest deliveries."""
    org = current_user.organization_id
    return render_template(
        "admin/webhook.html",
        endpoint=queries.get_endpoint(org, endpoint_id),
        deliveries=queries.list_deliveries(org, endpoint_id),
        event_types=EVENT_TYPES,
        confirm=ConfirmForm(),
    )


@bp.get("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>")
@requires("webhook.manage")
def webhook_delivery_show(endpoint_id: int, delivery_id: int):
    """One delivery: its payload and every attempt."""
    org = current_user.organization_id
    return render_template(
        "admin/webhook_delivery.html",
        endpoint=queries.get_endpoint(org, endpoint_id),
        delivery=queries.get_delivery(org, endpoint_id, delivery_id),
        confirm=ConfirmForm(),
    )


def _act(endpoint_id: int, action: Callable, message: Callable):
    """A button on the endpoint page: check the token, run one service, commit, say what happened."""
    back = redirect(url_for("admin.webhook_show", endpoint_id=endpoint_id), 303)
    if not ConfirmForm().validate():
        flash("The form had expired. Please try again.", "error")
        return back
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return back
    category, text = message(result)
    flash(text, category)
    return back


@bp.post("/webhooks/<int:endpoint_id>/enabled")
@requires("webhook.manage")
def webhook_set_enabled(endpoint_id: int):
    """Enable or disable an endpoint."""
    enabled = request.form.get("enabled") == "1"
    return _act(
        endpoint_id,
        lambda: service.set_enabled(current_user, endpoint_id, enabled),
        lambda e: ("success", "Endpoint enabled." if e.enabled else "Endpoint disabled."),
    )


@bp.post("/webhooks/<int:endpoint_id>/secret")
@requires("webhook.manage")
def webhook_secret_rotate(endpoint_id: int):
    """Replace the signing secret; the new one is shown once."""
    return _act(
        endpoint_id,
        lambda: service.rotate_secret(current_user, endpoint_id),
        lambda e: ("secret", SHOWN_ONCE + e.secret),
    )


@bp.post("/webhooks/<int:endpoint_id>/test")
@requires("webhook.manage")
def webhook_test_send(endpoint_id: int):
    """Queue a test event to the endpoint."""
    return _act(
        endpoint_id,
        lambda: service.send_test_event(current_user, endpoint_id),
        lambda d: ("success", f"Test event {d.event_id} queued; its delivery is listed below."),
    )


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@requires("webhook.manage")
def webhook_delivery_redeliver(endpoint_id: int, delivery_id: int):
    """Send a delivery again (same body and webhook-id)."""
    return _act(
        endpoint_id,
        lambda: service.redeliver(current_user, endpoint_id, delivery_id),
        lambda d: ("success", f"Delivery {d.event_id} queued again."),
    )
