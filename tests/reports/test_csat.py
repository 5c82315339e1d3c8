"""CSAT from the portal's ratings table (supportdesk.satisfaction)."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.extensions import db
from supportdesk.reports import csat
from supportdesk.reports.queries import Params
from supportdesk.satisfaction.models import Rating, SatisfactionRating
from tests.factories import OrganizationFactory, UserFactory, make_ticket

pytestmark = pytest.mark.integration


def test_csat_counts_good_answers_among_the_answers_of_the_period(app):
    org, other = OrganizationFactory(), OrganizationFactory()
    agent = UserFactory(organization=org)
    day = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    rows = [
        (org, "good", day, agent),
        (org, "good", day, None),
        (org, "bad", day + dt.timedelta(days=1), agent),
        (org, None, day, agent),  # asked, never answered
        (org, "bad", day - dt.timedelta(days=30), agent),  # the previous period
        (other, "bad", day, None),  # another organization
    ]
    for owner, rating, at, assignee in rows:
        ticket = make_ticket(owner)
        db.session.add(
            SatisfactionRating(
                organization_id=owner.id,
                ticket_id=ticket.id,
                customer_id=ticket.customer_id,
                assignee_id=assignee.id if assignee else None,
                rating=Rating(rating) if rating else None,
                rated_at=at if rating else None,
            )
        )
    db.session.flush()
    period = Params(dt.date(2026, 11, 1), dt.date(2026, 11, 28))
    found = csat.csat(org.id, period, "Europe/Berlin")
    assert (found.good, found.okay, found.bad) == (2, 0, 1)
    assert found.score == pytest.approx(200 / 3)
    mine = csat.csat(org.id, Params(period.start, period.end, assignee_id=agent.id), "UTC")
    assert (mine.good, mine.bad, mine.score) == (1, 1, 50.0)
    assert csat.csat(org.id, period.previous(), "UTC").rated == 1
    assert csat.Csat(0, 0, 0).score is None
