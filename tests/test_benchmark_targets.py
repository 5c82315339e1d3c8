"""The benchmark's ticket page is a ticket of issue 19's length (benchmarks/inprocess.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets.models import Message, Ticket, TicketEvent
from tests.factories import make_staff, make_ticket

pytestmark = pytest.mark.integration


def _inprocess():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "inprocess.py"
    spec = importlib.util.spec_from_file_location("benchmark_inprocess", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_issue_ticket_is_built_with_six_messages_and_twenty_history_entries(app):
    inprocess = _inprocess()
    staff = make_staff()
    customer = make_ticket(staff.org).customer

    inprocess.build_issue_ticket(staff.org.id, staff.agent.email, customer_id=customer.id)

    ticket = db.session.scalars(
        sa.select(Ticket).where(Ticket.subject == inprocess.ISSUE_TICKET_SUBJECT)
    ).one()
    count = sa.select(sa.func.count())
    messages = db.session.scalar(count.where(Message.ticket_id == ticket.id))
    events = db.session.scalar(count.where(TicketEvent.ticket_id == ticket.id))
    assert (messages, events >= 20) == (6, True)
    assert ticket.customer_id == customer.id  # the customer page measured stays the same
    assert ticket.assignee_id == staff.agent.id
