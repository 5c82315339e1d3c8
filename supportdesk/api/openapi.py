"""The OpenAPI 3.1 document of API v1, built from the registered operations and their pydantic
schemas (JSON Schema 2020-12, referenced under components/schemas)."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from supportdesk.api import examples, schemas
from supportdesk.api.errors import HTTP_ERRORS
from supportdesk.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from supportdesk.api.idempotency import KEY_PATTERN, KEY_TTL_HOURS
from supportdesk.api.operations import IF_MATCH_PATTERN, OPERATIONS, Operation
from supportdesk.api.schemas import MAX_ID

REF = "#/components/schemas/{model}"
DESCRIPTION = """\
The supportdesk JSON API: tickets, their conversation and history, customers, agents and teams,
and (for admins) webhook endpoints.

**Authentication.** Create a personal API token in the console (*API tokens*) or with
`flask --app supportdesk create-token`, and send it as `Authorization: Bearer <token>`. A token
acts as its agent: the agent's role applies, and a read-only token cannot change anything.

**Errors** always look like `{"error": {"code": "...", "message": "...", "fields": {...}}}`.

**Retries.** Send an `Idempotency-Key` header (a UUID) on a POST: if the answer is lost and
you retry with the same key, the work is done once and you get the first answer.

**Rate limits** apply per token; over the limit the answer is 429 with `Retry-After`.
"""

# Sections of the document, in reading order; tags not listed come after, as registered.
TAG_ORDER = ["Tickets", "Bulk actions", "Customers", "Agents and teams", "Webhook endpoints"]

ERROR_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "ValidationFailed",
    429: "RateLimited",
}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch of an optional one."""
    branches = schema.get("anyOf")
    if not branches:
        return schema
    kept = [b for b in branches if b.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    if len(kept) == 1:
        return {**rest, **kept[0]}
    return {**rest, "anyOf": kept}


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict]:
    schema = components[model.__name__]
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        prop = _without_null(dict(prop))
        param = {
            "name": name,
            "in": "query",
            "required": name in required,
            "description": prop.pop("description", prop.get("title", name)),
            "schema": prop,
        }
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        params.append(param)
    return params


def _path_parameters(op: Operation) -> list[dict]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name, description in op.path_params.items()
    ]


def _if_match_parameter() -> dict:
    return {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": 'The version you read, e.g. "4" (`*`: any). A stale version, or one '
        "that differs from the body's `version`, is refused with 409.",
        "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
        "example": '"4"',
    }


def _idempotency_key_parameter() -> dict:
    return {
        "name": IDEMPOTENCY_HEADER,
        "in": "header",
        "required": False,
        "description": "A unique value per request (a UUID). Retrying the same request with the "
        f"same key within {KEY_TTL_HOURS} hours does it once and answers with the first answer "
        "(with `Idempotent-Replayed: true`); the same key with another request is refused "
        "with 422, and a retry while the first is still running with 409.",
        "schema": {"type": "string", "pattern": KEY_PATTERN},
        "example": "5f0c6a1e-8d2b-4c47-9a3e-1b7f2d9c4e10",
    }


def _error_responses() -> dict[str, Any]:
    responses = {}
    for status, name in ERROR_NAMES.items():
        code, message, fields = examples.ERRORS[status]
        response: dict[str, Any] = {
            "description": HTTP_ERRORS[status][1],
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model="Error")},
                    "example": {"error": {"code": code, "message": message, "fields": fields}},
                }
            },
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before the next request.",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {"required": True, "schema": {"type": "string"}}
            }
        responses[name] = response
    return responses


SUCCESS_HEADERS = {
    "Location": {"description": "The address of what was created.", "schema": {"type": "string"}},
    "ETag": {
        "description": 'The ticket\'s version, quoted ("4"): send it back as If-Match.',
        "schema": {"type": "string", "pattern": '^"[0-9]{1,10}"$'},
    },
}


def _success_headers(op: Operation) -> dict[str, Any]:
    """The headers the operation's success answer always carries."""
    return {name: {**SUCCESS_HEADERS[name], "required": True} for name in op.headers}


def _operation_object(op: Operation, refs: dict, components: dict) -> dict[str, Any]:
    parameters = _path_parameters(op)
    if op.query is not None:
        parameters += _query_parameters(op.query, components)
    if op.if_match:
        parameters.append(_if_match_parameter())
    if op.takes_idempotency_key:
        parameters.append(_idempotency_key_parameter())
    responses: dict[str, Any] = {}
    if op.file_response:
        responses[str(op.status)] = {
            "description": "The file's bytes, always as a download (Content-Disposition: "
            "attachment; the file name is in its filename parameter).",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename=…",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
        }
    elif op.response is None:
        responses[str(op.status)] = {"description": "Done; no content."}
    else:
        content: dict[str, Any] = {"schema": refs[(op.response, "serialization")]}
        if op.response_example is not None:
            content["example"] = op.response_example
        responses[str(op.status)] = {
            "description": op.response.__doc__.strip().split("\n")[0],
            "content": {"application/json": content},
        }
        headers = _success_headers(op)
        if headers:
            responses[str(op.status)]["headers"] = headers
    if op.links:
        responses[str(op.status)]["links"] = {
            name: {"operationId": target, "parameters": parameters}
            for name, (target, parameters) in op.links.items()
        }
    for status in op.error_statuses():
        responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_NAMES[status]}"}
    result: dict[str, Any] = {
        "operationId": op.endpoint.removeprefix("api."),
        "tags": [op.tag],
        "summary": op.summary,
        "description": " ".join(op.description.split()),
        "parameters": parameters,
        "responses": responses,
    }
    if op.body is not None:
        body: dict[str, Any] = {"schema": refs[(op.body, "validation")]}
        if op.request_example is not None:
            body["example"] = op.request_example
        result["requestBody"] = {"required": True, "content": {"application/json": body}}
    return result


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once per process: operations are fixed at import)."""
    models: list[tuple[type[BaseModel], str]] = [(schemas.Error, "serialization")]
    for op in OPERATIONS:
        if op.response is not None:
            models.append((op.response, "serialization"))
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.query is not None:
            models.append((op.query, "validation"))
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    components = definitions.get("$defs", {})
    ordered = sorted(
        OPERATIONS,
        key=lambda op: TAG_ORDER.index(op.tag) if op.tag in TAG_ORDER else len(TAG_ORDER),
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in ordered:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation_object(op, refs, components)
    for op in OPERATIONS:  # query models are parameters, not bodies
        if op.query is not None:
            components.pop(op.query.__name__, None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "supportdesk API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in ordered)],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "responses": _error_responses(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (sdk_…).",
                }
            },
        },
    }
