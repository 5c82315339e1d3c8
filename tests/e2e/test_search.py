"""Searching and counting from the console, as an agent does it in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.conftest import persist, start_session


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("refu", id="prefix"),
        pytest.param("aisha.bianchi", id="part-of-an-email"),
        pytest.param("driftwood-travel", id="part-of-a-domain"),
    ],
)
def test_the_search_box_finds_a_ticket_by_a_prefix_or_part_of_an_email(
    page: Page, desk, query: str
) -> None:
    factories.make_ticket(desk.org, subject="Printer jam", body="Page 3 is stuck.")
    persist()
    start_session(page, desk.agent)
    page.goto("/")

    box = page.get_by_role("searchbox", name="Search tickets")
    box.fill(query)
    box.press("Enter")

    expect(page.get_by_text("1 ticket found")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Refund for a cancelled booking"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Printer jam"))).to_have_count(0)


def test_a_word_found_past_the_cap_says_its_total_is_a_lower_bound(
    page: Page, desk, monkeypatch
) -> None:
    from supportdesk.search import results

    monkeypatch.setattr(results, "SEARCH_CAP", 2)
    for n in range(4):
        factories.make_ticket(desk.org, subject=f"Kerberos {n}")
    factories.make_ticket(desk.org, subject="Printer jam")
    persist()
    start_session(page, desk.agent)
    page.goto("/search?q=kerberos")
    expect(page.get_by_text("3+ tickets found")).to_be_visible()

    page.goto("/search?q=printer")
    expect(page.get_by_text("1 ticket found", exact=True)).to_be_visible()


def test_a_filtered_queue_counts_the_tickets_it_shows(page: Page, desk) -> None:
    for n in range(3):
        factories.make_ticket(desk.org, subject=f"VIP request {n}", tags="vip")
    factories.make_ticket(desk.org, subject="Ordinary request")
    persist()
    start_session(page, desk.agent)
    page.goto("/")
    expect(page.get_by_text("5 tickets in this queue")).to_be_visible()

    tag = page.get_by_label("Tag", exact=True)
    tag.fill("vip")
    tag.press("Enter")

    expect(page.get_by_text("3 tickets in this queue")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("VIP request"))).to_have_count(3)


@pytest.mark.parametrize("width", [1440, 1280, 1024])
def test_an_admin_searches_from_the_top_bar_at_the_width(page: Page, desk, width: int) -> None:
    """The admin's bar holds fifteen links; the search box keeps its width below them (it was
    squeezed to a sliver beside a full row) and sends what was typed."""
    factories.make_ticket(desk.org, subject="Printer jam", body="Page 3 is stuck.")
    persist()
    start_session(page, desk.admin)
    page.goto("/")
    page.set_viewport_size({"width": width, "height": 800})

    box = page.get_by_role("searchbox", name="Search tickets")
    assert box.bounding_box()["width"] >= 200
    box.click()
    box.press_sequentially("printer")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=printer$"))
    expect(page.get_by_text("1 ticket found")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Printer jam"))).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search tickets")).to_have_value("printer")
