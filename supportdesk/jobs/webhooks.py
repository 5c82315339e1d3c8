"""Webhook jobs: send one delivery (one attempt, then return), and re-queue what is due."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from supportdesk import jobs, outbox
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.webhooks import service, signing, transport
from supportdesk.webhooks.models import WebhookDelivery

DELIVER_JOB = "supportdesk.jobs.webhooks.deliver_webhook"


@job
def deliver_webhook(delivery_id: int) -> bool | None:
    """Make one attempt at a due delivery; a failure schedules its own retry and returns at once.

    Returns True when sent, False when it failed, None when there was nothing to do (not due,
    already sent, or leased by another worker).
    """
    config = current_app.config
    # Read what the request needs, then take the lease in the same transaction (one commit).
    delivery = _load(delivery_id)
    if delivery is None:
        return None
    url, secret, event_id = delivery.endpoint.url, delivery.endpoint.secret, delivery.event_id
    body, enabled = delivery.payload.encode(), delivery.endpoint.enabled
    lease = int(config["WEBHOOKS_LEASE_SECONDS"])
    if not outbox.claim(WebhookDelivery, delivery_id, lease_seconds=lease):
        return None
    if not enabled:
        service.give_up(_load(delivery_id), "The endpoint was disabled.")
        db.session.commit()
        return False
    # No transaction stays open during the HTTP request; the lease keeps other workers away.
    with outbox.released_on_stop(WebhookDelivery, delivery_id, DELIVER_JOB, queue="webhooks"):
        outcome = transport.post(
            url,
            body,
            signing.headers(secret, event_id, int(time.time()), body),
            connect_timeout=float(config["WEBHOOKS_CONNECT_TIMEOUT"]),
            total_timeout=float(config["WEBHOOKS_TIMEOUT"]),
            allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE"]),
            ca_bundle=config["WEBHOOKS_CA_BUNDLE"],
        )
    delivery = _load(delivery_id)
    service.record_attempt(delivery, delivery.endpoint, outcome)
    db.session.commit()
    return outcome.ok


def _load(delivery_id: int) -> WebhookDelivery | None:
    """The delivery with its endpoint, fresh, in one query."""
    return db.session.scalar(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .options(joinedload(WebhookDelivery.endpoint))
        .execution_options(populate_existing=True)
    )


@job
def sweep_webhooks() -> int:
    """Enqueue every delivery that is due (retries, and rows whose job was lost); returns how many."""
    ids = outbox.due_ids(WebhookDelivery)
    for delivery_id in ids:
        jobs.enqueue(DELIVER_JOB, delivery_id, queue="webhooks")
    return len(ids)
