"""Customer emails in German: snapshots of every part, no English left, user text escaped."""

from __future__ import annotations

import pytest

from supportdesk.mail.outbound.compose import render
from supportdesk.mail.outbound.models import PORTAL_SIGN_IN, SATISFACTION_SURVEY, Notification
from tests.mail.outbound.test_portal_templates import SURVEY, context_for
from tests.mail.outbound.test_templates import (
    HTMLSnapshot,
    TextSnapshot,
    fixed_context,
    mention_context,
    organization_context,
    sla_context,
)

pytestmark = pytest.mark.unit

CUSTOMER_KINDS = [pytest.param(n.value, id=n.value) for n in Notification if n.to_customer]


def german_context(**overrides) -> dict:
    """The snapshot data with dates as letters write them for a German reader."""
    context = fixed_context(
        message={**fixed_context()["message"], "date": "02.03.2026, 10:10 UTC"},
        quoted=[{**fixed_context()["quoted"][0], "date": "02.03.2026, 09:30 UTC"}],
    )
    context.update(overrides)
    return context


def test_the_customer_emails_are_the_three_of_a_ticket_s_life():
    assert [p.values[0] for p in CUSTOMER_KINDS] == [
        "ticket_acknowledged",
        "agent_replied",
        "ticket_resolved",
    ]


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_the_german_html_part_looks_as_recorded(kind, snapshot):
    html = render(kind, german_context(), "de").html
    assert html == snapshot.use_extension(HTMLSnapshot)


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_the_german_text_part_looks_as_recorded(kind, snapshot):
    rendered = render(kind, german_context(), "de")
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


# The customer's and agent's own words stay as written ("Hello,\nour March invoice ...").
ENGLISH = ["Hello Inès", "Thank you", "Reply to this email", "Earlier in this", "Resolved:", "We "]


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
@pytest.mark.parametrize("part", ["subject", "html", "text"])
def test_a_german_email_has_no_english_sentence_left(kind, part):
    text = getattr(render(kind, german_context(), "de"), part)
    assert not [phrase for phrase in ENGLISH if phrase in text]


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_the_german_html_declares_its_language(kind):
    assert '<html lang="de">' in render(kind, german_context(), "de").html
    assert '<html lang="en">' in render(kind, german_context()).html


@pytest.mark.parametrize("kind", CUSTOMER_KINDS)
def test_user_text_is_escaped_in_german_too(kind):
    evil = '<script>alert("x")</script>'
    context = german_context(
        org_name=evil,
        recipient_name=evil,
        ticket={**fixed_context()["ticket"], "subject": evil},
        message={"author": evil, "body": evil, "date": "heute"},
    )
    rendered = render(kind, context, "de")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert evil in rendered.text


@pytest.mark.parametrize("language", [None, "fr", "xx"])
def test_a_language_we_do_not_speak_gets_english(language):
    assert render("ticket_resolved", fixed_context(), language).subject.startswith(
        "[#42] Resolved:"
    )


# The portal's sign-in link and the survey (alone, and carried by the resolution email).
PORTAL_CASES = [
    pytest.param(PORTAL_SIGN_IN, id="portal-sign-in"),
    pytest.param(SATISFACTION_SURVEY, id="survey"),
    pytest.param(Notification.TICKET_RESOLVED.value, id="resolved-with-survey"),
]
# ("Okay" and "Link" are German words too.)
PORTAL_ENGLISH = [
    *ENGLISH,
    "How did we do",
    "Good",
    "Bad",
    "sign in",
    "Sign in",
    "sign-in",
    "works once",
]


def portal_context(kind: str) -> dict:
    context = context_for(kind)
    if kind == PORTAL_SIGN_IN:
        context["link"] = {**context["link"], "expires": "02.03.2026, 10:30 UTC"}
    return context


@pytest.mark.parametrize("kind", PORTAL_CASES)
def test_the_german_portal_and_survey_html_looks_as_recorded(kind, snapshot):
    html = render(kind, portal_context(kind), "de").html
    assert html == snapshot.use_extension(HTMLSnapshot)


@pytest.mark.parametrize("kind", PORTAL_CASES)
def test_the_german_portal_and_survey_text_looks_as_recorded(kind, snapshot):
    rendered = render(kind, portal_context(kind), "de")
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("kind", PORTAL_CASES)
@pytest.mark.parametrize("part", ["subject", "html", "text"])
def test_a_german_portal_or_survey_email_has_no_english_left(kind, part):
    rendered = render(kind, portal_context(kind), "de")
    text = getattr(rendered, part)
    # The addresses are the same in every language: look at the words around them.
    for choice in SURVEY["links"]:
        text = text.replace(choice["url"], "")
    text = text.replace(portal_context(PORTAL_SIGN_IN)["link"]["url"], "")
    assert not [phrase for phrase in PORTAL_ENGLISH if phrase in text]


# An agent who reads German gets their ticket mail in German too (their language, not the
# customer's).
AGENT_KINDS = [
    pytest.param(kind, id=kind)
    for kind in (
        "ticket_assigned",
        "mentioned",
        "customer_replied",
        "sla_breached",
        "webhook_disabled",
    )
]


def agent_context(kind: str) -> dict:
    if kind == "webhook_disabled":
        endpoint = {**organization_context()["endpoint"], "disabled_at": "02.03.2026, 11:05 UTC"}
        return {**organization_context(), "endpoint": endpoint}
    if kind == "sla_breached":
        return german_context(
            **{**sla_context(), "sla": {**sla_context()["sla"], "due": "02.03.2026, 10:40 UTC"}}
        )
    return german_context(**mention_context()) if kind == "mentioned" else german_context()


AGENT_ENGLISH = [
    *ENGLISH,
    "Open it",
    "assigned",
    "mentioned",
    "replied",
    "Priority",
    "Answer in",
    "missed",
    "target",
    "team lead",
    "We stopped",
    "Why",
    "Until",
]


@pytest.mark.parametrize("kind", AGENT_KINDS)
def test_the_german_agent_text_looks_as_recorded(kind, snapshot):
    rendered = render(kind, agent_context(kind), "de")
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


@pytest.mark.parametrize("kind", AGENT_KINDS)
@pytest.mark.parametrize("part", ["subject", "html", "text"])
def test_a_german_agent_email_has_no_english_sentence_left(kind, part):
    text = getattr(render(kind, agent_context(kind), "de"), part)
    assert not [phrase for phrase in AGENT_ENGLISH if phrase in text]
