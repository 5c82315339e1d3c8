"""Bulk actions in the console: the toolbar on the queue, a page applied in the request, all
matching as a background job with its progress page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from rq import Queue, SimpleWorker

from supportdesk.bulk_actions.models import BulkJob, JobStatus
from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status, Ticket
from tests.factories import make_staff, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(app):
    return make_staff()


@pytest.fixture
def signed_in(client, staff):
    login_as(client, staff.agent)
    return client


def _post(client, data: dict):
    token = csrf_token(client.get("/"))
    return client.post("/bulk", data={"csrf_token": token, **data})


def _statuses(numbers, org) -> dict[int, str]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Ticket.number, Ticket.status).where(
            Ticket.organization_id == org.id, Ticket.number.in_(numbers)
        )
    )
    return {number: status.value for number, status in rows}


def test_the_queue_offers_a_checkbox_per_row_and_the_toolbar(signed_in, staff):
    ticket = make_ticket(staff.org)
    html = signed_in.get("/").get_data(as_text=True)
    assert f'name="ticket" value="{ticket.number}" form="bulk-form"' in html
    assert "data-bulk-toggle" in html
    assert 'action="/bulk"' in html
    labels = ("Change status", "Assign", "Change team", "Add tags", "Remove tags", "Apply macro")
    for label in (*labels, "Merge into a ticket"):
        assert f">{label}</option>" in html


def test_a_viewer_sees_no_checkboxes_and_may_not_post(client, staff):
    make_ticket(staff.org)
    login_as(client, staff.viewer)
    html = client.get("/").get_data(as_text=True)
    assert "data-bulk-row" not in html
    response = client.post("/bulk", data={"csrf_token": csrf_token(html), "action": "status"})
    assert response.status_code == 403


def test_checked_tickets_change_in_the_request_and_refusals_are_named(signed_in, staff):
    first, second = make_ticket(staff.org), make_ticket(staff.org)
    closed = make_ticket(staff.org, status=Status.CLOSED)
    numbers = [first.number, second.number, closed.number]
    response = _post(
        signed_in,
        {"action": "status", "set_status": "resolved", "ticket": numbers, "queue": "all"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/?queue=all"
    assert _statuses(numbers, staff.org) == {
        first.number: "resolved",
        second.number: "resolved",
        closed.number: "closed",
    }
    html = signed_in.get("/?queue=all").get_data(as_text=True)
    assert "Set status to resolved: 2 tickets done. 1 refused" in html
    assert f"#{closed.number}: A ticket that is closed cannot be moved to resolved." in html


def test_a_refused_action_comes_back_to_the_queue_saying_why(signed_in, staff):
    ticket = make_ticket(staff.org)
    response = _post(signed_in, {"action": "", "ticket": [ticket.number]})
    assert response.status_code == 302
    assert "Choose an action." in signed_in.get("/").get_data(as_text=True)


def test_all_matching_runs_as_a_job_with_a_progress_page(app, signed_in, staff):
    ids = [make_ticket(staff.org, priority=p).id for p in (Priority.HIGH,) * 3 + (Priority.LOW,)]
    response = _post(
        signed_in,
        {
            "action": "priority",
            "set_priority": "critical",
            "all_matching": "1",
            "queue": "open",
            "ticket": ["1"],
        },
    )
    assert response.status_code == 302
    [job] = db.session.scalars(sa.select(BulkJob)).all()
    job_id = job.id
    assert response.headers["Location"] == f"/bulk-jobs/{job_id}"
    assert job.total == 4  # every open ticket: the queue's filter, not the checked rows
    html = signed_in.get(f"/bulk-jobs/{job_id}").get_data(as_text=True)
    assert "Queued" in html and "data-refresh-seconds" in html

    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)

    html = signed_in.get(f"/bulk-jobs/{job_id}").get_data(as_text=True)
    assert "Completed" in html and "data-refresh-seconds" not in html
    assert re.search(r"<strong>4 of 4</strong>", html)
    assert 'href="/?queue=open"' in html
    db.session.expire_all()
    assert {db.session.get(Ticket, i).priority for i in ids} == {Priority.CRITICAL}


def test_another_organizations_job_is_a_404(signed_in, staff):
    other = make_staff()
    theirs = make_ticket(other.org)
    from supportdesk.bulk_actions import service

    job = service.start_job(other.agent, other.org.id, [theirs.id], "status", {"status": "open"})
    db.session.commit()
    assert signed_in.get(f"/bulk-jobs/{job.id}").status_code == 404
    assert db.session.get(BulkJob, job.id).status is JobStatus.QUEUED


def test_a_macro_from_the_toolbar_changes_the_checked_tickets(signed_in, staff):
    from supportdesk.macros import service as macros

    mine = macros.create_macro(staff.admin, name="Resolve <quickly>", status="resolved")
    theirs = macros.create_macro(make_staff().admin, name="Not ours", status="closed")
    first, second = make_ticket(staff.org), make_ticket(staff.org)
    numbers = [first.number, second.number]
    html = signed_in.get("/").get_data(as_text=True)
    assert f'<option value="{mine.id}">Resolve &lt;quickly&gt;</option>' in html
    assert "Not ours" not in html

    refused = _post(signed_in, {"action": "macro", "set_macro": theirs.id, "ticket": numbers})
    assert refused.status_code == 302
    assert "That macro does not exist." in signed_in.get("/").get_data(as_text=True)
    assert _statuses(numbers, staff.org) == dict.fromkeys(numbers, "open")

    _post(signed_in, {"action": "macro", "set_macro": mine.id, "ticket": numbers, "queue": "all"})
    assert _statuses(numbers, staff.org) == dict.fromkeys(numbers, "resolved")
    html = signed_in.get("/?queue=all").get_data(as_text=True)
    assert "Apply macro “Resolve &lt;quickly&gt;”: 2 tickets done." in html


def test_checked_tickets_merge_into_the_number_given_and_the_target_is_left_as_it_is(
    signed_in, staff
):
    target, first, second = (make_ticket(staff.org) for _ in range(3))
    numbers = [target.number, first.number, second.number]
    missing = _post(signed_in, {"action": "merge", "merge_into": "", "ticket": numbers})
    assert missing.status_code == 302
    assert "Name the ticket to merge into." in signed_in.get("/").get_data(as_text=True)

    _post(
        signed_in,
        {"action": "merge", "merge_into": str(target.number), "ticket": numbers, "queue": "all"},
    )
    assert _statuses(numbers, staff.org) == {
        target.number: "open",
        first.number: "closed",
        second.number: "closed",
    }
    html = signed_in.get("/?queue=all").get_data(as_text=True)
    assert (
        f"Merge into #{target.number}: 2 tickets done. #{target.number} left as it is: "
        "it is the ticket the others merge into."
    ) in html
    db.session.expire_all()
    merged = db.session.scalars(
        sa.select(Ticket.merged_into_id).where(Ticket.number.in_(numbers[1:]))
    )
    assert set(merged) == {target.id}
