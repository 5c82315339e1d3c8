"""Who is calling: bearer token → agent, the token's scope, its rate limit; and the API's error
handlers. Runs before every API view except the public document and docs page."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from werkzeug.exceptions import HTTPException

from supportdesk.accounts.models import User
from supportdesk.api import bp
from supportdesk.api.errors import (
    RateLimited,
    ReadOnlyToken,
    Unauthorized,
    domain_error,
    http_error,
    unexpected_error,
)
from supportdesk.api.ratelimit import init_rate_limiter, rate_limiter
from supportdesk.audit import origin
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.tokens.models import ApiToken
from supportdesk.tokens.queries import find_usable_token
from supportdesk.tokens.service import note_use

PUBLIC_ENDPOINTS = {"api.openapi_document_view", "api.docs_page"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app: Flask) -> None:
    """Exempt the API from CSRF, attach its rate limiter, and answer JSON under /api/ everywhere."""
    from supportdesk.extensions import csrf
    from supportdesk.web import register_json_errors

    csrf.exempt(bp)
    init_rate_limiter(app, app.config.get("REDIS_URL"))
    # Routing errors (unknown path, wrong method) happen before a blueprint is known.
    register_json_errors(app, bp.url_prefix + "/", http_error)


def actor() -> User:
    """The agent the request's token belongs to."""
    return g.api_user


def organization_id() -> int:
    """The organization of the request's token (every read and write is scoped to it)."""
    return g.api_organization_id


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Send your API token as 'Authorization: Bearer <token>'.")
    return value.strip()


@bp.before_request
def authenticate() -> None:
    """Find the token's agent, count the request against the token, refuse writes by read tokens."""
    # One byte over the limit: a chunked body (no Content-Length) is read only up to
    # max_content_length and silently cut there (Werkzeug's LimitedStream.readall stops at the
    # limit without raising), so parse_body can only tell "over" from "at" by one byte more.
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"] + 1
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token: ApiToken | None = find_usable_token(_bearer_token())
    if token is None:
        raise Unauthorized("This API token is unknown, revoked, or its agent is deactivated.")
    allowed, remaining, reset = rate_limiter().hit(str(token.id))
    g.api_rate = (rate_limiter().limit, remaining, reset)
    if not allowed:
        raise RateLimited(reset)
    if request.method not in READ_METHODS and not token.can_write:
        raise ReadOnlyToken("This token is read-only; create a read-write token to make changes.")
    g.api_token, g.api_user, g.api_organization_id = token, token.user, token.organization_id
    origin.with_token(token.id, token.name)
    if note_use(token):
        db.session.commit()


@bp.after_request
def api_headers(response):
    """Rate-limit counters for the client, and no caching of answers that depend on the token."""
    response.headers["Cache-Control"] = "no-store"
    if "api_rate" in g:
        limit, remaining, reset = g.api_rate
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset)
    return response


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return domain_error(exc)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return http_error(exc)


@bp.errorhandler(Exception)
def _unexpected_error(exc: Exception):
    return unexpected_error(exc)
