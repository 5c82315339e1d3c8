"""POST /inbound/crm/<connection>/hubspot: HubSpot's webhook for contact changes, signature-checked.

No session, no CSRF: the v3 signature (crm.webhooks) is the authentication. A valid delivery
queues a job that reads the named contacts and takes their mapped fields (crm.inbound), so
HubSpot gets its answer at once. Unknown connections, and connections without a client secret,
are a 404; a bad or stale signature a 401.
"""

from __future__ import annotations

from flask import abort, jsonify, request

from supportdesk import jobs
from supportdesk.crm import webhooks
from supportdesk.crm.models import CrmConnection, Provider
from supportdesk.extensions import csrf, db
from supportdesk.inbound import bp
from supportdesk.mail.outbound.compose import external_url

MAX_BODY = 1_000_000


@bp.post("/inbound/crm/<int:connection_id>/hubspot")
@csrf.exempt
def crm_webhook_receive(connection_id: int):
    """Verify HubSpot's signature and queue a pull of the contacts it names."""
    connection = db.session.get(CrmConnection, connection_id)
    if connection is None or connection.provider is not Provider.HUBSPOT:
        abort(404)
    if not connection.webhook_secret or not connection.enabled:
        abort(404)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return jsonify({"error": {"code": "too_large", "message": "The body is too large."}}), 413
    body = request.get_data(cache=True)[:MAX_BODY]
    uri = external_url("inbound.crm_webhook_receive", connection_id=connection_id)
    if request.query_string:
        uri += "?" + request.query_string.decode("latin-1")
    if not webhooks.hubspot_valid(
        connection.webhook_secret,
        request.method,
        uri,
        body,
        request.headers.get("X-HubSpot-Request-Timestamp", ""),
        request.headers.get("X-HubSpot-Signature-v3", ""),
    ):
        return jsonify(
            {"error": {"code": "bad_signature", "message": "The signature does not match."}}
        ), 401
    ids = webhooks.contact_ids(request.get_json(silent=True))
    if ids:
        jobs.defer(db.session, "supportdesk.jobs.crm.apply_crm_webhook", connection.id, ids)
        db.session.commit()
    return jsonify({"accepted": len(ids)})
