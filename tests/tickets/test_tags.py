"""One tag rule for writes and filters: the console's queue filter and the API's `tag` filter
find a ticket by its tag written the way it was written ("Billing Issue" finds billing-issue)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from supportdesk.tickets.tags import filter_tag, normalize_tag
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests.factories import make_ticket
from tests.fixtures.web import login_as

# (filter text as typed, whether it finds the ticket written with tags "Billing Issue")
FILTERS = [
    pytest.param("billing-issue", True, id="stored-form"),
    pytest.param("Billing Issue", True, id="as-written"),
    pytest.param("  BILLING   issue ", True, id="case-and-spaces"),
    pytest.param("billing\tissue", True, id="tab"),
    pytest.param("Billing-Issue", True, id="dashed-capitals"),
    pytest.param("billing", False, id="another-tag"),
    pytest.param("billing issue 2", False, id="longer-tag"),
]

# Text that can be no tag: the console ignores the filter, the API names the field.
NOT_TAGS = [
    pytest.param("#billing", id="punctuation"),
    pytest.param("-billing", id="leading-dash"),
    pytest.param("café", id="non-ascii"),
    pytest.param("a" * 51, id="too-long"),
    pytest.param("billing, refund", id="two-tags"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Billing Issue", "billing-issue", id="spaces"),
        pytest.param(" x ", "x", id="trimmed"),
        pytest.param("A\n\tB", "a-b", id="any-whitespace"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalize_tag(text, expected):
    assert normalize_tag(text) == expected


@pytest.mark.parametrize("text", NOT_TAGS)
def test_filter_tag_refuses_text_that_can_be_no_tag(text):
    assert filter_tag(text) is None


@pytest.fixture
def tagged(org):
    """A ticket written with the tag "Billing Issue", and an untagged one."""
    return (
        make_ticket(org, subject="Tagged ticket", tags="Billing Issue"),
        make_ticket(org, subject="Plain ticket"),
    )


def _api_numbers(client, user, query: str) -> tuple[int, list[int]]:
    _token, plain = create_token(user, name="Tags", scope=Scope.READ)
    response = client.get(f"/api/v1/tickets?{query}", headers={"Authorization": f"Bearer {plain}"})
    body = response.get_json()
    return response.status_code, [t["number"] for t in body.get("data", [])]


def test_a_tag_written_with_spaces_is_stored_normalized(tagged):
    assert tagged[0].tags == ["billing-issue"]


@pytest.mark.parametrize(("text", "found"), FILTERS)
def test_the_console_queue_filter_follows_the_tag_rule(client, admin, tagged, text, found):
    login_as(client, admin)
    page = client.get(f"/?queue=all&tag={quote(text)}").get_data(as_text=True)
    assert ("Tagged ticket" in page) is found
    assert "Plain ticket" not in page


@pytest.mark.parametrize(("text", "found"), FILTERS)
def test_the_api_tag_filter_follows_the_tag_rule(client, admin, tagged, text, found):
    status, numbers = _api_numbers(client, admin, f"tag={quote(text)}")
    assert status == 200
    assert numbers == ([tagged[0].number] if found else [])


@pytest.mark.parametrize("text", NOT_TAGS)
def test_a_console_filter_that_can_be_no_tag_is_ignored(client, admin, tagged, text):
    login_as(client, admin)
    page = client.get(f"/?queue=all&tag={quote(text)}").get_data(as_text=True)
    assert "Tagged ticket" in page and "Plain ticket" in page


@pytest.mark.parametrize("text", NOT_TAGS)
def test_an_api_filter_that_can_be_no_tag_finds_nothing(client, admin, tagged, text):
    # The document allows any text here; no ticket carries a tag that cannot exist.
    assert _api_numbers(client, admin, f"tag={quote(text)}") == (200, [])
