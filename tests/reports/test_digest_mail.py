"""The summary email's template: snapshots in English and German, escaping, mail-client-safe."""

from __future__ import annotations

import pytest

from supportdesk.mail.outbound.compose import render
from supportdesk.mail.outbound.models import REPORT_SUMMARY
from tests.mail.outbound.test_templates import HTMLSnapshot, TextSnapshot, organization_context

pytestmark = pytest.mark.unit

KPIS = [
    ("Created", "124", "98", "+27", False, "up"),
    ("Solved", "117", "101", "+16", False, "up"),
    ("Backlog", "42", "35", "+20", False, "up"),
    ("First response (business hours)", "3.5 h", "4.1 h", "-15", False, "down"),
    ("Full resolution (business hours)", "18.2 h", "18.2 h", "", False, ""),
    ("SLA first response achieved", "91.5%", "88.0%", "+3.5", True, "up"),
    ("SLA resolution achieved", "84.0%", "86.5%", "-2.5", True, "down"),
    ("One-touch resolution", "38.5%", "35.6%", "+2.9", True, "up"),
    ("Replies per solved ticket", "2.1", "2.3", "-9", False, "down"),
    ("Reopened", "6", "9", "-33", False, "down"),
]
DAYS = [("Mon 2 Nov", 30, 28), ("Tue 3 Nov", 25, 22), ("Wed 4 Nov", 21, 24), ("Sun 8 Nov", 0, 3)]


def summary_context(**overrides) -> dict:
    """A week's summary as digest.summary writes it (English figures; the template translates
    the words around them)."""
    top = 30
    summary = {
        "weekly": True,
        "start": "02 Nov 2026",
        "end": "08 Nov 2026",
        "days": 7,
        "zone": "Europe/Lisbon",
        "team": "",
        "team_view": True,
        "kpis": [
            {"label": label, "value": v, "previous": p, "change": c, "points": pts, "direction": d}
            for label, v, p, c, pts, d in KPIS
        ],
        "csat": "87.5%",
        "csat_previous": "—",
        "csat_rated": 16,
        "volume": [
            {
                "label": label,
                "week": False,
                "bars": [
                    {"figure": "created", "value": str(c), "width": round(100 * c / top),
                     "colour": "#1f4e96"},
                    {"figure": "solved", "value": str(s), "width": round(100 * s / top),
                     "colour": "#6fa8dc"},
                ],
            }
            for label, c, s in DAYS
        ],
        "by": "team",
        "breakdown_headers": [
            "Created", "Solved", "First response (business hours)", "SLA resolution achieved"
        ],
        "breakdown": [
            {"label": "Billing", "cells": ["80", "75", "2.9 h", "88.0%"]},
            {"label": "No team", "cells": ["44", "42", "4.6 h", "—"]},
        ],
        "dashboard_url": "https://help.snapshot.example/reports?start=2026-11-02&end=2026-11-08&by=team",
        "manage_url": "https://help.snapshot.example/reports/summaries",
    }  # fmt: skip
    summary.update(overrides)
    return {**organization_context(recipient_name="Lena Lead"), "summary": summary}


def german_context() -> dict:
    """The same summary as digest.summary writes it for a German reader (dates, digits)."""
    context = summary_context(start="02.11.2026", end="08.11.2026")
    summary = context["summary"]
    for k in summary["kpis"]:
        for key in ("value", "previous", "change"):
            k[key] = k[key].replace(".", ",")
    summary["csat"] = "87,5%"
    for row, label in zip(summary["volume"], ["Mo., 2. Nov.", "Di., 3. Nov.", "Mi., 4. Nov.",
                                             "So., 8. Nov."], strict=True):  # fmt: skip
        row["label"] = label
    for row in summary["breakdown"]:
        row["cells"] = [c.replace(".", ",") for c in row["cells"]]
    return context


CONTEXTS = {"en": summary_context, "de": german_context}


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_summary_html_looks_as_recorded(language, snapshot):
    html = render(REPORT_SUMMARY, CONTEXTS[language](), language).html
    assert html == snapshot.use_extension(HTMLSnapshot)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_summary_text_looks_as_recorded(language, snapshot):
    rendered = render(REPORT_SUMMARY, CONTEXTS[language](), language)
    assert f"Subject: {rendered.subject}\n\n{rendered.text}" == snapshot.use_extension(TextSnapshot)


def test_the_html_has_no_script_no_image_and_no_style_block_to_lose():
    html = render(REPORT_SUMMARY, summary_context()).html.lower()
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert 'bgcolor="#1f4e96"' in html and 'width="100%"' in html


def test_names_in_the_summary_are_escaped():
    evil = '<script>alert("x")</script>'
    context = summary_context(team=evil, breakdown=[{"label": evil, "cells": ["1", "1", "—", "—"]}])
    context["recipient_name"] = evil
    html = render(REPORT_SUMMARY, context, "de").html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_month_of_weeks_says_so():
    context = summary_context(weekly=False, start="01 Oct 2026", end="31 Oct 2026", days=31)
    for row in context["summary"]["volume"]:
        row["week"] = True
    rendered = render(REPORT_SUMMARY, context)
    assert rendered.subject == "Your monthly summary: 01 Oct 2026 to 31 Oct 2026"
    assert "Week of Mon 2 Nov" in rendered.text
