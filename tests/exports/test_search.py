"""Exports of a search on PostgreSQL full-text, run by an RQ worker: the exported tickets are the
ones the search service finds for the same query and filters (every one, past the first page),
the search is computed once whatever the number of batches, and the parameters are kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from supportdesk.console.filters import parse_search_filter
from supportdesk.errors import ValidationFailed
from supportdesk.exports import service
from supportdesk.exports.models import ExportStatus
from supportdesk.extensions import db
from supportdesk.search import search_tickets
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority, Status
from tests.exports.helpers import parsed, run
from tests.factories import CustomerFactory, OrganizationFactory, make_staff, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def desk(app, monkeypatch):
    """Tickets that a search finds by subject, by a later message, by customer, by tag and by
    number, tickets it does not find, and another organization's look-alike; batches of 2."""
    monkeypatch.setattr(service, "BATCH", 2)
    staff = make_staff()
    zelda = CustomerFactory(
        organization=staff.org, name="Zelda Quartermain", email="zelda.q@umbrella.example"
    )
    make_ticket(staff.org, subject="Refund for order 88", priority=Priority.HIGH)
    by_message = make_ticket(staff.org, subject="Laptop", body="It will not boot.")
    tickets.reply(staff.agent, by_message, "A refund is on its way; kerberos cache cleared.")
    make_ticket(staff.org, subject="Refunded twice", status=Status.PENDING)
    make_ticket(staff.org, customer=zelda, subject="Invoice question")
    make_ticket(staff.org, subject="Billing", tags=["refund-request"])
    make_ticket(staff.org, subject="Printer on fire", body="Nothing about money.")
    make_ticket(staff.org, subject="=SUM(refund)", status=Status.CLOSED)
    make_ticket(OrganizationFactory(), subject="Another organization's refund")
    db.session.commit()
    # Plain values: the worker ends its job with a fresh session, detaching these rows.
    staff.org_id, staff.agent_id = staff.org.id, staff.agent.id
    return staff


def _found(desk, query: dict) -> set[int]:
    """The ticket numbers the search service finds, every page of them (as the page reads)."""
    f = parse_search_filter(MultiDict(query))
    page = search_tickets(desk.org_id, query["q"], f, user_id=desk.agent_id, per_page=100)
    assert page.total == len(page.hits) and not page.capped
    return {hit.ticket.number for hit in page.hits}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"q": "refund"}, id="word-prefix-in-subject-message-and-tag"),
        pytest.param({"q": "kerberos"}, id="later-message"),
        pytest.param({"q": "zelda.q@umbrella.example"}, id="customer-email"),
        pytest.param({"q": "umbrella"}, id="part-of-an-email"),
        pytest.param({"q": "refund", "status": "pending"}, id="with-a-status-filter"),
        pytest.param({"q": "refund", "queue": "open"}, id="in-a-queue"),
        pytest.param({"q": "refund", "priority": ["high", "low"]}, id="repeated-filter"),
        pytest.param({"q": '"order 88"'}, id="phrase"),
    ],
)
def test_a_search_export_holds_the_tickets_the_search_finds(app, desk, query):
    done = run(app, desk.agent, "tickets", "jsonl", query)
    exported = [row["number"] for row in parsed(done)]
    assert exported == sorted(exported)  # id order, as every export
    assert set(exported) == _found(desk, query)
    assert (done.status, done.rows, done.total) == (
        ExportStatus.COMPLETED,
        len(exported),
        len(exported),
    )
    assert done.parameters == query


def test_a_search_finding_more_than_a_page_exports_every_ticket(app, desk):
    for n in range(30):
        make_ticket(desk.org, subject=f"Refund number {n}")
    db.session.commit()
    done = run(app, desk.agent, "tickets", "csv", {"q": "refund"})
    first_page = search_tickets(desk.org_id, "refund", per_page=25)
    assert first_page.total == done.rows == 35 > len(first_page.hits)
    assert {int(r["number"]) for r in parsed(done)} == _found(desk, {"q": "refund"})


def test_the_search_runs_once_however_many_batches(app, desk, query_counter):
    with query_counter() as queries:
        done = run(app, desk.agent, "tickets", "csv", {"q": "refund"})
    assert done.rows == 5  # three batches of at most 2
    searching = [s for s in queries.statements if "to_tsquery" in s]
    assert len(searching) == 1


def test_a_search_export_formats_cells_and_keeps_out_other_organizations(app, desk):
    done = run(app, desk.admin, "tickets", "csv", {"q": "refund", "queue": "all"})
    subjects = {r["subject"] for r in parsed(done)}
    assert "'=SUM(refund)" in subjects
    assert "Another organization's refund" not in subjects


def test_the_messages_of_a_search_s_tickets_can_be_exported(app, desk):
    done = run(app, desk.agent, "messages", "jsonl", {"q": "kerberos"})
    assert [r["body_text"] for r in parsed(done)] == [
        "It will not boot.",
        "A refund is on its way; kerberos cache cleared.",
    ]


@pytest.mark.parametrize(
    "q", [pytest.param("?!", id="punctuation"), pytest.param("zzzqx", id="no-hit")]
)
def test_a_search_that_finds_nothing_exports_no_row(app, desk, q):
    done = run(app, desk.agent, "tickets", "csv", {"q": q})
    assert (done.status, done.rows, parsed(done)) == (ExportStatus.COMPLETED, 0, [])


def test_a_blank_search_is_the_queue_filter_alone(app, desk):
    export = service.request_export(desk.agent, "tickets", "csv", {"q": "   ", "queue": "all"})
    assert export.parameters == {"queue": "all"}


def test_a_search_is_audited_with_its_parameters(app, desk):
    from supportdesk.audit.models import AuditEntry

    export = service.request_export(desk.agent, "tickets", "csv", {"q": " refund "})
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "export.requested", AuditEntry.target_id == export.id
        )
    )
    assert entry.after["parameters"] == {"q": "refund"}
    with pytest.raises(ValidationFailed):
        service.request_export(desk.agent, "tickets", "pdf", {"q": "refund"})
    with pytest.raises(ValidationFailed) as refused:
        service.request_export(desk.agent, "tickets", "csv", {"q": ["refund", "invoice"]})
    assert "q" in refused.value.fields
