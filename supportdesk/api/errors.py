"""The API's one error shape, {"error": {"code", "message", "fields"}}, and the errors only it raises.

Domain errors (supportdesk.errors.DomainError subclasses) keep their own status, code, message
and fields; HTTP errors from routing or Werkzeug and pydantic validation errors are translated
into the same shape, so a client has one thing to parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from flask import Response, current_app, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from supportdesk.errors import DomainError
from supportdesk.extensions import db

# Werkzeug's HTTP errors: status -> (code, message).
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "bad_request",
        "The request could not be understood: a body that is not JSON (or nests deeper than "
        "32 levels), or a NUL character in the query string.",
    ),
    401: ("unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'."),
    403: (
        "forbidden",
        "This token or its agent may not do this, or a rule forbids it (a webhook URL that "
        "does not resolve to a public address).",
    ),
    404: ("not_found", "There is nothing at this address, or an id in the body names nothing."),
    405: ("method_not_allowed", "This address does not accept that method."),
    409: (
        "conflict",
        "The ticket changed since you read it (or If-Match and `version` differ), or the change "
        "clashes with stored data: a status not allowed now, another customer's email, an "
        "agent who cannot take tickets.",
    ),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("validation_failed", "Some inputs are invalid; `fields` says which."),
    429: ("rate_limited", "Too many requests; wait and try again."),
    500: ("internal_error", "Something went wrong on our side; nothing was saved."),
}


def _is_union_tag(part: str | int) -> bool:
    # pydantic names the union member that failed ("constrained-int", "literal['none']").
    return isinstance(part, str) and any(c in part for c in "-[(")


class Unauthorized(DomainError):
    """No token, or a token that is unknown, revoked or whose agent was deactivated."""

    status = 401
    code = "unauthorized"


class ReadOnlyToken(DomainError):
    """A read-only token tried to change something."""

    status = 403
    code = "read_only_token"


class MalformedJson(DomainError):
    """The body is not valid JSON."""

    status = 400
    code = "malformed_json"


class UnsupportedMediaType(DomainError):
    """The body is not declared as application/json."""

    status = 415
    code = "unsupported_media_type"


class RateLimited(DomainError):
    """The token used up its requests for this window."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"Too many requests for this token; retry in {retry_after} seconds.")


class VersionMismatch(DomainError):
    """`If-Match` and the body's `version` name different versions: which one the client read
    is unknown, so nothing is saved. 409 like a stale version (the request is well formed; it
    conflicts with itself), with `fields` naming both."""

    status = 409
    code = "version_mismatch"


class InvalidInput(DomainError):
    """The body or the query string does not match its schema; `fields` names every offence."""

    status = 422
    code = "validation_failed"

    @classmethod
    def from_pydantic(cls, exc: ValidationError, *, root: str = "body") -> InvalidInput:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False, include_context=False, include_input=False):
            path = ".".join(str(part) for part in error["loc"] if not _is_union_tag(part))
            path = path or root
            fields.setdefault(path, error["msg"])
        first = next(iter(fields.items()))
        return cls(f"Invalid value for {first[0]}: {first[1]}", fields)


def error_response(
    status: int,
    code: str,
    message: str,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The JSON error answer every API failure uses."""
    response = jsonify({"error": {"code": code, "message": message, "fields": dict(fields or {})}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def domain_error(exc: DomainError) -> Response:
    """A refused request: roll back whatever the view started, answer with the error's status."""
    db.session.rollback()
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="supportdesk"'
    response = error_response(exc.status, exc.code, exc.message, exc.fields, headers)
    details = getattr(exc, "details", None)
    if details:
        # Facts the client needs to act (the newer messages of a reply collision).
        response.set_data(
            json.dumps({"error": {**response.get_json()["error"], **details}}).encode()
        )
    return response


def http_error(exc: HTTPException) -> Response:
    """Routing and protocol errors (404, 405, 413, …) in the API's shape."""
    status = exc.code or 500
    code, message = HTTP_ERRORS.get(status, ("http_error", exc.description or "HTTP error."))
    headers = {}
    if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return error_response(status, code, message, headers=headers)


def unexpected_error(exc: Exception) -> Response:
    """A bug: log it, roll back, answer 500 without details."""
    db.session.rollback()
    current_app.logger.exception("Unhandled API error on %s %s", request.method, request.path)
    code, message = HTTP_ERRORS[500]
    return error_response(500, code, message)


@contextmanager
def fields_renamed(names: Mapping[str, str]) -> Iterator[None]:
    """Report a service's field names under the API's names (`assignee` → `assignee_id`)."""
    try:
        yield
    except DomainError as exc:
        exc.fields = {names.get(key, key): value for key, value in exc.fields.items()}
        raise
