"""Webhook writes: endpoints, the outbox rows for events, and the outcome of each attempt.

Flushes, never commits. Checking an endpoint's URL resolves its host name (the one lookup this
layer does) so an admin learns at once that an address will be refused.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from supportdesk import audit, events, jobs
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import touch_if_changed, utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.outbox import OutboxState, backoff
from supportdesk.webhooks import guard, payloads
from supportdesk.webhooks.models import (
    EVENT_TYPES,
    TEST_EVENT,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from supportdesk.webhooks.signing import new_event_id, new_secret
from supportdesk.webhooks.transport import Outcome

log = logging.getLogger(__name__)

DRAIN_JOB = "supportdesk.jobs.webhooks.deliver_webhooks"
INTERRUPTED = "Interrupted: the worker stopped during this attempt (whether it arrived is unknown)."


@dataclass(frozen=True)
class EndpointDisabled:
    """Domain event: an endpoint was switched off automatically; its admins hear of it by mail.

    There is no switch for that mail: admins always hear about a broken integration.
    """

    organization_id: int
    endpoint_id: int
    url: str
    description: str
    reason: str
    disabled_at: dt.datetime


# -- endpoints ------------------------------------------------------------------------------


def _endpoint(actor: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.scalar(
        sa.select(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == actor.organization_id,
            WebhookEndpoint.id == endpoint_id,
        )
    )
    if endpoint is None:
        raise NotFound("That webhook endpoint does not exist.")
    return endpoint


def _clean(url: str, description: str, event_types: list[str]) -> tuple[str, str, list[str]]:
    url = (url or "").strip()
    if len(url) > 2000:
        raise ValidationFailed("The URL is too long.", {"url": "Use at most 2,000 characters."})
    guard.resolve(url, allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown or not event_types:
        raise ValidationFailed(
            "Choose the events to send.", {"event_types": "Choose at least one event type."}
        )
    ordered = [t for t in EVENT_TYPES if t in event_types]
    return url, (description or "").strip()[:500], ordered


def create_endpoint(
    actor: User, *, url: str, description: str = "", event_types: list[str]
) -> WebhookEndpoint:
    """Add an enabled endpoint with a fresh secret (the caller shows `endpoint.secret` once)."""
    require(actor, "webhook.manage")
    url, description, event_types = _clean(url, description, event_types)
    endpoint = WebhookEndpoint(
        organization_id=actor.organization_id,
        url=url,
        description=description,
        event_types=event_types,
        enabled=True,
        secret=new_secret(),
    )
    db.session.add(endpoint)
    db.session.flush()
    _audit(actor, "webhook.created", endpoint, None)
    return endpoint


ENDPOINT_FIELDS = ("url", "description", "event_types", "enabled")


def _audit(actor: User, action: str, endpoint: WebhookEndpoint, before: dict | None) -> None:
    audit.record_changes(
        actor.organization_id,
        action,
        actor=actor,
        target=("webhook", endpoint.id, endpoint.url),
        before=before,
        after=audit.snapshot(endpoint, ENDPOINT_FIELDS),
    )


def update_endpoint(
    actor: User, endpoint_id: int, *, url: str, description: str, event_types: list[str]
) -> WebhookEndpoint:
    """Change an endpoint's URL, description or event types (the secret stays)."""
    require(actor, "webhook.manage")
    endpoint = _endpoint(actor, endpoint_id)
    before = audit.snapshot(endpoint, ENDPOINT_FIELDS)
    endpoint.url, endpoint.description, endpoint.event_types = _clean(url, description, event_types)
    touch_if_changed(endpoint)
    db.session.flush()
    _audit(actor, "webhook.updated", endpoint, before)
    return endpoint


def set_enabled(actor: User, endpoint_id: int, enabled: bool) -> WebhookEndpoint:
    """Enable (forgetting past failures) or disable an endpoint by hand."""
    require(actor, "webhook.manage")
    endpoint = _endpoint(actor, endpoint_id)
    before = audit.snapshot(endpoint, ENDPOINT_FIELDS)
    if enabled:
        endpoint.enabled = True
        endpoint.disabled_reason = ""
        endpoint.disabled_at = None
        endpoint.consecutive_failures = 0
        endpoint.failing_since = None
    elif endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_reason = f"Disabled by {actor.name}."
        endpoint.disabled_at = utcnow()
    touch_if_changed(endpoint)
    db.session.flush()
    _audit(actor, "webhook.enabled" if enabled else "webhook.disabled", endpoint, before)
    return endpoint


