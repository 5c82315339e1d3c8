"""An agent exports the messages of a queue, hears from the bell that the file is ready, and
downloads it from the notification."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect
from rq import Queue, SimpleWorker

from supportdesk.tickets import service as tickets
from tests.e2e.conftest import persist, sign_in
from tests.factories import make_ticket


def test_an_agent_exports_a_queue_s_messages_and_downloads_them_from_the_bell(
    page: Page, desk, live_server, redis_client, monkeypatch
) -> None:
    # A real Redis and RQ worker, as in production: the job waits in the queue for the worker.
    monkeypatch.setitem(live_server.app.extensions, "redis", redis_client)
    other = make_ticket(desk.org, subject="Printer on fire", body="=cmd|' /C calc'!A0")
    tickets.reply(desk.agent, desk.ticket, "The refund left us today.")
    persist()
    numbers = {desk.ticket.number, other.number}
    sign_in(page, desk.agent)

    page.goto("/?queue=all")
    page.get_by_label("What to export").select_option(label="Messages")
    page.get_by_label("Export format").select_option(label="CSV")
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_text("Export queued: this page follows it.")).to_be_visible()
    expect(page.get_by_text("Queued", exact=True)).to_be_visible()

    SimpleWorker([Queue("default", connection=redis_client)], connection=redis_client).work(
        burst=True
    )

    # The export's page reloads itself every 2 s until the export ends: wait for its last reload
    # (one in the middle of the bell's menu or of a navigation would undo or abort it).
    expect(page.locator(".card[data-refresh-seconds]")).to_have_count(0, timeout=10_000)
    expect(page.locator(".bell-count")).to_have_text("1", timeout=10_000)
    page.locator("[data-bell-toggle]").click()
    menu = page.locator("[data-bell-menu]")
    item = menu.locator(".notification").filter(has_text="Your messages export")
    expect(item).to_contain_text("is ready to download: 3 rows.")
    with page.expect_download() as download_info:
        item.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("messages-export-")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert {int(r["ticket_number"]) for r in rows} == numbers
    bodies = {r["body_text"] for r in rows}
    assert "The refund left us today." in bodies
    assert "'=cmd|' /C calc'!A0" in bodies  # a formula reaches the spreadsheet as text

    # Opening the notification leads to the export's page.
    page.goto("/notifications")
    page.get_by_role("button", name="Your messages export").click()
    expect(page.get_by_role("heading", name=download.suggested_filename)).to_be_visible()
