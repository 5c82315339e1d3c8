"""A lead opens the report dashboard, narrows the range, and follows a chart's link to the
ticket list, which holds as many tickets as the chart said."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from playwright.sync_api import Page, expect

from supportdesk.db import utcnow
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Priority, Status
from tests.e2e.conftest import persist, screenshot, start_session
from tests.factories import make_ticket

# Tickets opened (and some solved) on these many days ago.
OPENED = {1: 3, 3: 2, 12: 4, 20: 1}


def _history(desk) -> None:
    now = utcnow().replace(hour=10, minute=0, second=0, microsecond=0)
    for days, n in OPENED.items():
        for i in range(n):
            at = now - dt.timedelta(days=days, hours=i)
            with time_machine.travel(at, tick=False):
                ticket = make_ticket(
                    desk.org,
                    subject=f"Opened {days} days ago ({i})",
                    assignee=desk.agent if i % 2 else desk.senior,
                    team=desk.team,
                    channel=Channel.EMAIL if i % 2 else Channel.WEB,
                    priority=Priority.HIGH,
                )
                persist()
            with time_machine.travel(at + dt.timedelta(hours=2), tick=False):
                tickets.reply(desk.agent, ticket, "Looking into it.")
                if i % 2 == 0:
                    tickets.change_status(desk.agent, ticket, Status.RESOLVED)
                persist()


def _figure(page: Page, label: str) -> int:
    card = page.locator(".kpi").filter(has=page.get_by_role("heading", name=label, exact=True))
    return int(card.locator(".kpi-value").inner_text().replace(",", ""))


def test_a_lead_follows_a_chart_to_a_list_of_as_many_tickets(page: Page, desk) -> None:
    _history(desk)
    start_session(page, desk.senior)
    page.goto("/")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="How we are doing")).to_be_visible()
    # The desk's own ticket was opened today, within every range.
    assert _figure(page, "Created") == sum(OPENED.values()) + 1
    screenshot(page, "reports-dashboard.png", full_page=True)

    page.get_by_role("link", name="Last 7 days").click()
    expect(page.get_by_label("From")).to_have_value(
        (
            dt.date.fromisoformat(page.get_by_label("To").input_value()) - dt.timedelta(days=6)
        ).isoformat()
    )
    assert _figure(page, "Created") == 3 + 2 + 1

    # The chart's table: the day three days ago, created and solved.
    table = page.get_by_role("table").filter(has_text="Created").first
    row = table.get_by_role("row").filter(has=page.get_by_role("link")).nth(0)
    cell = row.get_by_role("link").first
    shown = int(cell.inner_text())
    assert shown > 0
    cell.click()
    expect(page.get_by_text(re.compile(rf"^{shown} tickets? in this queue$"))).to_be_visible()
    assert page.locator("tbody tr").count() == shown


def test_an_agent_sees_only_their_own_figures(page: Page, desk) -> None:
    _history(desk)
    start_session(page, desk.agent)
    page.goto("/reports?days=30")
    expect(page.get_by_role("heading", name="How you are doing")).to_be_visible()
    expect(page.get_by_label("Team")).to_have_count(0)
    # Odd-numbered tickets of each day went to the agent.
    assert _figure(page, "Created") == sum(n // 2 for n in OPENED.values())


def test_a_lead_subscribes_to_the_team_s_weekly_summary_and_unsubscribes(page: Page, desk) -> None:
    start_session(page, desk.senior)
    page.goto("/reports?days=30")
    page.locator("select[name=team]").select_option(label="Billing")
    page.get_by_role("button", name="Show").click()
    form = page.get_by_role("form", name="Summary email")
    expect(form).to_contain_text("Email me this summary (this team)")
    form.get_by_label("Email me this summary").select_option("weekly")
    form.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_role("heading", name="Summary emails")).to_be_visible()
    expect(page.get_by_text("You will get this summary weekly by email.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Weekly")
    expect(row).to_contain_text("Billing")
    screenshot(page, "report-summaries.png", full_page=True)

    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("link", name="Your summary emails (1)")).to_be_visible()
    page.get_by_role("link", name="Your summary emails (1)").click()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_text("You will no longer get the weekly summary.")).to_be_visible()
    expect(page.get_by_text("You get no summary emails.")).to_be_visible()
