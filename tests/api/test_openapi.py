"""The OpenAPI document: complete, consistent with the schemas, with valid examples; the docs page."""

from __future__ import annotations

import pytest

from supportdesk.api import examples, schemas
from supportdesk.api.operations import OPERATIONS

pytestmark = pytest.mark.integration


@pytest.fixture
def document(client) -> dict:
    """The served document (no token needed)."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_openapi_3_1_and_describes_every_route(app, document):
    assert document["openapi"] == "3.1.0"
    api_rules = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and rule.endpoint not in ("api.openapi_document_view", "api.docs_page")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method.upper()) for path, methods in document["paths"].items() for method in methods
    }
    assert len(documented) == len(api_rules) == len(OPERATIONS) == 82


def test_every_reference_resolves(document):
    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        section, kind, name = ref.removeprefix("#/").split("/")
        assert name in document[section][kind], ref


def test_every_operation_documents_its_errors_and_an_example(document):
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            statuses = set(op["responses"])
            assert {"401", "429"} <= statuses, (method, path)
            if "{" in path:
                assert "404" in statuses
            if "requestBody" in op:
                assert {"400", "403", "413", "415", "422"} <= statuses
                assert "example" in op["requestBody"]["content"]["application/json"]
            success = [s for s in statuses if s.startswith("2")]
            assert len(success) == 1
            content = op["responses"][success[0]].get("content")
            if content and "application/json" in content:
                assert "example" in content["application/json"], (method, path)
            elif content:  # a file download
                assert content == {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                }


@pytest.mark.parametrize("op", [pytest.param(op, id=f"{op.method} {op.path}") for op in OPERATIONS])
def test_examples_match_their_schemas(op):
    if op.request_example is not None:
        op.body.model_validate(op.request_example)
    if op.response_example is not None:
        op.response.model_validate(op.response_example)


@pytest.mark.parametrize("status", sorted(examples.ERRORS))
def test_error_examples_match_the_error_schema(status):
    code, message, fields = examples.ERRORS[status]
    schemas.Error.model_validate({"error": {"code": code, "message": message, "fields": fields}})


def test_request_schemas_refuse_unknown_fields(document):
    for name, schema in document["components"]["schemas"].items():
        model = getattr(schemas, name, None)
        if isinstance(model, type) and issubclass(model, schemas.Input):
            assert schema["additionalProperties"] is False, name


def test_query_parameters_come_from_the_query_schemas(document):
    params = {p["name"]: p for p in document["paths"]["/tickets"]["get"]["parameters"]}

    assert set(params) == set(schemas.TicketListQuery.model_fields)
    assert params["status"]["schema"]["type"] == "array" and params["status"]["explode"] is True
    assert params["limit"]["schema"]["maximum"] == 100
    assert all(
        branch.get("type") != "null"
        for p in params.values()
        for branch in p["schema"].get("anyOf", [])
    )


def test_the_docs_page_lists_endpoints_parameters_and_schemas(client, document):
    response = client.get("/api/v1/docs")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script" not in html.split("</head>")[1]
    for path in document["paths"]:
        assert path in html
    for name in ("TicketCreate", "updated_since", "Retry-After", "If-Match", "RateLimited"):
        assert name in html


def _operations(document) -> dict[str, dict]:
    return {
        op["operationId"]: op for methods in document["paths"].values() for op in methods.values()
    }


def test_every_link_targets_an_operation_and_its_parameters(document):
    operations = _operations(document)
    links = [
        (op["operationId"], name, link)
        for op in operations.values()
        for answer in op["responses"].values()
        for name, link in answer.get("links", {}).items()
    ]
    assert {source for source, _, _ in links} >= {
        "ticket_create",
        "ticket_get",
        "ticket_update",
        "customer_create",
        "webhook_endpoint_create",
    }
    for source, name, link in links:
        target = operations[link["operationId"]]
        names = {(p["in"], p["name"]) for p in target["parameters"]}
        for key in link["parameters"]:
            where, _, parameter = key.rpartition(".")
            assert (where or "path", parameter) in names, (source, name, key)


def test_the_links_read_headers_the_answers_promise(document):
    created = document["paths"]["/tickets"]["post"]["responses"]["201"]

    assert created["headers"]["ETag"]["required"] is True
    assert created["headers"]["Location"]["required"] is True
    assert created["links"]["UpdateTicket"]["parameters"]["header.If-Match"] == (
        "$response.header.ETag"
    )
