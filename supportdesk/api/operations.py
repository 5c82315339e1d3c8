"""Declaring an API operation: one decorator registers the route, parses and validates its
input with the operation's schemas, serializes the answer, and records it for the OpenAPI
document — so the document cannot drift from what the code accepts and returns.

    @operation("GET", "/tickets/{number}", tag="Tickets", summary="Get a ticket",
               response=schemas.Ticket, response_example=examples.TICKET)
    def ticket_get(number: int): ...

Path parameters are positive 32-bit integers (others are a 404: supportdesk.params). A view receives them by name, plus `query` and
`body` (validated models) when the operation declares them; it returns a response model (or
`(model, headers)`), or None for 204.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from supportdesk.api import bp, idempotency
from supportdesk.api.errors import InvalidInput, MalformedJson, UnsupportedMediaType
from supportdesk.params import INT4_MAX

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Our bodies nest 3 levels; Python's json recurses once per level (RecursionError near 1,000).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass
class Operation:
    """One endpoint as the OpenAPI document describes it."""

    method: str
    path: str
    endpoint: str
    tag: str
    summary: str
    description: str
    status: int
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    conflicts: bool = False  # may answer 409 (stale version, refused transition, taken value)
    references: bool = False  # the body names rows by id: 404 when one does not exist
    if_match: bool = False  # reads an If-Match header
    admins_only: bool = False  # reads refused (403) to other roles too
    request_example: dict[str, Any] | None = None
    response_example: dict[str, Any] | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    # OpenAPI Link Objects of the success answer: name -> (operationId, parameters), so clients
    # and schemathesis's stateful runs can chain operations (create a ticket, then read it).
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # Headers every success answer carries ("Location", "ETag"), documented as required.
    headers: tuple[str, ...] = ()
    uploads: bool = False  # the body may carry files (base64): its size limit grows with theirs
    file_response: bool = False  # answers with a file's bytes (application/octet-stream)

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def takes_idempotency_key(self) -> bool:
        """POSTs create things: a retry under the same Idempotency-Key is done once."""
        return self.method == "POST"

    def error_statuses(self) -> list[int]:
        """Every error status this operation can answer with (all documented)."""
        statuses = {400, 401, 429}  # 400: a NUL in the query string (supportdesk.params)
        if self.path_params or self.references:
            statuses.add(404)
        if self.query is not None or self.if_match:
            statuses.add(422)
        if self.writes or self.admins_only:
            statuses.add(403)
        if self.body is not None:
            statuses |= {413, 415, 422}
        if self.conflicts or self.takes_idempotency_key:
            statuses.add(409)
        if self.takes_idempotency_key:
            statuses.add(422)
        return sorted(statuses)


OPERATIONS: list[Operation] = []


def operation(
    method: str,
    path: str,
    *,
    tag: str,
    summary: str,
    status: int = 200,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    conflicts: bool = False,
    references: bool = False,
    if_match: bool = False,
    admins_only: bool = False,
    request_example: dict[str, Any] | None = None,
    response_example: dict[str, Any] | None = None,
    path_params: dict[str, str] | None = None,
    links: dict[str, tuple[str, dict[str, str]]] | None = None,
    headers: tuple[str, ...] = (),
    uploads: bool = False,
    file_response: bool = False,
):
    """Register an API operation (see the module docstring)."""

    def decorator(view):
        names = _PATH_PARAM.findall(path)
        op = Operation(
            method=method,
            path=path,
            endpoint=f"api.{view.__name__}",
            tag=tag,
            summary=summary,
            description=(view.__doc__ or "").strip(),
            status=status,
            query=query,
            body=body,
            response=response,
            conflicts=conflicts,
            references=references,
            if_match=if_match,
            admins_only=admins_only,
            request_example=request_example,
            response_example=response_example,
            path_params={n: (path_params or {}).get(n, n.replace("_", " ")) for n in names},
            links=dict(links or {}),
            headers=headers,
            uploads=uploads,
            file_response=file_response,
        )
        OPERATIONS.append(op)

        @wraps(view)
        def endpoint(**path_args: int) -> Response:
            g.api_operation = op
            kwargs: dict[str, Any] = dict(path_args)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                if uploads:
                    request.max_content_length = upload_body_limit() + 1  # access.py: why + 1
                kwargs["body"] = parse_body(body)
            taken = None
            if op.takes_idempotency_key and (key := idempotency.requested_key()) is not None:
                earlier = idempotency.claim(g.api_organization_id, g.api_token.id, key)
                if isinstance(earlier, Response):
                    return earlier
                taken = earlier
            response = _respond(view(**kwargs), status)
            if taken is not None:
                idempotency.store_answer(taken, response)
            return response

        # Ids past int4 are a 404 before any view runs (supportdesk.params); a converter's max
        # would turn them into a 405 instead.
        rule = _PATH_PARAM.sub(r"<int:\1>", path)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=endpoint, methods=[method])
        return view

    return decorator


def upload_body_limit() -> int:
    """The body size an operation with files accepts: the usual limit plus the most files one
    message may carry, in base64 (4 bytes for every 3)."""
    config = current_app.config
    files = int(config["ATTACHMENT_MAX_MESSAGE_BYTES"])
    return int(config["API_MAX_BODY_BYTES"]) + (files + 2) // 3 * 4


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_nesting_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects deeper than `limit`, judged before parsing it.

    Brackets inside strings are not nesting; the scan is linear and never recurses.
    """
    depth = 0
    for bracket in _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKET):
        depth += 1 if bracket in b"[{" else -1
        if depth > limit:
            return True
    return False


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body validated by `model`: 415, 413 (request.max_content_length), 400 or 422."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            "Send the body as JSON with 'Content-Type: application/json'.",
            {"Content-Type": "Use application/json."},
        )
    raw = request.get_data(cache=True)
    ceiling = request.max_content_length  # the limit plus one byte (access.py says why)
    if ceiling is not None and len(raw) >= ceiling:
        raise RequestEntityTooLarge()  # a chunked body, cut by Werkzeug at the ceiling
    if json_nesting_exceeds(raw):
        raise MalformedJson(f"The body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        json.loads(raw, parse_constant=_refuse_constant)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedJson(f"The body is not valid JSON: {exc}") from None
    try:
        # Strict JSON validation: types as the document states them ("3" is not an integer).
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise InvalidInput.from_pydantic(exc) from None


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(typing.get_origin(arg) is list for arg in typing.get_args(annotation))


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string validated by `model` (repeat a list parameter: ?status=open&status=pending)."""
    data: dict[str, Any] = {}
    for name in request.args:
        info = model.model_fields.get(name)
        if info is not None and _is_list(info.annotation):
            data[name] = request.args.getlist(name)
        else:
            data[name] = request.args.get(name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput.from_pydantic(exc, root="query") from None


# The whole grammar of If-Match here: `*`, or one version, quoted (weak or strong) or bare.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[0-9]{1,10}"|[0-9]{1,10})$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)


def if_match_version() -> int | None:
    """The version in an `If-Match` header ("3", W/"3" or 3); None when absent or `*`.

    Any version the pattern allows is read: one no ticket has (0, or past int4) simply does
    not match, and the write is refused as stale (409) like any other old version.
    """
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    if not _IF_MATCH.fullmatch(raw.strip()):
        raise InvalidInput(
            "If-Match must carry the version you read.",
            {"If-Match": 'Send the ticket\'s version, e.g. "3".'},
        )
    value = raw.strip().removeprefix("W/").strip('"')
    # Versions are int4: a larger one is as stale as any other (and must not reach a query).
    return None if value == "*" else min(int(value), INT4_MAX)


def _respond(result: Any, status: int) -> Response:
    headers: dict[str, str] = {}
    if isinstance(result, Response):
        return result  # a file (file_response)
    if isinstance(result, tuple):
        result, headers = result
    if result is None:
        response = Response(status=204)
    else:
        response = jsonify(result.model_dump(mode="json"))
        response.status_code = status
    response.headers.update(headers)
    return response
