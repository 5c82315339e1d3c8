"""The team form in a browser: saving it for another reason keeps deactivated members."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from tests import factories
from tests.e2e.conftest import persist, start_session


def test_renaming_a_team_keeps_its_deactivated_member(page: Page, desk) -> None:
    gone = factories.UserFactory(organization=desk.org, name="Gil Gone", active=False)
    desk.team.members.append(gone)
    persist()
    start_session(page, desk.admin)
    page.goto(f"/admin/teams/{desk.team.id}")
    members = page.get_by_label("Members")
    expect(members.locator("option:checked")).to_have_text(
        ["Alex Agent", "Sam Senior", "Gil Gone (deactivated)"]
    )
    page.get_by_label("Name").fill("Billing and refunds")
    page.get_by_role("button", name="Save team").click()
    expect(page.get_by_text("Team saved.")).to_be_visible()

    db.session.expire_all()
    assert desk.team.name == "Billing and refunds"
    assert sorted(m.name for m in desk.team.members) == ["Alex Agent", "Gil Gone", "Sam Senior"]
