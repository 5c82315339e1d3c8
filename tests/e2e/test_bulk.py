"""An agent works a queue in bulk: checks rows and changes their status in one go; selects every
ticket matching the filter and watches the background job to its end."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from rq import Queue, SimpleWorker

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status, Ticket
from tests.e2e.conftest import persist, start_session
from tests.factories import make_ticket


def _statuses() -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(db.select(Ticket.subject, Ticket.status))
    return {subject: status.value for subject, status in rows}


def test_an_agent_checks_rows_and_changes_their_status(page: Page, desk) -> None:
    make_ticket(desk.org, subject="Invoice is wrong")
    make_ticket(desk.org, subject="Password reset loops")
    persist()
    start_session(page, desk.agent)

    page.goto("/")
    toolbar = page.locator("form.bulk-bar")
    expect(toolbar).to_be_hidden()
    page.get_by_label("Select ticket #2").check()
    page.get_by_label("Select ticket #3").check()
    expect(toolbar.get_by_text("2 tickets selected on this page")).to_be_visible()
    toolbar.get_by_label("Action").select_option(label="Change status")
    expect(toolbar.get_by_label("Priority")).to_be_hidden()
    toolbar.get_by_label("Status").select_option(label="Pending")
    toolbar.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_text("Set status to pending: 2 tickets done.")).to_be_visible()
    assert _statuses() == {
        "Refund for a cancelled booking": "open",
        "Invoice is wrong": "pending",
        "Password reset loops": "pending",
    }


def test_an_agent_selects_all_matching_and_watches_the_job_finish(
    page: Page, desk, live_server, redis_client, monkeypatch
) -> None:
    # A real Redis and RQ worker, as in production: the job waits in the queue for the worker.
    monkeypatch.setitem(live_server.app.extensions, "redis", redis_client)
    monkeypatch.setitem(live_server.app.config, "PAGE_SIZE", 3)
    for n in range(6):
        make_ticket(desk.org, subject=f"Outage report {n}", priority=Priority.HIGH)
    make_ticket(desk.org, subject="Low one", priority=Priority.LOW)
    closed = make_ticket(
        desk.org, subject="Old outage", priority=Priority.HIGH, status=Status.CLOSED
    )
    persist()
    closed_number = closed.number  # the worker ends its job with a fresh session
    start_session(page, desk.agent)

    page.goto("/?queue=all&priority=high")
    expect(page.get_by_text("7 tickets in this queue")).to_be_visible()
    page.get_by_label("Select every ticket on this page").check()
    page.get_by_role("button", name="Select all 7 matching this filter").click()
    toolbar = page.locator("form.bulk-bar")
    expect(toolbar.get_by_text("All 7 tickets matching this filter are selected")).to_be_visible()
    toolbar.get_by_label("Action").select_option(label="Change status")
    toolbar.get_by_label("Status").select_option(label="Resolved")
    toolbar.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_role("heading", name="Set status to resolved")).to_be_visible()
    expect(page.get_by_text("Queued", exact=True)).to_be_visible()
    expect(page.get_by_text("0 of 7")).to_be_visible()

    SimpleWorker([Queue("default", connection=redis_client)], connection=redis_client).work(
        burst=True
    )

    # The page follows the job by itself.
    expect(page.get_by_text("Completed", exact=True)).to_be_visible(timeout=10_000)
    expect(page.get_by_text("7 of 7")).to_be_visible()
    expect(page.get_by_text("6 done · 1 refused")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=str(closed_number))
    expect(row.get_by_text("A ticket that is closed cannot be moved to resolved.")).to_be_visible()
    page.get_by_role("link", name="Back to the queue").click()
    expect(page).to_have_url("/?queue=all&priority=high")
    statuses = _statuses()
    assert statuses["Low one"] == "open" and statuses["Old outage"] == "closed"
    assert [statuses[f"Outage report {n}"] for n in range(6)] == ["resolved"] * 6


def test_an_agent_applies_a_macro_to_checked_rows(page: Page, desk) -> None:
    from supportdesk.macros import service as macros

    macros.create_macro(desk.admin, name="Escalate to billing", priority="critical", add_tags="vip")
    macros.create_macro(desk.admin, name="Close as spam", status="closed")
    make_ticket(desk.org, subject="Invoice is wrong")
    make_ticket(desk.org, subject="Charged twice")
    persist()
    start_session(page, desk.agent)

    page.goto("/")
    page.get_by_label("Select ticket #2").check()
    page.get_by_label("Select ticket #3").check()
    toolbar = page.locator("form.bulk-bar")
    toolbar.get_by_label("Action").select_option(label="Apply macro")
    expect(toolbar.get_by_label("Merge into #")).to_be_hidden()
    toolbar.get_by_label("Macro", exact=True).select_option(label="Escalate to billing")
    toolbar.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_text("Apply macro “Escalate to billing”: 2 tickets done.")).to_be_visible()
    for subject in ("Invoice is wrong", "Charged twice"):
        row = page.get_by_role("row").filter(has_text=subject)
        expect(row.get_by_text("Critical")).to_be_visible()
        expect(row.locator(".tag", has_text="vip")).to_be_visible()
    untouched = page.get_by_role("row").filter(has_text=desk.ticket.subject)
    expect(untouched.locator(".tag", has_text="vip")).to_have_count(0)
    db.session.expire_all()
    priorities = dict(db.session.execute(db.select(Ticket.subject, Ticket.priority)).all())
    assert priorities["Invoice is wrong"] is priorities["Charged twice"] is Priority.CRITICAL
    assert priorities[desk.ticket.subject] is not Priority.CRITICAL


def test_an_agent_merges_checked_rows_into_one_of_them(page: Page, desk) -> None:
    make_ticket(desk.org, subject="Refund still missing")
    persist()
    start_session(page, desk.agent)

    page.goto("/")
    page.get_by_label("Select ticket #1").check()
    page.get_by_label("Select ticket #2").check()
    toolbar = page.locator("form.bulk-bar")
    toolbar.get_by_label("Action").select_option(label="Merge into a ticket")
    toolbar.get_by_label("Merge into #").fill("1")
    toolbar.get_by_role("button", name="Apply to selected").click()

    expect(
        page.get_by_text(
            "Merge into #1: 1 ticket done. #1 left as it is: it is the ticket the others merge into."
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Refund still missing")).to_have_count(0)
    assert _statuses() == {
        "Refund for a cancelled booking": "open",
        "Refund still missing": "closed",
    }


@pytest.mark.parametrize("who", ["viewer"])
def test_a_viewer_is_offered_no_bulk_actions(page: Page, desk, who) -> None:
    start_session(page, getattr(desk, who))
    page.goto("/")
    expect(page.get_by_role("link", name=desk.ticket.subject)).to_be_visible()
    expect(page.locator("input[data-bulk-row]")).to_have_count(0)
    expect(page.locator("form.bulk-bar")).to_have_count(0)
