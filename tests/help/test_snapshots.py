"""Snapshots of the help center's pages and the article editor on fixed data and a frozen clock
(syrupy, stored as readable .html)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.extensions import db
from supportdesk.kb.models import Article, ArticleStatus, Category
from supportdesk.markdown import to_html
from tests.console.test_snapshots import HTMLSnapshot
from tests.factories import password_hash
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration

FROZEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
BODY = (
    "## Before you start\n\nOpen **Bookings** and choose the trip.\n\n- Choose *Refund*\n- Confirm"
)


@pytest.fixture
def snapshot_html(snapshot):
    return snapshot.use_extension(HTMLSnapshot)


@pytest.fixture
def fixed_center(app):
    """An organization with fixed ids, two categories and three published articles."""
    with time_machine.travel(FROZEN, tick=False):
        org = Organization(id=920001, name="Snapshot Travel", slug="snapshot-travel")
        db.session.add(org)
        db.session.flush()
        writer = User(id=920011, organization=org, email="wren@snapshot.example", name="Wren Writer",
                      role=Role.AGENT, password_hash=password_hash(), session_token="fixed")  # fmt: skip
        billing = Category(id=920021, organization_id=org.id, name="Billing", slug="billing",
                           description="Invoices, refunds and payments.", position=1)  # fmt: skip
        bookings = Category(id=920022, organization_id=org.id, name="Bookings", slug="bookings",
                            description="", position=2)  # fmt: skip
        db.session.add_all([writer, billing, bookings])
        db.session.flush()
        for n, (title, category) in enumerate(
            [("Refund a cancelled booking", billing), ("Download an invoice", billing),
             ("Change a booking date", bookings)], 1,
        ):  # fmt: skip
            db.session.add(
                Article(
                    id=920030 + n, organization_id=org.id, category_id=category.id, title=title,
                    slug=re.sub(r"\W+", "-", title.lower()), body=BODY, body_html=to_html(BODY),
                    tags=["refund"], status=ArticleStatus.PUBLISHED, author_id=writer.id,
                    seo_description="How to get your money back." if n == 1 else "",
                    helpful_count=3 * n, published_at=FROZEN,
                )
            )  # fmt: skip
        db.session.commit()
    return writer


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param("/categories/billing", id="category"),
        pytest.param("/articles/refund-a-cancelled-booking", id="article"),
        pytest.param("/search?q=booking", id="search"),
    ],
)
def test_the_help_center_pages_look_as_recorded(client, fixed_center, snapshot_html, path):
    with time_machine.travel(FROZEN, tick=False):
        html = client.get(f"/help/snapshot-travel{path}").get_data(as_text=True)
    assert html == snapshot_html


def test_the_article_editor_looks_as_recorded(client, fixed_center, snapshot_html):
    with time_machine.travel(FROZEN, tick=False):
        login_as(client, fixed_center)
        html = client.get("/kb/articles/920031").get_data(as_text=True)
    html = re.sub(r'(name="csrf_token"[^>]*? value=")[^"]+', r"\1TOKEN", html.replace("\r\n", "\n"))
    assert html == snapshot_html
