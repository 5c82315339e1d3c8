"""The emails that carry a link to set a password (invitation, reset): snapshots on fixed data,
and what they must never do (run what a person typed, lose the link in either part)."""

from __future__ import annotations

import pytest

from supportdesk.mail.outbound.compose import render
from supportdesk.mail.outbound.models import AGENT_INVITATION, PASSWORD_RESET
from tests.mail.outbound.test_templates import HTMLSnapshot, TextSnapshot, fixed_context

pytestmark = pytest.mark.unit

URL = "https://help.snapshot.example/password/reset/Zm9vYmFyYmF6"


def context_for(kind: str, **overrides) -> dict:
    brand = {"org_name": "Snapshot Support", "brand": fixed_context()["brand"]}
    if kind == AGENT_INVITATION:
        invitation = {
            "name": "Nia New",
            "role": "Senior agent",
            "inviter": "Ada Admin",
            "url": "https://help.snapshot.example/invitations/Zm9vYmFyYmF6",
            "expires": "09 Mar 2026, 10:00 UTC",
            **overrides,
        }
        return {**brand, "invitation": invitation}
    reset = {
        "name": "Omar Agent",
        "forced_by": "",
        "url": URL,
        "expires": "02 Mar 2026, 10:30 UTC",
        **overrides,
    }
    return {**brand, "reset": reset}


CASES = [
    pytest.param(AGENT_INVITATION, {}, id="invitation"),
    pytest.param(PASSWORD_RESET, {}, id="reset"),
    pytest.param(PASSWORD_RESET, {"forced_by": "Ada Admin"}, id="forced-reset"),
]


@pytest.mark.parametrize(("kind", "extra"), CASES)
def test_the_html_part_looks_as_recorded(kind, extra, snapshot):
    assert render(kind, context_for(kind, **extra)).html == snapshot.use_extension(HTMLSnapshot)


@pytest.mark.parametrize(("kind", "extra"), CASES)
def test_the_text_part_looks_as_recorded(kind, extra, snapshot):
    rendered = render(kind, context_for(kind, **extra))
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("kind", [AGENT_INVITATION, PASSWORD_RESET])
def test_names_are_escaped_and_the_link_is_in_both_parts(kind):
    hostile = '<img src=x onerror="alert(1)">'
    rendered = render(kind, context_for(kind, name=hostile, inviter=hostile, forced_by=hostile))
    assert hostile not in rendered.html
    assert "&lt;img" in rendered.html
    link = context_for(kind)["invitation" if kind == AGENT_INVITATION else "reset"]["url"]
    assert link in rendered.html and link in rendered.text
