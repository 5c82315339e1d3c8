"""Webhooks from the CRM: HubSpot's v3 request signature, and the contacts a delivery names.

HubSpot (developers.hubspot.com, "Validating requests"): `X-HubSpot-Signature-v3` is the base64
HMAC-SHA256, keyed with the app's client secret, of method + URI + body + the
`X-HubSpot-Request-Timestamp` header (milliseconds); a timestamp older than five minutes is
refused, so a captured request cannot be replayed later. The URI is the one HubSpot posted to:
our BASE_URL and the route, not what a proxy passed on. Salesforce sends no comparable signed
webhook for REST integrations (Outbound Messages are SOAP); Salesforce changes come by the pull.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import unquote

MAX_AGE_MS = 5 * 60 * 1000


def hubspot_signature(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The v3 signature HubSpot sends for this request."""
    message = method.encode() + unquote(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def hubspot_valid(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now_ms: int | None = None,
) -> bool:
    """Whether the request carries a fresh, matching v3 signature."""
    if not (secret and signature and timestamp.isdigit()):
        return False
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > MAX_AGE_MS:
        return False
    expected = hubspot_signature(secret, method, uri, body, timestamp)
    return hmac.compare_digest(expected.encode(), signature.encode())


def contact_ids(payload: Any) -> list[str]:
    """The ids of the contacts a HubSpot delivery says changed (creation or property change)."""
    if not isinstance(payload, list):
        return []
    ids = []
    for event in payload:
        if not isinstance(event, dict):
            continue
        kind = str(event.get("subscriptionType") or "")
        object_id = event.get("objectId")
        if kind.startswith("contact.") and object_id is not None and str(object_id) not in ids:
            ids.append(str(object_id))
    return ids[:100]
