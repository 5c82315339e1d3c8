"""Input schemas refuse what PostgreSQL could not store, before any service runs."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from pydantic import ValidationError

from supportdesk.api import schemas
from supportdesk.api.docs import _ref_name
from supportdesk.api.errors import InvalidInput
from supportdesk.api.openapi import openapi_document
from supportdesk.api.operations import parse_body
from supportdesk.customers.service import normalise_email
from supportdesk.errors import ValidationFailed

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("a\x00b", id="NUL"),
        pytest.param("lone \ud800 surrogate", id="lone surrogate"),
    ],
)
def test_text_the_database_cannot_store_is_refused(subject):
    with pytest.raises(ValidationError) as raised:
        schemas.TicketUpdate.model_validate({"subject": subject})

    assert raised.value.errors()[0]["loc"] == ("subject",)


def test_times_out_of_range_in_utc_are_refused():
    with pytest.raises(ValidationError):
        schemas.TicketListQuery.model_validate({"updated_since": "0001-01-01T00:00:00+01:00"})


def test_times_are_normalised_to_utc():
    query = schemas.TicketListQuery.model_validate({"updated_since": "2026-11-25T12:00:00+02:00"})

    assert query.updated_since.isoformat() == "2026-11-25T10:00:00+00:00"


@pytest.mark.parametrize(
    ("schema", "name"),
    [
        pytest.param({"$ref": "#/components/schemas/Ticket"}, "Ticket", id="ref"),
        pytest.param(
            {"anyOf": [{"type": "integer"}, {"const": "none"}]}, 'integer | "none"', id="union"
        ),
        pytest.param({"type": "array", "items": {"type": "string"}}, "array of string", id="array"),
        pytest.param({"enum": ["asc", "desc"]}, '"asc" | "desc"', id="enum"),
        pytest.param({}, "", id="nothing"),
        pytest.param({"format": "date-time"}, "any", id="no type"),
    ],
)
def test_the_docs_page_names_types_briefly(schema, name):
    assert _ref_name(schema) == name


def test_prose_escapes_and_sets_code_and_emphasis():
    from supportdesk.api.docs import _prose

    html = str(_prose("Send `If-Match` **now** to *avoid* <b>409</b>"))

    assert html == (
        "Send <code>If-Match</code> <strong>now</strong> to <em>avoid</em> &lt;b&gt;409&lt;/b&gt;"
    )


@pytest.mark.parametrize(
    "value",
    [pytest.param("0.5", id="unix time"), pytest.param("1700000000", id="unix seconds")],
)
def test_times_must_be_written_in_iso_8601(value):
    with pytest.raises(ValidationError):
        schemas.TicketListQuery.model_validate({"updated_since": value})


def test_json_bodies_are_validated_strictly():
    app = Flask(__name__)
    with (
        app.test_request_context(json={"version": "3"}, method="PATCH"),
        pytest.raises(InvalidInput) as raised,
    ):
        parse_body(schemas.TicketUpdate)

    assert raised.value.fields == {"version": "Input should be a valid integer"}


@pytest.mark.parametrize(
    ("raw", "team_id"),
    [
        pytest.param("7", 7, id="integer"),
        pytest.param("7.0", 7, id="integral float (an integer to JSON Schema)"),
        pytest.param("7.5", None, id="fraction"),
        pytest.param("true", None, id="boolean"),
        pytest.param('"7"', None, id="string"),
    ],
)
def test_integers_are_what_json_schema_calls_integers(raw, team_id):
    body = f'{{"team_id": {raw}}}'
    if team_id is None:
        with pytest.raises(ValidationError):
            schemas.TicketUpdate.model_validate_json(body, strict=True)
    else:
        assert schemas.TicketUpdate.model_validate_json(body, strict=True).team_id == team_id


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        pytest.param("ana@example.com", True, id="ordinary"),
        pytest.param("ana@test.example.com", True, id="test as a label"),
        pytest.param("ana@shop.test", False, id="test"),
        pytest.param("ana@SHOP.Local", False, id="local, any case"),
        pytest.param("ana@localhost", False, id="localhost"),
        pytest.param("ana@x.onion", False, id="onion"),
    ],
)
def test_the_email_pattern_excludes_what_email_validator_refuses(address, allowed):
    pattern = openapi_document()["components"]["schemas"]["CustomerCreate"]["properties"]
    matched = re.search(pattern["email"]["pattern"], address) is not None
    assert matched is allowed
    if not allowed:
        with pytest.raises(ValidationFailed):
            normalise_email(address)
