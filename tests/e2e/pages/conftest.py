"""Fixtures of the page tests (layout and accessibility of every page).

These tests only read, so a module shares one populated desk and one signed-in browser window
instead of rebuilding them for each of its many page × width cases: `e2e_data` here replaces the
harness's per-test emptying, and the tables are emptied once, when the module is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from supportdesk.extensions import db
from tests.e2e.conftest import LiveServer, _empty_tables, make_desk, persist, start_session
from tests.e2e.pages.site import SitePage
from tests.e2e.pages.site_data import Site, populate


@pytest.fixture(scope="module")
def shared_site(live_server: LiveServer) -> Iterator[Site]:
    """One populated desk, committed, for every test of the module; emptied when it is done."""
    with live_server.app.app_context():
        try:
            populated = populate(make_desk())
            persist()
            yield populated
        finally:
            db.session.rollback()
            db.session.remove()
    _empty_tables(live_server.app)


@pytest.fixture(autouse=True)
def e2e_data(shared_site: Site) -> Iterator[None]:
    """Every test of the module reads the shared desk; nothing is emptied between them."""
    yield


class Tabs:
    """One tab of one browser window (one set of cookies), sized and navigated for each page.

    The tab is kept from page to page: a navigation loads a new document, which is what a page
    test reads, and costs some 0.2 s less than a new tab. Nothing of the page before carries
    over that these tests look at (the pages keep no state in sessionStorage; a tab that a test
    closed is replaced).
    """

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self._current: Page | None = None

    def open(self, path: str, width: int) -> Page:
        """The tab, `width` pixels wide, on `path`."""
        if self._current is None or self._current.is_closed():
            self._current = self.context.new_page()
        self._current.set_viewport_size({"width": width, "height": 900})
        self._current.goto(path)
        return self._current


@pytest.fixture(scope="module")
def admin_tabs(browser: Browser, browser_context_args: dict, shared_site: Site) -> Iterator[Tabs]:
    """Tabs of a window where the shared desk's admin signed in once."""
    context = browser.new_context(**browser_context_args)
    start_session(context.new_page(), shared_site.desk.admin)
    yield Tabs(context)
    context.close()


@pytest.fixture(scope="module")
def visitor_tabs(browser: Browser, browser_context_args: dict) -> Iterator[Tabs]:
    """Tabs of a window where nobody signed in."""
    context = browser.new_context(**browser_context_args)
    yield Tabs(context)
    context.close()


@pytest.fixture
def open_page(shared_site: Site, admin_tabs: Tabs, visitor_tabs: Tabs) -> Callable[..., Page]:
    """`open_page(target, width)`: a tab on the page, signed in unless it is for visitors."""

    def open_(target: SitePage, width: int) -> Page:
        tabs = visitor_tabs if target.signed_out else admin_tabs
        return tabs.open(target.path(shared_site), width)

    return open_
