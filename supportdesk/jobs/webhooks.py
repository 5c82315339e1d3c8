"""Webhook jobs: send one delivery (one attempt, then return), and re-queue what is due."""

from __future__ import annotations

import time

from flask import current_app

from supportdesk import jobs, outbox
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.webhooks import service, signing, transport
from supportdesk.webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVER_JOB = "supportdesk.jobs.webhooks.deliver_webhook"


@job
def deliver_webhook(delivery_id: int) -> bool | None:
    """Make one attempt at a due delivery; a failure schedules its own retry and returns at once.

    Returns True when sent, False when it failed, None when there was nothing to do (not due,
    already sent, or leased by another worker).
    """
    config = current_app.config
    if not outbox.claim(
        WebhookDelivery, delivery_id, lease_seconds=int(config["WEBHOOKS_LEASE_SECONDS"])
    ):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if not endpoint.enabled:
        service.give_up(delivery, "The endpoint was disabled.")
        db.session.commit()
        return False
    body = delivery.payload.encode()
    # Copy what the request needs: the lease is held, no transaction stays open during HTTP.
    url, secret, event_id = endpoint.url, endpoint.secret, delivery.event_id
    db.session.commit()
    outcome = transport.post(
        url,
        body,
        signing.headers(secret, event_id, int(time.time()), body),
        connect_timeout=float(config["WEBHOOKS_CONNECT_TIMEOUT"]),
        total_timeout=float(config["WEBHOOKS_TIMEOUT"]),
        allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE"]),
    )
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    service.record_attempt(delivery, endpoint, outcome)
    db.session.commit()
    return outcome.ok


@job
def sweep_webhooks() -> int:
    """Enqueue every delivery that is due (retries, and rows whose job was lost); returns how many."""
    ids = outbox.due_ids(WebhookDelivery)
    for delivery_id in ids:
        jobs.enqueue(DELIVER_JOB, delivery_id, queue="webhooks")
    return len(ids)
