"""Admin views for webhooks: endpoints, their secret (shown once), test events and the delivery log."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.forms import ConfirmForm
from supportdesk.admin.webhook_forms import WebhookEndpointForm
from supportdesk.console.access import requires
from supportdesk.submit import Saved, act, submit
from supportdesk.webhooks import queries, service
from supportdesk.webhooks.models import EVENT_TYPES

SHOWN_ONCE = "Copy the signing secret now; it will not be shown again: "


@bp.get("/webhooks")
@requires("webhook.manage")
def webhook_list():
    """The organization's endpoints and their state."""
    endpoints = queries.list_endpoints(current_user.organization_id)
    return render_template("admin/webhooks.html", endpoints=endpoints)


def _form_page(form: WebhookEndpointForm, endpoint) -> str:
    return render_template(
        "admin/webhook_form.html", form=form, event_types=EVENT_TYPES, endpoint=endpoint
    )


def _show(endpoint_id: int) -> str:
    return url_for("admin.webhook_show", endpoint_id=endpoint_id)


@bp.route("/webhooks/new", methods=["GET", "POST"])
@requires("webhook.manage")
def webhook_new():
    """Add an endpoint; its secret is shown once, on the next page."""
    form = WebhookEndpointForm(
        data={"event_types": list(EVENT_TYPES)} if request.method == "GET" else None
    )
    return submit(
        form,
        lambda: service.create_endpoint(current_user, **form.values()),
        done=lambda endpoint: Saved(SHOWN_ONCE + endpoint.secret, _show(endpoint.id), "secret"),
        page=lambda _: _form_page(form, None),
    )


@bp.route("/webhooks/<int:endpoint_id>/edit", methods=["GET", "POST"])
@requires("webhook.manage")
def webhook_edit(endpoint_id: int):
    """Change an endpoint's URL, description or events."""
    endpoint = queries.get_endpoint(current_user.organization_id, endpoint_id)
    form = WebhookEndpointForm(obj=endpoint if request.method == "GET" else None)
    return submit(
        form,
        lambda: service.update_endpoint(current_user, endpoint_id, **form.values()),
        done=lambda _: Saved(gettext("Endpoint saved."), _show(endpoint_id)),
        page=lambda _: _form_page(form, endpoint),
    )


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


@bp.post("/webhooks/<int:endpoint_id>/enabled")
@requires("webhook.manage")
def webhook_set_enabled(endpoint_id: int):
    """Enable or disable an endpoint."""
    enabled = request.form.get("enabled") == "1"
    return act(
        lambda: service.set_enabled(current_user, endpoint_id, enabled),
        done=lambda e: Saved(
            gettext("Endpoint enabled.") if e.enabled else gettext("Endpoint disabled."),
            _show(endpoint_id),
        ),
        back=_show(endpoint_id),
    )


@bp.post("/webhooks/<int:endpoint_id>/secret")
@requires("webhook.manage")
def webhook_secret_rotate(endpoint_id: int):
    """Replace the signing secret; the new one is shown once."""
    return act(
        lambda: service.rotate_secret(current_user, endpoint_id),
        done=lambda e: Saved(SHOWN_ONCE + e.secret, _show(endpoint_id), "secret"),
        back=_show(endpoint_id),
    )


@bp.post("/webhooks/<int:endpoint_id>/test")
@requires("webhook.manage")
def webhook_test_send(endpoint_id: int):
    """Queue a test event to the endpoint."""
    return act(
        lambda: service.send_test_event(current_user, endpoint_id),
        done=lambda d: Saved(
            gettext(
                "Test event %(event_id)s queued; its delivery is listed below.", event_id=d.event_id
            ),
            _show(endpoint_id),
        ),
        back=_show(endpoint_id),
    )


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@requires("webhook.manage")
def webhook_delivery_redeliver(endpoint_id: int, delivery_id: int):
    """Send a delivery again (same body and webhook-id)."""
    return act(
        lambda: service.redeliver(current_user, endpoint_id, delivery_id),
        done=lambda d: Saved(
            gettext("Delivery %(event_id)s queued again.", event_id=d.event_id), _show(endpoint_id)
        ),
        back=_show(endpoint_id),
    )
