"""The bulk API: start a job on numbers or a filter (202), follow it; roles and tenancy."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status, Ticket
from supportdesk.tokens.models import Scope
from tests.factories import make_staff, make_ticket

pytestmark = pytest.mark.integration


def _work(app) -> None:
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def test_a_bulk_action_on_numbers_runs_in_the_background_and_reports_refusals(app, api, org):
    first = make_ticket(org)
    closed = make_ticket(org, status=Status.CLOSED)
    first_id, closed_number = first.id, closed.number
    numbers = [first.number, closed_number]

    response = api.post(
        "/tickets/bulk",
        json={"tickets": numbers, "change": {"action": "status", "status": "resolved"}},
    )
    assert response.status_code == 202, response.json
    job = response.json
    assert (job["status"], job["total"], job["done"], job["action"]) == ("queued", 2, 0, "status")
    assert response.headers["Location"] == f"/api/v1/bulk-jobs/{job['id']}"

    _work(app)
    answer = api.get(f"/bulk-jobs/{job['id']}").json
    assert (answer["status"], answer["done"], answer["failed"]) == ("completed", 1, 1)
    assert answer["failures"] == [
        {
            "ticket_number": closed_number,
            "reason": "A ticket that is closed cannot be moved to resolved.",
        }
    ]
    assert db.session.get(Ticket, first_id).status is Status.RESOLVED


def test_a_filter_selects_every_matching_ticket_when_the_request_is_made(app, api, org):
    urgent = [make_ticket(org, priority=Priority.HIGH, tags="outage").id for _ in range(3)]
    calm = make_ticket(org, priority=Priority.HIGH).id
    response = api.post(
        "/tickets/bulk",
        json={
            "tickets": {"priority": ["high"], "tag": "Outage"},
            "change": {"action": "add_tags", "tags": ["Incident-42"]},
        },
    )
    assert response.status_code == 202, response.json
    assert response.json["total"] == 3
    _work(app)
    db.session.expire_all()
    assert all("incident-42" in _tags(i) for i in urgent)
    assert "incident-42" not in _tags(calm)


def _tags(ticket_id: int) -> list[str]:
    from supportdesk.tickets.models import TicketTag

    return list(
        db.session.scalars(db.select(TicketTag.name).where(TicketTag.ticket_id == ticket_id))
    )


def test_an_unknown_number_is_a_404_naming_the_field(api, org):
    make_ticket(org)
    response = api.post(
        "/tickets/bulk",
        json={"tickets": [999_999], "change": {"action": "priority", "priority": "low"}},
    )
    assert response.status_code == 404
    assert "#999999" in response.json["error"]["fields"]["tickets"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"tickets": [1], "change": {"action": "status"}}, id="no-status"),
        pytest.param(
            {"tickets": [], "change": {"action": "status", "status": "open"}}, id="no-ticket"
        ),
        pytest.param({"change": {"action": "status", "status": "open"}}, id="no-selection"),
        pytest.param({"tickets": [1], "change": {"action": "explode"}}, id="unknown-action"),
        pytest.param({"tickets": [1], "change": {"action": "merge"}}, id="merge-without-target"),
        pytest.param({"tickets": [1], "change": {"action": "macro"}}, id="macro-without-id"),
    ],
)
def test_malformed_requests_are_422(api, org, body):
    make_ticket(org)
    assert api.post("/tickets/bulk", json=body).status_code == 422


def test_viewers_and_read_only_tokens_cannot_start_one(api_as, org, viewer, agent):
    number = make_ticket(org).number
    body = {"tickets": [number], "change": {"action": "priority", "priority": "low"}}
    assert api_as(viewer).post("/tickets/bulk", json=body).status_code == 403
    assert api_as(agent, Scope.READ).post("/tickets/bulk", json=body).status_code == 403


def test_another_organizations_job_is_a_404_and_its_tickets_are_never_touched(app, api, org):
    other = make_staff()
    other_org_id, other_agent = other.org.id, other.agent
    theirs = make_ticket(other.org, priority=Priority.LOW)
    theirs_id = theirs.id
    mine = make_ticket(org, priority=Priority.LOW)  # the same number in my organization
    assert mine.number == theirs.number
    job = api.post(
        "/tickets/bulk",
        json={"tickets": [mine.number], "change": {"action": "priority", "priority": "critical"}},
    ).json
    _work(app)
    assert db.session.get(Ticket, theirs_id).priority is Priority.LOW

    from supportdesk.bulk_actions import service

    their_job = service.start_job(
        db.session.merge(other_agent), other_org_id, [theirs_id], "status", {"status": "open"}
    )
    db.session.commit()
    assert api.get(f"/bulk-jobs/{their_job.id}").status_code == 404
    assert api.get(f"/bulk-jobs/{job['id']}").status_code == 200


def test_a_macro_is_applied_in_the_background_and_another_organizations_is_a_404(app, api, org):
    from supportdesk.macros import service as macros

    admin = make_staff(org).admin
    macro_id = macros.create_macro(admin, name="Escalate", priority="critical").id
    theirs_id = macros.create_macro(make_staff().admin, name="Escalate", priority="low").id
    ticket = make_ticket(org)
    ticket_id, number = ticket.id, ticket.number

    refused = api.post(
        "/tickets/bulk",
        json={"tickets": [number], "change": {"action": "macro", "macro_id": theirs_id}},
    )
    assert refused.status_code == 404
    assert refused.json["error"]["fields"] == {"macro_id": "No such macro."}

    response = api.post(
        "/tickets/bulk",
        json={"tickets": [number], "change": {"action": "macro", "macro_id": macro_id}},
    )
    assert response.status_code == 202, response.json
    assert response.json["params"] == {"macro_id": macro_id}
    _work(app)
    answer = api.get(f"/bulk-jobs/{response.json['id']}").json
    assert (answer["status"], answer["done"], answer["failed"]) == ("completed", 1, 0)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).priority is Priority.CRITICAL


def test_tickets_merge_in_the_background_leaving_the_target_out(app, api, org):
    target, source = make_ticket(org), make_ticket(org)
    target_id, source_id = target.id, source.id
    body = {"tickets": [target.number, source.number], "change": {"action": "merge", "into": 0}}
    assert api.post("/tickets/bulk", json=body).status_code == 422
    body["change"]["into"] = 999_999
    missing = api.post("/tickets/bulk", json=body)
    assert (missing.status_code, missing.json["error"]["fields"]) == (
        404,
        {"into": "No such ticket: #999999."},
    )

    body["change"]["into"] = target.number
    response = api.post("/tickets/bulk", json=body)
    assert response.status_code == 202, response.json
    assert response.json["total"] == 1  # the target is left out
    _work(app)
    answer = api.get(f"/bulk-jobs/{response.json['id']}").json
    assert (answer["status"], answer["done"], answer["failed"]) == ("completed", 1, 0)
    db.session.expire_all()
    assert db.session.get(Ticket, source_id).merged_into_id == target_id
    assert db.session.get(Ticket, target_id).merged_into_id is None
