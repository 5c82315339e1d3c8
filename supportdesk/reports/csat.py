"""Customer satisfaction (CSAT), read from the survey answers rather than the daily aggregates.

The ratings live in `satisfaction_ratings` (supportdesk.satisfaction: one row per solved ticket
surveyed; `rating` good | okay | bad, NULL until the customer answers; `rated_at`; the ticket's
`assignee_id` and `team_id` when it was solved).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.reports.metrics import day_start
from supportdesk.reports.queries import Params
from supportdesk.satisfaction.models import Rating, SatisfactionRating


@dataclass(frozen=True)
class Csat:
    """Answers in a period: good, okay and bad ones."""

    good: int
    okay: int
    bad: int

    @property
    def rated(self) -> int:
        return self.good + self.okay + self.bad

    @property
    def score(self) -> float | None:
        """**CSAT**: the share of answers that were "good", in percent, over the surveys the
        customers answered (rated_at) within the period's local days; None without answers."""
        return None if not self.rated else 100 * self.good / self.rated


def csat(organization_id: int, p: Params, zone: str) -> Csat:
    """The answers given within `p`'s days (team and agent filters apply; 1 query)."""
    r = SatisfactionRating
    where = [
        r.organization_id == organization_id,
        r.rating.is_not(None),
        r.rated_at >= day_start(p.start, zone),
        r.rated_at < day_start(p.end + dt.timedelta(days=1), zone),
    ]
    if p.team_id:
        where.append(r.team_id == p.team_id)
    if p.assignee_id is not None:
        where.append(r.assignee_id == p.assignee_id if p.assignee_id else r.assignee_id.is_(None))
    counts = dict(
        db.session.execute(
            sa.select(r.rating, sa.func.count()).where(*where).group_by(r.rating)
        ).all()
    )
    return Csat(counts.get(Rating.GOOD, 0), counts.get(Rating.OKAY, 0), counts.get(Rating.BAD, 0))
