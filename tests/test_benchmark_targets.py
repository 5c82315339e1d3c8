"""The benchmark's ticket page is a ticket of issue 19's length (benchmarks/inprocess.py), and
its regression check tells the code's slowdowns from the host's (benchmarks/run.py)."""

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
    return _benchmark("inprocess")


def _benchmark(name: str):
    path = Path(__file__).resolve().parent.parent / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", path)
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


@pytest.mark.parametrize(
    "host_then, host_now, queue_now, regressed",
    [
        pytest.param(5.0, 5.0, 6.0, [], id="same-host-within-30-percent"),
        pytest.param(5.0, 5.0, 8.0, ["queue"], id="same-host-60-percent-slower"),
        pytest.param(5.0, 7.0, 8.0, [], id="host-40-percent-slower-explains-it"),
        pytest.param(5.0, 4.0, 7.0, ["queue"], id="faster-host-shows-a-hidden-regression"),
        pytest.param(None, 7.0, 8.0, ["queue"], id="baseline-without-reference-as-measured"),
    ],
)
def test_compare_divides_a_page_s_change_by_the_host_s(
    tmp_path, host_then, host_now, queue_now, regressed
):
    import json

    run = _benchmark("run")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps({"commit": "abc", "host_ms": host_then, "p50_ms": {"queue": 5.0, "ticket": 5.0}})
    )
    pages = {"queue": queue_now, "ticket": 5.0 * (host_now / (host_then or host_now))}
    report = {
        "inprocess": {
            "host_ms": host_now,
            "pages": {name: {"p50_ms": p50, "sql_queries": [4]} for name, p50 in pages.items()},
        }
    }

    found = run._compare(str(baseline), report)

    assert [line.split(":")[0] for line in found] == regressed
