"""An agent exports the messages of a queue, hears from the bell that the file is ready, and
downloads it from the notification; exports a search's results; and finds an expired export
said so in the bell and on the notifications page, its old link explained."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from rq import Queue, SimpleWorker

from supportdesk.db import utcnow
from supportdesk.exports.models import Export
from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from tests.e2e.conftest import persist, start_session
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
    start_session(page, desk.agent)

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


def _work(redis_client) -> None:
    SimpleWorker([Queue("default", connection=redis_client)], connection=redis_client).work(
        burst=True
    )


def test_an_agent_exports_a_search_s_results_and_the_file_holds_the_hits(
    page: Page, desk, live_server, redis_client, monkeypatch
) -> None:
    monkeypatch.setitem(live_server.app.extensions, "redis", redis_client)
    make_ticket(desk.org, subject="Printer jam on floor 2", body="Paper stuck.")
    noisy = make_ticket(desk.org, subject="Network down", body="The printer cannot print either.")
    tickets.reply(desk.agent, noisy, "A new printer arrives Monday.")
    make_ticket(desk.org, subject="Password reset", body="Locked out.")
    persist()
    start_session(page, desk.agent)
    page.goto("/")

    box = page.get_by_role("searchbox", name="Search tickets")
    box.fill("printer")
    box.press("Enter")
    expect(page.get_by_text("2 tickets found")).to_be_visible()
    hits = {
        int(text.strip().lstrip("#"))
        for text in page.locator(".search-hit .ticket-number").all_inner_texts()
    }
    assert len(hits) == 2
    page.get_by_label("What to export").select_option(label="Tickets")
    page.get_by_role("button", name="Export these results").click()
    expect(page.get_by_text("Export queued: this page follows it.")).to_be_visible()
    expect(page.get_by_text("Search “printer”")).to_be_visible()

    _work(redis_client)
    expect(page.locator(".card[data-refresh-seconds]")).to_have_count(0, timeout=10_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download tickets-export-")).click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text("utf-8"))))
    assert {int(r["number"]) for r in rows} == hits
    assert "Password reset" not in {r["subject"] for r in rows}


def test_an_expired_export_s_notification_says_expired_and_its_link_explains(
    page: Page, desk, live_server, redis_client, monkeypatch
) -> None:
    monkeypatch.setitem(live_server.app.extensions, "redis", redis_client)
    start_session(page, desk.agent)
    page.goto("/?queue=all")
    page.get_by_label("What to export").select_option(label="Tickets")
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_text("Export queued: this page follows it.")).to_be_visible()
    _work(redis_client)
    expect(page.locator(".card[data-refresh-seconds]")).to_have_count(0, timeout=10_000)
    export = db.session.scalars(sa.select(Export).order_by(Export.id.desc())).first()
    export.expires_at = utcnow() - dt.timedelta(minutes=1)
    persist()

    page.goto("/notifications")
    item = page.locator(".notification").filter(has_text="Your tickets export")
    expect(item.get_by_text("Expired", exact=True)).to_be_visible()
    expect(item.get_by_role("link", name="Download")).to_have_count(0)
    page.locator("[data-bell-toggle]").click()
    menu = page.locator("[data-bell-menu]")
    expect(menu.get_by_text("Expired", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Download")).to_have_count(0)

    # An old link to the file (from the email) leads to a page that says why, answered as 410.
    response = page.goto(f"/exports/{export.id}/download")
    assert response is not None and response.status == 410
    expect(page.get_by_role("alert")).to_contain_text("This export's file has expired")
    page.get_by_role("button", name="Export again").click()
    expect(page.get_by_text("Export queued: this page follows it.")).to_be_visible()
