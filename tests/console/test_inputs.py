"""Query strings that used to make a 500: unicode digits, integers past int4, NUL, crafted cursors."""

from __future__ import annotations

import base64
import json

import pytest

from tests.factories import TeamFactory, make_ticket
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


def _cursor(value, ticket_id) -> str:
    raw = json.dumps([value, ticket_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NAIVE = _cursor({"t": "2026-11-25T09:00:00"}, 1)
OVERFLOW_LOW = _cursor({"t": "0001-01-01T00:00:00+14:00"}, 1)
OVERFLOW_HIGH = _cursor({"t": "9999-12-31T23:59:59-14:00"}, 1)
HUGE_ID = _cursor({"t": "2026-11-25T09:00:00+00:00"}, 2**31)
HUGER_ID = _cursor({"t": "2026-11-25T09:00:00+00:00"}, 10**30)
HUGE_NUMBER = _cursor(2**40, 1)
FLOAT_ID = _cursor({"t": "2026-11-25T09:00:00+00:00"}, 1.5)
BOOL_ID = _cursor(True, True)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/?team=%C2%B2", id="team-superscript-two"),
        pytest.param("/?team=%D9%A3", id="team-arabic-indic-three"),
        pytest.param("/?team=2147483648", id="team-past-int4"),
        pytest.param("/?team=-1", id="team-negative"),
        pytest.param("/?customer=99999999999", id="customer-past-int4"),
        pytest.param("/?assignee=2147483648", id="assignee-past-int4"),
        pytest.param("/search?q=x&page=%C2%B2", id="search-page-superscript-two"),
        pytest.param("/search?q=x&team=2147483648", id="search-team-past-int4"),
        pytest.param("/customers?page=%C2%B2", id="customers-page-superscript-two"),
        pytest.param(f"/?after={NAIVE}", id="cursor-naive-datetime"),
        pytest.param(f"/?before={NAIVE}", id="cursor-naive-datetime-before"),
        pytest.param(f"/?after={OVERFLOW_LOW}", id="cursor-datetime-below-year-1"),
        pytest.param(f"/?after={OVERFLOW_HIGH}", id="cursor-datetime-past-year-9999"),
        pytest.param(f"/?after={HUGE_ID}", id="cursor-id-past-int4"),
        pytest.param(f"/?after={HUGER_ID}", id="cursor-id-past-int8"),
        pytest.param(f"/?sort=number&after={HUGE_NUMBER}", id="cursor-number-past-int4"),
        pytest.param(f"/?after={FLOAT_ID}", id="cursor-float-id"),
        pytest.param(f"/?sort=number&after={BOOL_ID}", id="cursor-booleans"),
    ],
)
def test_malformed_query_parameters_are_ignored_not_a_server_error(client, admin, org, url):
    make_ticket(org, subject="Still listed")
    login_as(client, admin)
    response = client.get(url)
    assert response.status_code == 200


def test_a_team_filter_past_int4_is_ignored_like_any_unknown_team(client, admin, org):
    team = TeamFactory(organization=org)
    make_ticket(org, subject="In a team", team=team)
    make_ticket(org, subject="Without a team")
    login_as(client, admin)
    page = client.get("/?team=2147483648").get_data(as_text=True)
    assert "In a team" in page and "Without a team" in page


def test_a_crafted_cursor_shows_the_first_page(client, admin, org):
    make_ticket(org, subject="First ticket")
    login_as(client, admin)
    page = client.get(f"/?after={OVERFLOW_HIGH}").get_data(as_text=True)
    assert "First ticket" in page


@pytest.mark.parametrize(
    ("url", "name"),
    [
        pytest.param("/customers?q=%00", "q", id="customers"),
        pytest.param("/customers?q=a%00b", "q", id="customers-inside"),
        pytest.param("/search?q=%00", "q", id="search"),
        pytest.param("/?tag=x%00", "tag", id="queue-tag"),
        pytest.param("/admin/inbound?status=%00", "status", id="admin-inbound"),
        pytest.param("/?a%00=1", "a\\0", id="in-a-name"),
    ],
)
def test_a_nul_in_the_query_string_is_a_400_page_naming_the_parameter(
    client, admin, org, url, name
):
    login_as(client, admin)
    response = client.get(url)
    assert response.status_code == 400
    assert f"The parameter &#39;{name}&#39; contains a NUL character." in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/tickets/2147483648", id="ticket-number"),
        pytest.param("/customers/99999999999999999999", id="customer"),
        pytest.param("/admin/agents/2147483648", id="agent"),
        pytest.param("/admin/mail/9223372036854775808", id="email"),
        pytest.param("/attachments/0", id="zero"),
    ],
)
def test_an_id_past_int4_in_the_path_is_a_404(client, admin, url):
    login_as(client, admin)
    assert client.get(url).status_code == 404
