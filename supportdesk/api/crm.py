"""API views for the CRM connection (admins only), its sync log, and refreshing a customer.

The same services as the admin pages and the customer page: supportdesk.crm.service (checks,
audit), crm.sync (test connection) and crm.inbound (refresh). Secrets go in, never come out.
"""

from __future__ import annotations

from supportdesk.accounts.permissions import require
from supportdesk.api.access import actor, organization_id
from supportdesk.api.crm_schemas import (
    CrmConnection,
    CrmConnectionUpdate,
    CrmRefreshResult,
    CrmSync,
    CrmSyncList,
    CrmTestResult,
)
from supportdesk.api.operations import operation
from supportdesk.crm import inbound, mapping, queries, service, sync
from supportdesk.crm.providers.base import CrmError
from supportdesk.customers import queries as customers
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.mail.outbound.compose import external_url

TAG = "CRM"
_CONNECTION = {
    "provider": "hubspot",
    "base_url": "https://api.hubapi.com",
    "enabled": True,
    "client_id": "",
    "access_token_set": True,
    "client_secret_set": False,
    "refresh_token_set": False,
    "webhook_secret_set": False,
    "webhook_url": "https://help.example.com/inbound/crm/1/hubspot",
    "field_map": {
        "company": {"property": "company", "direction": "both", "master": "crm"},
        "tier": {"property": "supportdesk_tier", "direction": "pull", "master": "crm"},
    },
    "timeline_events": ["ticket.created", "ticket.resolved"],
    "timeline_object": "Task",
    "status": "ok",
    "status_message": "",
    "checked_at": "2026-11-28T03:00:00Z",
    "pulled_at": None,
}


def _out(connection) -> CrmConnection:
    return CrmConnection(
        provider=connection.provider.value,
        base_url=connection.base_url,
        enabled=connection.enabled,
        client_id=connection.client_id,
        access_token_set=bool(connection.access_token),
        client_secret_set=bool(connection.client_secret),
        refresh_token_set=bool(connection.refresh_token),
        webhook_secret_set=bool(connection.webhook_secret),
        webhook_url=(
            external_url("inbound.crm_webhook_receive", connection_id=connection.id)
            if connection.provider.value == "hubspot"
            else None
        ),
        field_map={
            name: {**entry, "master": mapping.master(connection.field_map, name)}
            for name, entry in (connection.field_map or {}).items()
        },
        timeline_events=connection.timeline_events,
        timeline_object=connection.timeline_object,
        status=connection.status.value,
        status_message=connection.status_message,
        checked_at=connection.checked_at,
        pulled_at=connection.pulled_at,
    )


@operation(
    "GET",
    "/crm/connection",
    tag=TAG,
    summary="Get the CRM connection",
    response=CrmConnection,
    response_example=_CONNECTION,
    admins_only=True,
    references=True,
)
def crm_connection_get():
    """The organization's CRM connection without its secrets (404 when none). Admins only."""
    require(actor(), "crm.manage")
    return _out(service.require_connection(organization_id()))


@operation(
    "PUT",
    "/crm/connection",
    tag=TAG,
    summary="Connect or reconfigure the CRM",
    body=CrmConnectionUpdate,
    response=CrmConnection,
    request_example={"provider": "hubspot", "access_token": "pat-na1-…"},
    response_example=_CONNECTION,
    admins_only=True,
    conflicts=True,
)
def crm_connection_put(body: CrmConnectionUpdate):
    """Create or replace the connection's settings. Secrets left out keep their stored values;
    they are stored encrypted and never returned; 409 names a secret the connection has never
    had. An address whose host does not resolve, or is private, is refused by policy (403
    naming `base_url`). Admins only."""
    field_map = body.field_map.model_dump(exclude_none=True) if body.field_map else None
    connection = service.save_connection(
        actor(), **body.model_dump(exclude={"field_map"}), field_map=field_map
    )
    db.session.commit()
    return _out(connection)


@operation(
    "POST",
    "/crm/connection/test",
    tag=TAG,
    summary="Test the CRM connection",
    response=CrmTestResult,
    response_example={"ok": False, "message": "HubSpot refused the access token (401)."},
    admins_only=True,
    references=True,
)
def crm_connection_test():
    """Call the CRM now; `message` says what is wrong when `ok` is false. Admins only."""
    require(actor(), "crm.manage")
    problem = sync.check_connection(service.require_connection(organization_id()))
    return CrmTestResult(ok=problem is None, message=problem or "The connection works.")


@operation(
    "GET",
    "/crm/syncs",
    tag=TAG,
    summary="List CRM sync entries",
    response=CrmSyncList,
    response_example={"data": []},
    admins_only=True,
)
def crm_sync_list():
    """The newest 100 sync rows: what was written, its state and error. Admins only."""
    require(actor(), "crm.manage")
    rows = queries.list_syncs(organization_id(), limit=100)
    return CrmSyncList(
        data=[
            CrmSync(
                id=r.id,
                kind=r.kind.value,
                customer_id=r.customer_id,
                state=r.state.value,
                attempts=r.attempts,
                crm_object_id=r.crm_object_id,
                last_error=r.last_error,
                request_summary=r.request_summary,
                note=r.note,
                duration_ms=r.duration_ms,
                created_at=r.created_at,
                sent_at=r.sent_at,
            )
            for r, _ in rows
        ]
    )


@operation(
    "POST",
    "/customers/{customer_id}/crm-refresh",
    tag=TAG,
    summary="Refresh a customer from the CRM",
    response=CrmRefreshResult,
    response_example={
        "ok": True,
        "message": "Updated from HubSpot: tier Free → Premium.",
        "crm_id": "501",
        "crm_sync_status": "synced",
        "tier": "premium",
        "company": "Acme",
    },
    path_params={"customer_id": "The customer's id."},
)
def customer_crm_refresh(customer_id: int):
    """Read the customer's CRM contact now and take its mapped tier and company. When the CRM
    cannot be read, `ok` is false and `message` says why (nothing changes). 404 when no CRM is
    connected."""
    require(actor(), "customer.edit")
    customer = customers.get_customer(organization_id(), customer_id)
    connection = service.get_connection(organization_id())
    if connection is None or not connection.enabled:
        raise NotFound("This organization has no CRM connection.")
    ok = True
    try:
        message = inbound.refresh_customer(connection, customer)
    except CrmError as exc:
        ok, message = False, f"The CRM could not be read: {exc}"
    return CrmRefreshResult(
        ok=ok,
        message=message,
        crm_id=customer.crm_id,
        crm_sync_status=customer.crm_sync_status,
        tier=customer.tier.value,
        company=customer.company,
    )
