"""The console search page: the top-bar box, ranked highlighted results, filters, paging."""

from __future__ import annotations

import re

import pytest

from supportdesk.tickets import service
from supportdesk.tickets.models import Priority
from tests.factories import make_ticket
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


@pytest.fixture
def signed_in(client, agent):
    login_as(client, agent)
    return client


def _numbers(html: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'<a class="search-hit-subject" href="/tickets/(\d+)">', html)
    ]


def test_every_console_page_has_the_search_box(signed_in):
    html = signed_in.get("/").get_data(as_text=True)

    assert '<form class="topsearch" method="get" action="/search" role="search">' in html


def test_the_search_page_lists_ranked_results_with_highlighted_snippets(signed_in, org, agent):
    ticket = make_ticket(org, subject="Laptop", body="Broken <em>again</em>")
    service.reply(agent, ticket, "Renew the kerberos ticket, then <b>retry</b>.")
    make_ticket(org, subject="Unrelated")

    response = signed_in.get("/search?q=kerberos")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert _numbers(html) == [ticket.number]
    assert "1 ticket found" in html
    assert "<mark>kerberos</mark>" in html
    assert "<b>retry" not in html  # ts_headline drops tags; everything else is escaped
    assert 'value="kerberos"' in html


def test_filters_combine_with_the_search(signed_in, org):
    high = make_ticket(org, subject="VPN broken", priority=Priority.HIGH)
    make_ticket(org, subject="VPN slow", priority=Priority.LOW)

    html = signed_in.get("/search?q=vpn&priority=high").get_data(as_text=True)

    assert _numbers(html) == [high.number]


def test_results_are_paged(signed_in, app, org):
    app.config["PAGE_SIZE"] = 2
    try:
        for n in range(3):
            make_ticket(org, subject=f"Printer {n}")
        first = signed_in.get("/search?q=printer").get_data(as_text=True)
        second = signed_in.get("/search?q=printer&page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 25

    assert len(_numbers(first)) == 2 and 'rel="next"' in first
    assert len(_numbers(second)) == 1 and 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize(
    "query, text",
    [
        pytest.param("", "Search every ticket", id="no-query"),
        pytest.param("q=nothingmatches", "No tickets found", id="no-match"),
        pytest.param("q=x&page=abc", "No tickets found", id="bad-page"),
    ],
)
def test_empty_states(signed_in, org, query, text):
    make_ticket(org, subject="Something")

    response = signed_in.get(f"/search?{query}")

    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


def test_search_needs_a_signed_in_agent(client):
    assert client.get("/search?q=x").status_code == 302


def test_the_search_page_costs_a_constant_number_of_queries(signed_in, org, agent, query_counter):
    make_ticket(org, subject="Kerberos one", tags="a")
    signed_in.get("/search?q=kerberos")  # fills the organization's cache (accounts.orgcache)
    with query_counter() as few:
        signed_in.get("/search?q=kerberos")
    for n in range(5):
        make_ticket(org, subject=f"Kerberos {n}", tags="b", assignee=agent)
    with query_counter() as many:
        signed_in.get("/search?q=kerberos")

    # Session with the bell's unread count; the ranked page with its highlighted lines; its tags.
    # The menus' agents and teams come from the organization's cache.
    assert few.count == many.count == 3
