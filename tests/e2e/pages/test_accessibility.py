"""axe-core finds nothing on any page (at desktop width; on the queue and a ticket also at phone
width, menu open), and every page starts with a skip link to its content."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import WIDTHS
from tests.e2e.pages import site

AXE = Axe()

# The first element the Tab key reaches, in document order: [its text, its href].
FIRST_FOCUSABLE = """() => {
  const candidates = document.querySelectorAll(
    "a[href], button, input, select, textarea, summary, [tabindex]");
  const first = [...candidates].find((el) => el.tabIndex >= 0 && !el.disabled
    && el.type !== "hidden");
  return first ? [first.textContent.trim(), first.getAttribute("href")] : null;
}"""


def violations(page: Page) -> list[str]:
    """axe-core's findings on the page as it is now, one line a rule."""
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: "
        f"{', '.join(str(node['target']) for node in v['nodes'][:3])}): {v['help']}"
        for v in found
    ]


@pytest.mark.parametrize("target", site.pages(), ids=lambda target: target.name)
def test_axe_finds_nothing_and_a_skip_link_comes_first(open_page, target: site.SitePage) -> None:
    page = open_page(target, WIDTHS["desktop"])
    found = violations(page)
    assert not found, "\n".join(found)
    assert page.evaluate(FIRST_FOCUSABLE) == ["Skip to content", "#content"]
    expect(page.locator("main#content")).to_have_count(1)


@pytest.mark.parametrize("endpoint", ["console.queue", "console.ticket_show"])
def test_axe_finds_nothing_on_a_phone_with_the_menu_shut_or_open(open_page, endpoint: str) -> None:
    page = open_page(site.by_endpoint(endpoint), WIDTHS["phone"])
    assert violations(page) == []
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Customers")).to_be_visible()
    assert violations(page) == []


def test_the_skip_link_shows_on_the_first_tab_and_moves_focus_to_the_content(open_page) -> None:
    page = open_page(site.by_endpoint("console.queue"), WIDTHS["desktop"])
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
