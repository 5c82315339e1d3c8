"""The customer-side emails of the portal and the survey: snapshots on fixed data (the sign-in
link, the delayed survey, the resolution email with its rating links), escaping, links in both parts."""

from __future__ import annotations

import pytest

from supportdesk.mail.outbound.compose import render
from supportdesk.mail.outbound.models import PORTAL_SIGN_IN, SATISFACTION_SURVEY, Notification
from tests.mail.outbound.test_templates import HTMLSnapshot, TextSnapshot, fixed_context

pytestmark = pytest.mark.unit

BASE = "https://help.snapshot.example/help/snapshot/portal"
SURVEY = {
    "links": [
        {"rating": r, "label": r.capitalize(), "url": f"{BASE}/rate/VG9rZW4.abc/{r}"}
        for r in ("good", "okay", "bad")
    ],
    "comment_url": f"{BASE}/rate/VG9rZW4.abc",
}


def context_for(kind: str, **overrides) -> dict:
    base = fixed_context()
    if kind == PORTAL_SIGN_IN:
        link = {
            "name": "Inès Duarte",
            "url": f"{BASE}/link/Zm9vYmFyYmF6",
            "expires": "02 Mar 2026, 10:30 UTC",
            **overrides,
        }
        return {"org_name": base["org_name"], "brand": base["brand"], "link": link}
    context = {
        "org_name": base["org_name"],
        "brand": base["brand"],
        "ticket": {**base["ticket"], **{k: v for k, v in overrides.items() if k == "subject"}},
        "recipient_name": overrides.get("name", base["recipient_name"]),
        "survey": SURVEY,
    }
    if kind == Notification.TICKET_RESOLVED.value:
        context.update(
            customer=base["customer"], actor_name="", message=None, quoted=[], to_customer=True,
            assignment={"team": "", "rule": ""}, sender_verified=True,
        )  # fmt: skip
    return context


CASES = [
    pytest.param(PORTAL_SIGN_IN, id="portal-sign-in"),
    pytest.param(SATISFACTION_SURVEY, id="survey"),
    pytest.param(Notification.TICKET_RESOLVED.value, id="resolved-with-survey"),
]


@pytest.mark.parametrize("kind", CASES)
def test_the_html_part_looks_as_recorded(kind, snapshot):
    assert render(kind, context_for(kind)).html == snapshot.use_extension(HTMLSnapshot)


@pytest.mark.parametrize("kind", CASES)
def test_the_text_part_looks_as_recorded(kind, snapshot):
    rendered = render(kind, context_for(kind))
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("kind", CASES)
def test_names_are_escaped_and_the_links_are_in_both_parts(kind):
    hostile = '<img src=x onerror="alert(1)">'
    rendered = render(kind, context_for(kind, name=hostile, subject=hostile))
    assert hostile not in rendered.html and "&lt;img" in rendered.html
    urls = [f"{BASE}/link/Zm9vYmFyYmF6"] if kind == PORTAL_SIGN_IN else [
        choice["url"] for choice in SURVEY["links"]
    ]  # fmt: skip
    for url in urls:
        assert url in rendered.html and url in rendered.text


def test_the_resolution_email_without_a_survey_has_no_rating_links():
    context = context_for(Notification.TICKET_RESOLVED.value)
    context["survey"] = None
    rendered = render(Notification.TICKET_RESOLVED.value, context)
    assert "/rate/" not in rendered.html and "How did we do" not in rendered.text
