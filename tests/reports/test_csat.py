"""CSAT from the portal's ratings table (created here as the portal's migration makes it; the
DDL rolls back with the test)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.reports import csat
from supportdesk.reports.queries import Params
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.integration

DDL = """CREATE TABLE satisfaction_ratings (
  id serial PRIMARY KEY, organization_id int NOT NULL, ticket_id int NOT NULL,
  assignee_id int, team_id int, rating varchar(10), rated_at timestamptz)"""


def test_csat_counts_good_answers_among_the_answers_of_the_period(app):
    assert not csat.available()
    db.session.execute(sa.text(DDL))
    org, other = OrganizationFactory(), OrganizationFactory()
    day = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    rows = [
        (org.id, "good", day, 7),
        (org.id, "good", day, None),
        (org.id, "bad", day + dt.timedelta(days=1), 7),
        (org.id, None, day, 7),  # asked, never answered
        (org.id, "bad", day - dt.timedelta(days=30), 7),  # the previous period
        (other.id, "bad", day, 7),  # another organization
    ]
    for n, (org_id, rating, at, agent) in enumerate(rows):
        db.session.execute(
            sa.insert(csat.RATINGS).values(
                organization_id=org_id,
                ticket_id=n + 1,
                rating=rating,
                rated_at=at,
                assignee_id=agent,
            )
        )
    assert csat.available()
    period = Params(dt.date(2026, 11, 1), dt.date(2026, 11, 28))
    found = csat.csat(org.id, period, "Europe/Berlin")
    assert (found.good, found.okay, found.bad) == (2, 0, 1)
    assert found.score == pytest.approx(200 / 3)
    mine = csat.csat(org.id, Params(period.start, period.end, assignee_id=7), "UTC")
    assert (mine.good, mine.bad, mine.score) == (1, 1, 50.0)
    assert csat.csat(org.id, period.previous(), "UTC").rated == 1
    assert csat.Csat(0, 0, 0).score is None