def rotate_secret(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """Replace the signing secret at once (the caller shows the new one once)."""
    require(actor, "webhook.manage")
    endpoint = _endpoint(actor, endpoint_id)
    endpoint.secret = new_secret()
    endpoint.updated_at = utcnow()
    db.session.flush()
    audit.record(
        actor.organization_id,
        "webhook.secret_rotated",
        actor=actor,
        target=("webhook", endpoint.id, endpoint.url),
    )
    return endpoint


# -- deliveries -----------------------------------------------------------------------------


def _queue(endpoint: WebhookEndpoint, event_type: str, event_id: str, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery(
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.id,
        event_type=event_type,
        event_id=event_id,
        payload=body,
        state=OutboxState.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.session.add(delivery)
    return delivery


def _encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def queue_events(items: list[Any]) -> list[WebhookDelivery]:
    """The subscriber: one delivery per (event, enabled endpoint that wants it), jobs deferred."""
    organization_ids = payloads.organization_ids(items)
    if not organization_ids:
        return []
    endpoints = list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(
                WebhookEndpoint.organization_id.in_(organization_ids),
                WebhookEndpoint.enabled.is_(True),
            )
            .order_by(WebhookEndpoint.id)
        )
    )
    if not endpoints:
        return []
    db.session.flush()  # ids and versions of what the transaction wrote
    deliveries = []
    for event in payloads.build(items, {e.organization_id for e in endpoints}):
        targets = [
            e
            for e in endpoints
            if e.organization_id == event.organization_id and e.wants(event.type)
        ]
        if targets:
            body, event_id = _encode(event.as_payload()), new_event_id()
            deliveries.extend(_queue(e, event.type, event_id, body) for e in targets)
    _defer(deliveries)
    return deliveries


def _defer(deliveries: list[WebhookDelivery]) -> None:
    if not deliveries:
        return
    db.session.flush()
    jobs.wake(db.session, DRAIN_JOB, queue="webhooks")


def send_test_event(actor: User, endpoint_id: int) -> WebhookDelivery:
    """Queue a `webhook.test` event to one endpoint, whatever types it subscribed to."""
    require(actor, "webhook.manage")
    endpoint = _endpoint(actor, endpoint_id)
    if not endpoint.enabled:
        raise ValidationFailed("Enable the endpoint before sending it a test event.")
    now = utcnow()
    body = _encode(
        {
            "type": TEST_EVENT,
            "timestamp": payloads.iso(now),
            "data": {
                "endpoint_id": endpoint.id,
                "organization_id": endpoint.organization_id,
                "message": f"A test event sent by {actor.name}.",
            },
        }
    )
    delivery = _queue(endpoint, TEST_EVENT, new_event_id(), body)
    _defer([delivery])
    return delivery


def redeliver(actor: User, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (same body and webhook-id), whatever its state."""
    require(actor, "webhook.manage")
    endpoint = _endpoint(actor, endpoint_id)
    delivery = db.session.scalar(
        sa.select(WebhookDelivery).where(
            WebhookDelivery.organization_id == actor.organization_id,
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.id == delivery_id,
        )
    )
    if delivery is None:
        raise NotFound("That delivery does not exist.")
    if not endpoint.enabled:
        raise ValidationFailed("Enable the endpoint before redelivering to it.")
    delivery.state = OutboxState.QUEUED
    delivery.next_attempt_at = utcnow()
    delivery.locked_until = None
    _defer([delivery])
    return delivery


# -- outcomes -------------------------------------------------------------------------------


def retry_schedule() -> list[int]:
    """Seconds to wait before each retry (WEBHOOKS_RETRY_SCHEDULE, a list or "5,300,...")."""
    value = current_app.config["WEBHOOKS_RETRY_SCHEDULE"]
    if isinstance(value, str):
        value = [part for part in value.replace(" ", "").split(",") if part]
    return [int(v) for v in value]


def record_attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, outcome: Outcome) -> None:
    """Log the attempt; mark the delivery sent, schedule its retry, or give up (and judge the
    endpoint). Not flushed: a worker records a batch of answers and flushes them together."""
    now = utcnow()
    config = current_app.config
    db.session.add(
        WebhookAttempt(
            organization_id=delivery.organization_id,
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt,
            error=outcome.error[:500],
        )
    )
    delivery.attempts += 1
    delivery.last_status_code = outcome.status_code
    delivery.locked_until = None
    if outcome.ok:
        delivery.state = OutboxState.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        endpoint.consecutive_failures = 0
        endpoint.failing_since = None
        return
    delivery.last_error = outcome.error[:1000]
    endpoint.failing_since = endpoint.failing_since or now
    schedule = retry_schedule()
    if outcome.status_code == 410:
        delivery.state = OutboxState.FAILED
        disable_endpoint(endpoint, "The receiver answered 410 Gone: it asked for no more events.")
    elif delivery.attempts > len(schedule):
        delivery.state = OutboxState.FAILED
        endpoint.consecutive_failures += 1
    else:
        delivery.state = OutboxState.DEFERRED
        wait = backoff(delivery.attempts, schedule)
        if outcome.retry_after is not None:
            cap = float(config["WEBHOOKS_RETRY_AFTER_MAX_SECONDS"])
            wait = dt.timedelta(seconds=min(outcome.retry_after, cap))
        delivery.next_attempt_at = now + wait
        # On time, not at the next sweep: RQ's scheduler runs the drain when the retry is due.
        jobs.defer(db.session, DRAIN_JOB, queue="webhooks", at=delivery.next_attempt_at)
    if endpoint.enabled:
        limit = int(config["WEBHOOKS_DISABLE_AFTER_FAILURES"])
        span = dt.timedelta(seconds=int(config["WEBHOOKS_DISABLE_AFTER_SECONDS"]))
        if limit > 0 and endpoint.consecutive_failures >= limit:
            disable_endpoint(
                endpoint, f"{endpoint.consecutive_failures} deliveries in a row failed."
            )
        elif now - endpoint.failing_since > span:
            disable_endpoint(
                endpoint,
                f"Every delivery has failed since {payloads.iso(endpoint.failing_since)}.",
            )


def record_interrupted(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
    """Log an attempt whose worker died before recording it (its lease ran out) and make the
    delivery due again at once (the lease was the wait), or fail it if that was the last try."""
    now = utcnow()
    db.session.add(
        WebhookAttempt(
            organization_id=delivery.organization_id,
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=None,
            latency_ms=0,
            response_excerpt="",
            error=INTERRUPTED,
        )
    )
    delivery.attempts += 1
    delivery.locked_until = None
    delivery.last_error = INTERRUPTED
    if delivery.attempts > len(retry_schedule()):
        delivery.state = OutboxState.FAILED
        endpoint.consecutive_failures += 1
    else:
        delivery.state = OutboxState.DEFERRED
        delivery.next_attempt_at = now
    db.session.flush()


def give_up(delivery: WebhookDelivery, reason: str) -> None:
    """Stop a delivery that can no longer be sent (its endpoint was disabled meanwhile)."""
    delivery.state = OutboxState.FAILED
    delivery.last_error = reason
    delivery.locked_until = None
    db.session.flush()


def disable_endpoint(endpoint: WebhookEndpoint, reason: str) -> None:
    """Switch an endpoint off automatically, keep the reason for admins, and tell them."""
    endpoint.enabled = False
    endpoint.disabled_reason = reason[:500]
    endpoint.disabled_at = utcnow()
    endpoint.updated_at = endpoint.disabled_at
    notify_endpoint_disabled(endpoint)


def notify_endpoint_disabled(endpoint: WebhookEndpoint) -> None:
    """Log it and record an EndpointDisabled event (mail.rules mails the admins at the COMMIT)."""
    log.warning(
        "Webhook endpoint %s of organization %s disabled: %s",
        endpoint.id,
        endpoint.organization_id,
        endpoint.disabled_reason,
    )
    events.record(
        db.session,
        EndpointDisabled(
            organization_id=endpoint.organization_id,
            endpoint_id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            reason=endpoint.disabled_reason,
            disabled_at=endpoint.disabled_at,
        ),
    )
