"""Webhook reads for the admin pages, always within one organization, constant query counts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.webhooks.models import WebhookDelivery, WebhookEndpoint


def list_endpoints(organization_id: int) -> list[WebhookEndpoint]:
    """The organization's endpoints, oldest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.organization_id == organization_id)
            .order_by(WebhookEndpoint.id)
        )
    )


def get_endpoint(organization_id: int, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of the organization, or NotFound (also for another organization's id)."""
    endpoint = db.session.scalar(
        sa.select(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.id == endpoint_id
        )
    )
    if endpoint is None:
        raise NotFound("That webhook endpoint does not exist.")
    return endpoint


def list_deliveries(
    organization_id: int, endpoint_id: int, limit: int = 50
) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, with their attempts (two queries)."""
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(
                WebhookDelivery.organization_id == organization_id,
                WebhookDelivery.endpoint_id == endpoint_id,
            )
            .options(selectinload(WebhookDelivery.attempt_rows))
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def get_delivery(organization_id: int, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """One delivery of the endpoint with its attempts, or NotFound."""
    delivery = db.session.scalar(
        sa.select(WebhookDelivery)
        .where(
            WebhookDelivery.organization_id == organization_id,
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.id == delivery_id,
        )
        .options(selectinload(WebhookDelivery.attempt_rows))
    )
    if delivery is None:
        raise NotFound("That delivery does not exist.")
    return delivery


def page_endpoints(
    organization_id: int, *, after_id: int | None, limit: int
) -> tuple[list[WebhookEndpoint], int | None]:
    """One page of endpoints, oldest first, after `after_id`, and the last id if more follow."""
    query = sa.select(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization_id)
    if after_id is not None:
        query = query.where(WebhookEndpoint.id > after_id)
    rows = list(db.session.scalars(query.order_by(WebhookEndpoint.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more else None
