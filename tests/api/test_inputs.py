"""API inputs that used to make a 500: crafted cursors, NUL in a query, deeply nested JSON bodies."""

from __future__ import annotations

import pytest

from tests.factories import make_ticket

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("path", "field"),
    [
        pytest.param("/tickets?team=%C2%B2", "team", id="team-superscript-two"),
        pytest.param("/tickets?team=2147483648", "team", id="team-past-int4"),
        pytest.param("/tickets?limit=%D9%A3", "limit", id="limit-arabic-indic"),
        pytest.param("/tickets?cursor=%C2%B2.1", "cursor", id="cursor-superscript"),
        pytest.param("/tickets?cursor=1.2.3", "cursor", id="cursor-three-parts"),
        pytest.param("/tickets?cursor=-1.2", "cursor", id="cursor-negative"),
        pytest.param(
            "/tickets?cursor=WyIyMDI2LTExLTI1VDA5OjAyOjExIiwgMTIwMV0", "cursor", id="cursor-base64"
        ),
        pytest.param("/tickets/1/messages?cursor=%C2%B2", "cursor", id="id-cursor-unicode"),
    ],
)
def test_malformed_query_parameters_are_a_422_naming_the_field(api, org, path, field):
    make_ticket(org)
    response = api.get(path)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        pytest.param("/customers?q=%00", "q", id="customers-q"),
        pytest.param("/tickets?tag=billing%00", "tag", id="tickets-tag"),
        pytest.param("/tickets?cursor=%00", "cursor", id="tickets-cursor"),
    ],
)
def test_a_nul_in_the_query_string_is_a_400_naming_the_parameter(api, path, field):
    response = api.get(path)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], list(error["fields"])) == ("malformed_query", [field])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="100k-nested-arrays"),
        pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="100k-nested-objects"),
        pytest.param("[" * 100_000, id="100k-unclosed"),
        pytest.param('{"subject": ' + "[" * 5000 + "]" * 5000 + "}", id="nested-in-a-field"),
    ],
)
def test_a_deeply_nested_body_is_a_400_not_a_recursion_error(api, body):
    response = api.post("/tickets", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "malformed_json"
    assert "nested" in error["message"]


def test_brackets_inside_strings_do_not_count_as_nesting(api, org):
    body = {"customer_email": "deep@example.com", "subject": "[" * 300, "body": "{" * 5000}
    response = api.post("/tickets", json=body)
    assert response.status_code == 201, response.get_json()


def test_an_id_past_int4_in_an_api_path_is_a_json_404(api):
    response = api.get("/customers/99999999999999999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "version",
    [
        # Header bytes arrive as Latin-1: byte 0xB2 is "²", a digit to str.isdigit().
        pytest.param('"\xb2"', id="superscript-two"),
        pytest.param('"\xb9\xb3"', id="superscript-one-three"),
        pytest.param('"99999999999"', id="past-int4"),
    ],
)
def test_an_if_match_that_is_no_ascii_version_is_a_422(api, org, version):
    ticket = make_ticket(org)
    response = api.patch(
        f"/tickets/{ticket.number}",
        json={"priority": "high"},
        headers={"If-Match": version},
    )
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["If-Match"]


@pytest.mark.parametrize(
    "version",
    [
        pytest.param('"0"', id="zero"),
        pytest.param('"9999999999"', id="past-int4"),
        pytest.param('W/"7"', id="weak-and-old"),
    ],
)
def test_an_if_match_the_pattern_allows_but_no_ticket_has_is_stale(api, org, version):
    # The document's pattern allows any 1-10 digits; a version the ticket is not at is a 409.
    ticket = make_ticket(org)
    response = api.patch(
        f"/tickets/{ticket.number}", json={"priority": "high"}, headers={"If-Match": version}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "stale_version"
