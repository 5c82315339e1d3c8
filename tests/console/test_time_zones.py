"""Every page prints times in the signed-in agent's zone, inside <time> that machines read as UTC."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from supportdesk.extensions import db
from tests.factories import make_ticket
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration

OPENED = dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)
LATER = OPENED + dt.timedelta(hours=3)


@pytest.fixture
def opened(org, customer):
    """A ticket opened at OPENED (13:05 UTC, a winter day in both hemispheres' north)."""
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(org, customer=customer)
    customer.created_at = OPENED
    db.session.commit()
    return ticket


def _page(client, agent, path: str, at: dt.datetime = LATER) -> str:
    # Signed in inside the travel: a session cookie from the future does not load.
    with time_machine.travel(at, tick=False):
        login_as(client, agent)
        response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("own_zone", "org_zone", "text"),
    [
        pytest.param(None, "UTC", "27 Nov 2026, 13:05 UTC", id="default-utc"),
        pytest.param("Europe/Berlin", "UTC", "27 Nov 2026, 14:05 CET", id="agent-s-own-zone"),
        pytest.param(None, "America/New_York", "27 Nov 2026, 08:05 EST", id="follows-the-org"),
        pytest.param(
            "Asia/Tokyo", "America/New_York", "27 Nov 2026, 22:05 JST", id="own-beats-the-org"
        ),
    ],
)
def test_the_ticket_page_shows_times_in_the_agent_s_zone(
    client, org, agent, opened, own_zone, org_zone, text
):
    org.time_zone, agent.time_zone = org_zone, own_zone
    db.session.commit()
    html = _page(client, agent, f"/tickets/{opened.number}")

    assert f'<dt>Opened</dt><dd><time datetime="2026-11-27T13:05:00Z">{text}</time></dd>' in html
    # Relative times keep the full local time as their title.
    assert f'<time datetime="2026-11-27T13:05:00Z" title="{text}">3 h ago</time>' in html


@pytest.mark.parametrize(
    ("path", "snippet"),
    [
        pytest.param(
            "/?queue=all",
            '<time datetime="2026-11-27T13:05:00Z" title="27 Nov 2026, 08:05 EST">3 h ago</time>',
            id="queue",
        ),
        pytest.param(
            "/customers/{customer}",
            'Customer since <time datetime="2026-11-27T13:05:00Z">27 Nov 2026, 08:05 EST</time>',
            id="customer",
        ),
        pytest.param(
            "/search?q=working",
            '<time datetime="2026-11-27T13:05:00Z" title="27 Nov 2026, 08:05 EST">3 h ago</time>',
            id="search",
        ),
    ],
)
def test_other_pages_show_the_agent_s_zone_too(client, agent, customer, opened, path, snippet):
    agent.time_zone = "America/New_York"
    db.session.commit()

    assert snippet in _page(client, agent, path.format(customer=customer.id))


def test_a_date_older_than_a_month_is_the_local_date(client, agent, opened):
    # 23:30 UTC on 27 Nov is already 28 Nov in Tokyo.
    agent.time_zone = "Asia/Tokyo"
    opened.updated_at = OPENED.replace(hour=23, minute=30)
    db.session.commit()
    html = _page(client, agent, "/?queue=all", at=OPENED + dt.timedelta(days=60))

    assert (
        '<time datetime="2026-11-27T23:30:00Z" title="28 Nov 2026, 08:30 JST">28 Nov 2026</time>'
        in html
    )
