"""API views for webhook endpoints (admins only): list, get, create, update, rotate the secret.

The same services as the admin pages: role check (`webhook.manage`), URL validation and the
address guard all come from supportdesk.webhooks.service. The signing secret appears only in the
answers to create and rotate-secret. There is no delete: the webhooks service has none (disable
an endpoint instead, which keeps its delivery log).
"""

from __future__ import annotations

from flask import url_for

from supportdesk.accounts.permissions import require
from supportdesk.api import examples, schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.extensions import db
from supportdesk.webhooks import queries, service

TAG = "Webhook endpoints"
ENDPOINT_ID = {"endpoint_id": "The webhook endpoint's id."}
_THE_ENDPOINT = {"endpoint_id": "$response.body#/id"}
ENDPOINT_LINKS = {
    "GetWebhookEndpoint": ("webhook_endpoint_get", _THE_ENDPOINT),
    "UpdateWebhookEndpoint": ("webhook_endpoint_update", _THE_ENDPOINT),
    "RotateWebhookEndpointSecret": ("webhook_endpoint_rotate_secret", _THE_ENDPOINT),
}


def _admin() -> None:
    # Reads check the same permission the service's writes require (the secret-free listing
    # still reveals where the organization's data goes).
    require(actor(), "webhook.manage")


@operation(
    "GET",
    "/webhook-endpoints",
    tag=TAG,
    summary="List webhook endpoints",
    query=schemas.WebhookEndpointListQuery,
    response=schemas.WebhookEndpointPage,
    response_example=examples.WEBHOOK_ENDPOINT_PAGE,
    admins_only=True,
)
def webhook_endpoint_list(query: schemas.WebhookEndpointListQuery):
    """The organization's webhook endpoints, oldest first, without their secrets. Admins only."""
    _admin()
    rows, last_id = queries.page_endpoints(
        organization_id(), after_id=query.after_id, limit=query.limit
    )
    return schemas.WebhookEndpointPage(
        data=[schemas.WebhookEndpoint.model_validate(e) for e in rows],
        next_cursor=str(last_id) if last_id is not None else None,
    )


@operation(
    "GET",
    "/webhook-endpoints/{endpoint_id}",
    tag=TAG,
    summary="Get a webhook endpoint",
    response=schemas.WebhookEndpoint,
    response_example=examples.WEBHOOK_ENDPOINT,
    path_params=ENDPOINT_ID,
    admins_only=True,
)
def webhook_endpoint_get(endpoint_id: int):
    """One webhook endpoint, without its secret. Admins only."""
    _admin()
    endpoint = queries.get_endpoint(organization_id(), endpoint_id)
    return schemas.WebhookEndpoint.model_validate(endpoint)


@operation(
    "POST",
    "/webhook-endpoints",
    tag=TAG,
    summary="Create a webhook endpoint",
    status=201,
    body=schemas.WebhookEndpointCreate,
    response=schemas.WebhookEndpointWithSecret,
    request_example=examples.WEBHOOK_ENDPOINT_CREATE,
    response_example=examples.WEBHOOK_ENDPOINT_WITH_SECRET,
    links=ENDPOINT_LINKS,
    headers=("Location",),
)
def webhook_endpoint_create(body: schemas.WebhookEndpointCreate):
    """Add an endpoint. The answer carries its signing `secret`, the only time it is shown.
    A URL whose host does not resolve, or resolves to a private or reserved address, is
    refused by policy (403 naming `url`). Admins only."""
    endpoint = service.create_endpoint(
        actor(), url=body.url, description=body.description, event_types=body.event_types
    )
    if not body.enabled:
        endpoint = service.set_enabled(actor(), endpoint.id, False)
    out = schemas.WebhookEndpointWithSecret.model_validate(endpoint)
    db.session.commit()
    return out, {"Location": url_for("api.webhook_endpoint_get", endpoint_id=endpoint.id)}


@operation(
    "PATCH",
    "/webhook-endpoints/{endpoint_id}",
    tag=TAG,
    summary="Update a webhook endpoint",
    body=schemas.WebhookEndpointUpdate,
    response=schemas.WebhookEndpoint,
    request_example=examples.WEBHOOK_ENDPOINT_UPDATE,
    response_example=examples.WEBHOOK_ENDPOINT,
    path_params=ENDPOINT_ID,
)
def webhook_endpoint_update(endpoint_id: int, body: schemas.WebhookEndpointUpdate):
    """Change the URL, description, event types or `enabled`; fields left out stay as they are.
    Enabling an endpoint forgets its past failures. Admins only."""
    require(actor(), "webhook.manage")
    endpoint = queries.get_endpoint(organization_id(), endpoint_id)
    if body.url is not None or body.description is not None or body.event_types is not None:
        endpoint = service.update_endpoint(
            actor(),
            endpoint.id,
            url=body.url if body.url is not None else endpoint.url,
            description=body.description if body.description is not None else endpoint.description,
            event_types=body.event_types if body.event_types is not None else endpoint.event_types,
        )
    if body.enabled is not None:
        endpoint = service.set_enabled(actor(), endpoint.id, body.enabled)
    out = schemas.WebhookEndpoint.model_validate(endpoint)
    db.session.commit()
    return out


@operation(
    "POST",
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    tag=TAG,
    summary="Rotate a webhook endpoint's secret",
    response=schemas.WebhookEndpointWithSecret,
    response_example=examples.WEBHOOK_ENDPOINT_WITH_SECRET,
    path_params=ENDPOINT_ID,
)
def webhook_endpoint_rotate_secret(endpoint_id: int):
    """Replace the signing secret at once; the answer carries the new one, shown only this time.
    Deliveries from now on are signed with it. Admins only."""
    endpoint = service.rotate_secret(actor(), endpoint_id)
    out = schemas.WebhookEndpointWithSecret.model_validate(endpoint)
    db.session.commit()
    return out
