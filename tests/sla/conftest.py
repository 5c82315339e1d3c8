"""SLA fixtures: an office-hours calendar and a default policy for `org`."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.sla.models import BusinessCalendar, SlaPolicy

OFFICE = {str(d): [["09:00", "12:30"], ["13:30", "17:00"]] for d in range(5)}


@pytest.fixture
def calendar(org):
    """Berlin office hours, Monday to Friday with a lunch break, Christmas off."""
    cal = BusinessCalendar(
        organization_id=org.id,
        name="Berlin office",
        time_zone="Europe/Berlin",
        weekly_hours=OFFICE,
        holidays=["2026-12-25"],
    )
    db.session.add(cal)
    db.session.flush()
    return cal


@pytest.fixture
def policy(org, calendar):
    """The organization's default policy on `calendar`, with the default targets."""
    p = SlaPolicy(organization_id=org.id, name="Standard", calendar_id=calendar.id)
    db.session.add(p)
    db.session.flush()
    return p
