"""Every page at a phone, a half-screen window and a desktop: nothing wider than the window, every
table header over its own cells, every top-bar link reachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import WIDTHS
from tests.e2e.pages import site

# Layout faults a person would see, found in the page itself: each is a sentence, [] when none.
LAYOUT_FAULTS = """() => {
  const faults = [];
  const width = window.innerWidth;
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > width) {
    const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + [...el.classList].join(".") : "");
    const culprits = [...document.body.querySelectorAll("*")].filter((el) => {
      const parent = el.parentElement.getBoundingClientRect();
      return el.getBoundingClientRect().right > width + 1 && parent.right <= width + 1;
    }).slice(0, 3).map((el) => `${name(el)} in ${name(el.parentElement)}`);
    faults.push(`the page is ${pageWidth}px wide in a ${width}px window: ${culprits.join(", ")}`);
  }
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const columns = (row) => {
    const cells = [];
    for (const cell of row.cells) for (let i = 0; i < cell.colSpan; i++) cells.push(cell);
    return cells;
  };
  document.querySelectorAll("table").forEach((table, t) => {
    if (!shown(table) || !table.tHead || !table.tBodies.length) return;
    const heads = columns(table.tHead.rows[0]);
    const row = [...table.tBodies[0].rows].find((r) => columns(r).length === heads.length
      && r.cells.length === heads.length);
    if (!row) return;
    const cells = columns(row);
    heads.forEach((th, i) => {
      const td = cells[i];
      const name = `table ${t + 1}, column "${th.textContent.trim() || i + 1}"`;
      if (shown(th) !== shown(td)) {
        faults.push(`${name}: the header is ${shown(th) ? "shown" : "hidden"} but its cells are not`);
        return;
      }
      if (!shown(th)) return;
      const h = th.getBoundingClientRect();
      const c = td.getBoundingClientRect();
      if (Math.abs(h.left - c.left) > 1 || Math.abs(h.right - c.right) > 1) {
        faults.push(`${name}: the header spans ${Math.round(h.left)}-${Math.round(h.right)}px `
          + `but its cells ${Math.round(c.left)}-${Math.round(c.right)}px`);
      }
    });
  });
  return faults;
}"""

# Top-bar controls a person cannot reach: outside the window, hidden, or covered by something.
UNREACHABLE_CONTROLS = """() => {
  const width = window.innerWidth;
  const controls = document.querySelectorAll(".topbar > a, "
    + ".topbar-menu a, .topbar-menu button, .topbar-menu input:not([type=hidden])");
  return [...controls].filter((el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return true;
    if (box.left < 0 || box.right > width) return true;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return !(hit && (hit === el || el.contains(hit)));
  }).map((el) => (el.textContent.trim() || el.getAttribute("aria-label") || el.outerHTML));
}"""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("target", site.pages(), ids=lambda target: target.name)
def test_the_page_works_at_the_width(open_page, target: site.SitePage, width: int) -> None:
    page = open_page(target, width)
    faults = page.evaluate(LAYOUT_FAULTS)
    assert not faults, "\n".join(faults)
    if target.signed_out:
        return
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    unreachable = page.evaluate(UNREACHABLE_CONTROLS)
    assert not unreachable, f"top-bar controls out of reach: {unreachable}"


def test_escape_closes_the_phone_menu_and_returns_to_its_button(open_page) -> None:
    page = open_page(site.by_endpoint("console.queue"), WIDTHS["phone"])
    menu = page.get_by_role("button", name="Menu")
    expect(page.get_by_role("link", name="Customers")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Customers")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(page.get_by_role("link", name="Customers")).to_be_hidden()
