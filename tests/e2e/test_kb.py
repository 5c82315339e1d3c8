"""The knowledge base in a browser: an agent writes, previews and publishes an article; a
visitor finds it on the help center without signing in, reads it and votes; the composer
suggests it on a ticket and inserts its link; axe-core finds nothing on the help center."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from supportdesk.extensions import db
from supportdesk.kb import branding, categories, service
from supportdesk.kb.models import Article, ArticleStatus
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    Desk,
    chromium_path,
    persist,
    screenshot,
    start_session,
)

AXE = Axe()


def _violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
    ]


def test_an_agent_publishes_an_article_a_visitor_finds_and_rates_it(
    page: Page, browser: Browser, browser_context_args: dict, desk: Desk
) -> None:
    categories.create_category(desk.senior, name="Billing", description="Invoices and refunds.")
    persist()
    start_session(page, desk.agent)
    page.goto("/")
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title", exact=True).fill("Refund a cancelled booking")
    page.get_by_label("Article").fill("Open **Bookings**, choose the trip, then *Refund*.")
    page.get_by_label("Category").select_option(label="Billing")
    page.get_by_label("Tags").fill("refund")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".kb-preview")
    expect(preview.locator("strong")).to_have_text("Bookings")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    screenshot(page, "kb-editor.png", full_page=True)
    article = db.session.scalar(db.select(Article))
    assert article.status is ArticleStatus.PUBLISHED

    visitor = browser.new_context(**browser_context_args)
    reader = visitor.new_page()
    reader.goto(f"/help/{desk.org.slug}/")
    expect(reader.get_by_role("heading", name="How can we help?")).to_be_visible()
    reader.get_by_role("searchbox", name="Search the help center").fill("refund booking")
    reader.get_by_role("button", name="Search").click()
    expect(reader.locator(".help-results mark").first).to_be_visible()
    screenshot(reader, "help-search.png", full_page=True)
    reader.get_by_role("link", name="Refund a cancelled booking").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Refund a cancelled booking")
    expect(reader).to_have_title("Refund a cancelled booking · Acme Support Help Center")
    reader.get_by_role("button", name="Yes").click()
    expect(reader.get_by_role("status")).to_contain_text("Glad it helped")
    screenshot(reader, "help-article.png", full_page=True)
    visitor.close()
    db.session.refresh(article)
    assert article.helpful_count == 1


def test_the_composer_suggests_an_article_and_inserts_its_link(page: Page, desk: Desk) -> None:
    service.create_article(
        desk.agent, title="Refund a cancelled booking", body="Open **Bookings**, then Refund.",
        status="published",
    )  # fmt: skip
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    suggestions = page.locator("[data-kb-suggest]")
    expect(suggestions.get_by_role("link", name="Refund a cancelled booking")).to_be_visible()
    suggestions.get_by_role("button", name="Insert link: Refund a cancelled booking").click()
    box = page.get_by_role("textbox", name="Message")
    expect(box).to_have_value(
        f"[Refund a cancelled booking](http://{page.url.split('/')[2]}/help/{desk.org.slug}/articles/refund-a-cancelled-booking)"
    )
    suggestions.get_by_role("button", name="Insert text: Refund a cancelled booking").click()
    expect(box).to_have_value(
        f"[Refund a cancelled booking](http://{page.url.split('/')[2]}/help/{desk.org.slug}/articles/refund-a-cancelled-booking) Open **Bookings**, then Refund."
    )
    screenshot(page.locator("[data-kb-suggest]"), "kb-composer.png")


@pytest.fixture
def help_center(desk: Desk) -> Desk:
    """A branded help center with two categories, a few articles and a related one."""
    billing = categories.create_category(
        desk.senior, name="Billing", description="Invoices and refunds."
    )
    bookings = categories.create_category(desk.senior, name="Bookings")
    for title, category in [
        ("Refund a cancelled booking", billing), ("Download an invoice", billing),
        ("Change a booking date", bookings), ("Add a traveller", bookings),
    ]:  # fmt: skip
        service.create_article(
            desk.agent, title=title, status="published", category_id=category.id,
            body=f"## {title}\n\nOpen **Bookings**, choose the trip.\n\n- Step one\n- Step two\n\n> Tip: refunds take five days.",
        )  # fmt: skip
    branding.update_help_center(desk.senior, title="", color="#0f766e")
    persist()
    return desk


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param("/search?q=refund", id="search"),
        pytest.param("/search?q=nothing-matches", id="search-empty"),
        pytest.param("/categories/billing", id="category"),
        pytest.param("/articles/refund-a-cancelled-booking", id="article"),
        pytest.param("/articles/refund-a-cancelled-booking?voted=yes", id="article-voted"),
    ],
)
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_axe_finds_nothing_on_the_help_center(
    page: Page, help_center: Desk, path: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/help/{help_center.org.slug}{path}")
    assert _violations(page) == []
    expect(page.locator("main#content")).to_have_count(1)
    if width == 1280 and path.startswith("/articles") and "voted" not in path:
        screenshot(page, "help-branded-article.png", full_page=True)
    if width == 1280 and path == "/":
        screenshot(page, "help-home.png", full_page=True)


def test_the_help_center_reads_without_script(
    browser: Browser, browser_context_args: dict, help_center: Desk
) -> None:
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    page = context.new_page()
    page.goto(f"/help/{help_center.org.slug}/")
    page.get_by_role("link", name="Download an invoice").click()
    expect(page.locator(".help-body strong")).to_have_text("Bookings")
    expect(
        page.get_by_role("complementary").get_by_role("link", name="Refund a cancelled booking")
    ).to_be_visible()
    context.close()


def test_an_admin_puts_the_help_center_on_its_own_host_and_a_visitor_reads_it_there(
    page: Page, playwright, help_center: Desk, live_server
) -> None:
    """The browser resolves help.acme.test to the test server (Chromium's host resolver rules),
    as DNS would once the organization's CNAME points at the help desk."""
    start_session(page, help_center.admin)
    page.goto("/admin/organization")
    page.get_by_label("Help center host name").fill("Help.Acme.test")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("help center at help.acme.test")
    expect(page.get_by_label("Help center host name")).to_have_value("help.acme.test")
    screenshot(page.locator("#help-host"), "help-host-settings.png")

    port = live_server.url.rsplit(":", 1)[1]
    site = f"http://help.acme.test:{port}"
    browser = playwright.chromium.launch(
        executable_path=chromium_path(),
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP help.acme.test 127.0.0.1"],
    )
    try:
        visitor = browser.new_context(locale="en-GB", timezone_id="UTC")
        reader = visitor.new_page()
        reader.goto(f"{site}/")
        expect(reader.get_by_role("heading", name="How can we help?")).to_be_visible()
        reader.get_by_role("link", name="Bookings").first.click()
        reader.get_by_role("link", name="Change a booking date").click()
        expect(reader).to_have_url(f"{site}/articles/change-a-booking-date")
        expect(reader.locator('link[rel="canonical"]')).to_have_attribute(
            "href", "https://help.acme.test/articles/change-a-booking-date"
        )
        assert _violations(reader) == []
        reader.get_by_role("button", name="Yes").click()
        expect(reader.get_by_role("status")).to_contain_text("Glad it helped")
        expect(reader).to_have_url(f"{site}/articles/change-a-booking-date?voted=yes#feedback")
        screenshot(reader, "help-host-article.png", full_page=True)
        reader.get_by_role("link", name="Sitemap").click()
        assert "https://help.acme.test/articles/add-a-traveller" in reader.content()
        assert reader.goto(f"{site}/login").status == 404
        assert reader.goto(f"{site}/portal/").status == 200
        expect(reader.get_by_label("Email")).to_be_visible()
        visitor.close()
    finally:
        browser.close()
