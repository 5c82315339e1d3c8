"""Round robin stays fair over the ordinary tickets whatever the critical tickets do."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.accounts.models import AssignmentStrategy, Role
from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Ticket
from tests.factories import (
    CustomerFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
    make_ticket,
)

# Each example builds its own organization inside the test's transaction, so examples never
# see each other's tickets; the function-scoped `app` fixture only provides the database.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _spread(counts: Counter, people: list[int]) -> int:
    values = [counts.get(p, 0) for p in people]
    return max(values) - min(values)


@EXAMPLES
@given(
    ordinary=st.integers(min_value=1, max_value=3),
    seniors=st.integers(min_value=0, max_value=2),
    priorities=st.lists(st.sampled_from(list(Priority)), min_size=1, max_size=16),
)
def test_critical_tickets_never_unbalance_the_ordinary_rotation(app, ordinary, seniors, priorities):
    org = OrganizationFactory()
    agents = [UserFactory(organization=org) for _ in range(ordinary)]
    leads = [UserFactory(organization=org, role=Role.SENIOR_AGENT) for _ in range(seniors)]
    team = TeamFactory(
        organization=org, members=agents + leads, assignment_strategy=AssignmentStrategy.ROUND_ROBIN
    )
    customer = CustomerFactory(organization=org)
    for priority in priorities:
        make_ticket(org, team=team, customer=customer, priority=priority)
        db.session.commit()

    rows = db.session.execute(
        sa.select(Ticket.assignee_id, Ticket.priority).where(Ticket.team_id == team.id)
    ).all()
    ordinary_counts = Counter(a for a, p in rows if p is not Priority.CRITICAL)
    critical_counts = Counter(a for a, p in rows if p is Priority.CRITICAL)
    everyone = [u.id for u in agents + leads]
    # Ordinary tickets take turns over every member, seniors included.
    assert _spread(ordinary_counts, [u.id for u in agents]) <= 1
    assert _spread(ordinary_counts, everyone) <= 1
    # Critical tickets take their own turns over the seniors (everyone when there are none).
    takers = [u.id for u in leads] or everyone
    assert set(critical_counts) <= set(takers)
    assert _spread(critical_counts, takers) <= 1


def test_medium_tickets_alternating_with_critical_ones_are_split_evenly(org):
    """The reported case: ten medium tickets alternating with ten critical ones."""
    a, b = UserFactory(organization=org), UserFactory(organization=org)
    senior = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    team = TeamFactory(
        organization=org, members=[a, b, senior], assignment_strategy=AssignmentStrategy.ROUND_ROBIN
    )
    for _ in range(10):
        for priority in (Priority.MEDIUM, Priority.CRITICAL):
            make_ticket(org, team=team, priority=priority)
            db.session.commit()
    medium = Counter(
        db.session.scalars(
            sa.select(Ticket.assignee_id).where(
                Ticket.team_id == team.id, Ticket.priority == Priority.MEDIUM
            )
        )
    )
    assert sorted(medium[u.id] for u in (a, b, senior)) == [3, 3, 4]
