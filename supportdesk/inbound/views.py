"""POST /inbound/email: a raw RFC 5322 message from a mail provider's inbound webhook.

Authenticated by a shared secret (Authorization: Bearer <SUPPORTDESK_INBOUND_TOKEN>, compared in
constant time); with no token configured the endpoint does not exist (404). No session, no CSRF.
"""

from __future__ import annotations

import hmac

from flask import abort, current_app, jsonify, request
from sqlalchemy.exc import OperationalError

from supportdesk.extensions import csrf, db
from supportdesk.inbound import bp
from supportdesk.mail.inbound.service import MessageTooLarge, receive_email

ACCEPTED_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")


def _error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def _authorised() -> bool:
    token = current_app.config.get("INBOUND_TOKEN")
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


@bp.post("/inbound/email")
@csrf.exempt
def email_receive():
    """Store and process one raw message; answers {decision, reason, ticket}."""
    if not current_app.config.get("INBOUND_TOKEN"):
        abort(404)
    if not _authorised():
        response = _error(401, "unauthorized", "A valid bearer token is required.")
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="inbound"'
        return response
    if request.mimetype not in ACCEPTED_TYPES:
        return _error(415, "unsupported_media_type", "Send the raw message as message/rfc822.")
    limit = int(current_app.config["INBOUND_MAX_MESSAGE_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        return _error(413, "too_large", f"The message is over the {limit:,}-byte limit.")
    raw = request.stream.read(limit + 1)
    try:
        result = receive_email(raw, envelope_recipients=request.args.getlist("to"), source="http")
        db.session.commit()
    except MessageTooLarge as exc:
        db.session.rollback()
        return _error(413, exc.code, exc.message)
    except OperationalError:
        db.session.rollback()
        current_app.logger.exception("Inbound mail could not be stored; the sender should retry")
        return _error(503, "unavailable", "The message could not be stored now; retry later.")
    return jsonify(result.as_json())
