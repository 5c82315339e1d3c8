"""touch_if_changed: updated_at moves only when a row really changes."""

from __future__ import annotations

import datetime as dt

from supportdesk.db import touch_if_changed
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import NotificationSettings

LONG_AGO = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)


def _settings(org) -> NotificationSettings:
    row = NotificationSettings(
        organization_id=org.id, footer_text="Thanks", accent_color="#2563eb", updated_at=LONG_AGO
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_assigning_the_same_values_is_no_change(org):
    row = _settings(org)
    row.footer_text = "Thanks"
    row.accent_color = "#2563eb"
    assert touch_if_changed(row) is False
    assert row.updated_at == LONG_AGO


def test_a_changed_value_moves_updated_at(org):
    row = _settings(org)
    row.footer_text = "Thanks, the Acme team"
    assert touch_if_changed(row) is True
    assert row.updated_at > LONG_AGO


def test_a_new_row_is_a_change(org):
    row = NotificationSettings(organization_id=org.id)
    db.session.add(row)
    assert touch_if_changed(row) is True
