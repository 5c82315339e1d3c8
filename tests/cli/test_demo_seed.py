"""The demo seed (`make run`) on PostgreSQL: it fills a desk, and bulk inserts queue no email."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Organization
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.integration


def test_the_demo_seed_fills_a_desk_and_sends_no_mail(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--tickets", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "as admin@acme-support.example with the password" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) >= 40
    assert db.session.scalar(db.select(db.func.count()).select_from(Organization)) >= 2
    # Demo history is inserted in bulk, not through the services: nobody gets demo mail.
    assert db.session.scalar(db.select(db.func.count()).select_from(EmailMessage)) == 0

    again = runner.invoke(args=["seed-demo", "--tickets", "40", "--seed", "3", "--reset"])
    assert again.exit_code == 0, again.output
