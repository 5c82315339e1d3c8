"""Bulk actions: each ticket through the single action's service, refusals reported, tenancy kept."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.bulk_actions import service
from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure, JobStatus
from supportdesk.errors import Conflict, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Priority, Status, Ticket, TicketEvent
from supportdesk.tickets.queries import QueueFilter
from tests.factories import make_staff, make_ticket
from tests.fixtures.webhooks import make_endpoint

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(app):
    return make_staff()


def _events(ticket_id: int, kind: EventKind) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            sa.select(TicketEvent).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind
            )
        )
    )


def _reload(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Ticket).where(Ticket.id == ticket_id).options(selectinload(Ticket.tag_rows))
    )


def test_a_refused_ticket_is_reported_and_the_others_change(staff):
    open_ones = [make_ticket(staff.org) for _ in range(3)]
    closed = make_ticket(staff.org, status=Status.CLOSED)
    ids = [t.id for t in [*open_ones, closed]]

    outcome = service.apply_now(staff.agent, staff.org.id, ids, "status", {"status": "resolved"})
    db.session.commit()

    assert outcome.done == 3
    assert outcome.failures == [
        (closed.number, "A ticket that is closed cannot be moved to resolved.")
    ]
    for ticket in open_ones:
        assert _reload(ticket.id).status is Status.RESOLVED
        [event] = _events(ticket.id, EventKind.STATUS)
        assert (event.actor_user_id, event.new_value) == (staff.agent.id, "Resolved")
    assert _reload(closed.id).status is Status.CLOSED
    assert _events(closed.id, EventKind.STATUS) == []


def test_webhooks_and_emails_are_queued_as_for_the_single_action(staff):
    make_endpoint(staff.org, "https://hooks.example.com/in")
    single, *bulk = [make_ticket(staff.org) for _ in range(3)]
    db.session.commit()
    emails_before = db.session.scalar(sa.select(sa.func.max(EmailMessage.id))) or 0
    deliveries_before = _deliveries_after(0)

    tickets.change_status(staff.agent, single, Status.RESOLVED)
    db.session.commit()
    service.apply_now(
        staff.agent, staff.org.id, [t.id for t in bulk], "status", {"status": "resolved"}
    )
    db.session.commit()

    mail = db.session.execute(
        sa.select(EmailMessage.ticket_id, EmailMessage.kind).where(EmailMessage.id > emails_before)
    ).all()
    kinds = {t.id: sorted(k for ticket_id, k in mail if ticket_id == t.id) for t in [single, *bulk]}
    assert kinds[single.id] == ["ticket_resolved"]
    assert kinds[bulk[0].id] == kinds[bulk[1].id] == kinds[single.id]
    hooks = _deliveries_after(len(deliveries_before))
    by_ticket = {t.number: sorted(e for n, e in hooks if n == t.number) for t in [single, *bulk]}
    assert "ticket.status_changed" in by_ticket[single.number]
    assert by_ticket[bulk[0].number] == by_ticket[bulk[1].number] == by_ticket[single.number]


def _deliveries_after(skip: int) -> list[tuple[int, str]]:
    from supportdesk.webhooks.models import WebhookDelivery

    rows = db.session.execute(
        sa.select(WebhookDelivery.payload, WebhookDelivery.event_type).order_by(WebhookDelivery.id)
    ).all()
    return [(json.loads(p)["data"]["ticket"]["number"], e) for p, e in rows][skip:]


def test_a_refused_ticket_leaves_no_webhook_or_history(staff):
    make_endpoint(staff.org, "https://hooks.example.com/in")
    closed = make_ticket(staff.org, status=Status.CLOSED)
    db.session.commit()
    before = len(_deliveries_after(0))

    outcome = service.apply_now(
        staff.agent, staff.org.id, [closed.id], "status", {"status": "pending"}
    )
    db.session.commit()

    assert outcome.done == 0 and len(outcome.failures) == 1
    assert _deliveries_after(before) == []


def test_assign_team_priority_and_tags_go_through_the_services(staff):
    ticket = make_ticket(staff.org, tags="billing, old")
    org_id, ids = staff.org.id, [ticket.id]

    service.apply_now(staff.admin, org_id, ids, "assign", {"assignee_id": staff.agent.id})
    service.apply_now(staff.admin, org_id, ids, "team", {"team_id": str(staff.team.id)})
    service.apply_now(staff.admin, org_id, ids, "priority", {"priority": "high"})
    service.apply_now(staff.admin, org_id, ids, "add_tags", {"tags": "VIP, billing"})
    service.apply_now(staff.admin, org_id, ids, "remove_tags", {"tags": ["old"]})
    db.session.commit()

    ticket = _reload(ticket.id)
    assert (ticket.assignee_id, ticket.team_id) == (staff.agent.id, staff.team.id)
    assert ticket.priority is Priority.HIGH
    assert ticket.tags == ["billing", "vip"]
    assert len(_events(ticket.id, EventKind.TAGS)) == 2

    service.apply_now(staff.admin, org_id, ids, "assign", {"assignee_id": None})
    db.session.commit()
    assert _reload(ticket.id).assignee_id is None


@pytest.mark.parametrize(
    ("action", "params", "error"),
    [
        pytest.param("explode", {}, ValidationFailed, id="unknown-action"),
        pytest.param("status", {"status": "gone"}, ValidationFailed, id="unknown-status"),
        pytest.param("add_tags", {"tags": " , "}, ValidationFailed, id="no-tag"),
        pytest.param("assign", {"assignee_id": 2_000_000}, UnknownReference, id="unknown-agent"),
        pytest.param("team", {"team_id": 2_000_000}, UnknownReference, id="unknown-team"),
    ],
)
def test_bad_parameters_are_refused_before_any_ticket(staff, action, params, error):
    ticket = make_ticket(staff.org)
    with pytest.raises(error):
        service.apply_now(staff.agent, staff.org.id, [ticket.id], action, params)
    assert _events(ticket.id, EventKind.STATUS) == []


def test_tickets_cannot_be_assigned_to_a_viewer(staff):
    ticket = make_ticket(staff.org)
    with pytest.raises(Conflict):
        service.apply_now(
            staff.agent, staff.org.id, [ticket.id], "assign", {"assignee_id": staff.viewer.id}
        )


def test_a_viewer_cannot_run_a_bulk_action(staff):
    ticket = make_ticket(staff.org)
    with pytest.raises(PermissionDenied):
        service.apply_now(staff.viewer, staff.org.id, [ticket.id], "status", {"status": "pending"})
    with pytest.raises(PermissionDenied):
        service.start_job(staff.viewer, staff.org.id, [ticket.id], "status", {"status": "pending"})


def test_ticket_numbers_are_read_in_the_agents_own_organization_only(staff):
    other = make_staff()
    mine = make_ticket(staff.org)
    theirs = make_ticket(other.org)
    for _ in range(3):
        make_ticket(other.org)
    assert service.ids_for_numbers(staff.org.id, [mine.number]) == [mine.id]
    with pytest.raises(UnknownReference):
        service.ids_for_numbers(staff.org.id, [theirs.number + 3])


def test_another_organizations_ticket_id_is_never_touched(staff):
    other = make_staff()
    mine = make_ticket(staff.org)
    theirs = make_ticket(other.org)
    outcome = service.apply_now(
        staff.agent, staff.org.id, [mine.id, theirs.id], "status", {"status": "pending"}
    )
    db.session.commit()
    assert outcome.done == 1
    assert outcome.failures == [(None, service.GONE)]
    assert _reload(theirs.id).status is Status.OPEN
    assert _events(theirs.id, EventKind.STATUS) == []


def test_an_agent_cannot_act_for_another_organization(staff):
    other = make_staff()
    theirs = make_ticket(other.org)
    with pytest.raises(ValidationFailed):
        service.apply_now(staff.agent, other.org.id, [theirs.id], "status", {"status": "pending"})


def test_the_filter_selects_only_matching_tickets_of_the_organization(staff):
    other = make_staff()
    urgent = make_ticket(staff.org, priority=Priority.HIGH)
    make_ticket(staff.org, priority=Priority.LOW)
    make_ticket(other.org, priority=Priority.HIGH)
    f = QueueFilter(queue="all", priorities=[Priority.HIGH])
    assert service.ids_matching(staff.org.id, staff.agent.id, f) == [urgent.id]


def test_a_started_job_records_the_selection_and_waits_for_the_worker(staff):
    tickets_ = [make_ticket(staff.org) for _ in range(2)]
    job = service.start_job(
        staff.agent,
        staff.org.id,
        [t.id for t in tickets_],
        "priority",
        {"priority": "low"},
        selection={"queue": "open"},
    )
    db.session.commit()
    job = db.session.get(BulkJob, job.id)
    assert (job.status, job.total, job.processed, job.params) == (
        JobStatus.QUEUED,
        2,
        0,
        {"priority": "low"},
    )
    assert all(_reload(t.id).priority is Priority.MEDIUM for t in tickets_)


def test_a_job_reads_each_ticket_fresh_when_it_reaches_it(staff, monkeypatch):
    monkeypatch.setattr(service, "BATCH", 1)
    first, second = make_ticket(staff.org), make_ticket(staff.org)
    job = service.start_job(
        staff.agent, staff.org.id, [first.id, second.id], "status", {"status": "pending"}
    )
    db.session.commit()
    assert service.run_batch(job.id) is True
    # Closed by someone else after the selection was made, before the job reached it.
    tickets.change_status(staff.admin, _reload(second.id), Status.CLOSED)
    db.session.commit()
    assert service.run_batch(job.id) is False

    job = db.session.get(BulkJob, job.id)
    assert (job.status, job.done, job.failed) == (JobStatus.COMPLETED, 1, 1)
    [failure] = db.session.scalars(sa.select(BulkJobFailure)).all()
    assert (failure.ticket_number, failure.reason) == (
        second.number,
        "A ticket that is closed cannot be moved to pending.",
    )
    assert _reload(first.id).status is Status.PENDING


# -- apply a macro and merge ------------------------------------------------------------------


def test_a_macro_is_applied_to_each_ticket_and_a_refusing_one_is_reported(staff):
    from supportdesk.macros import service as macros

    macro = macros.create_macro(
        staff.admin, name="Waiting on customer", status="pending", add_tags="waiting"
    )
    open_ones = [make_ticket(staff.org) for _ in range(2)]
    closed = make_ticket(staff.org, status=Status.CLOSED)  # closed cannot move to pending
    ids = [t.id for t in [*open_ones, closed]]

    outcome = service.apply_now(staff.agent, staff.org.id, ids, "macro", {"macro_id": macro.id})
    db.session.commit()

    assert outcome.done == 2
    assert outcome.failures == [
        (closed.number, "A ticket that is closed cannot be moved to pending.")
    ]
    for ticket in open_ones:
        reloaded = _reload(ticket.id)
        assert (reloaded.status, reloaded.tags) == (Status.PENDING, ["waiting"])
        [entry] = _events(ticket.id, EventKind.MACRO)
        assert entry.actor_user_id == staff.agent.id
        [status] = _events(ticket.id, EventKind.STATUS)
        assert status.data["macro"]["id"] == macro.id
    assert _reload(closed.id).tags == []
    assert _events(closed.id, EventKind.MACRO) == []


def test_another_organizations_macro_is_a_field_error_and_never_applied(staff):
    from supportdesk.macros import service as macros

    other = make_staff()
    theirs = macros.create_macro(other.admin, name="Close", status="closed")
    ticket = make_ticket(staff.org)
    for raw in ({"macro_id": theirs.id}, {"macro_id": None}, {"macro_id": "x"}):
        with pytest.raises((UnknownReference, ValidationFailed)) as refused:
            service.apply_now(staff.agent, staff.org.id, [ticket.id], "macro", raw)
        assert "macro_id" in refused.value.fields
    assert _reload(ticket.id).status is Status.OPEN
    assert _events(ticket.id, EventKind.MACRO) == []


def test_tickets_merge_into_the_target_and_the_selected_target_is_spared(staff):
    target = make_ticket(staff.org)
    sources = [make_ticket(staff.org) for _ in range(2)]
    merged_elsewhere = make_ticket(staff.org)
    tickets_merge(staff, merged_elsewhere, make_ticket(staff.org))
    ids = [t.id for t in [target, *sources, merged_elsewhere]]

    outcome = service.apply_now(staff.agent, staff.org.id, ids, "merge", {"into": target.number})
    db.session.commit()

    assert outcome.done == 2
    assert outcome.spared == [(target.number, "it is the ticket the others merge into")]
    assert outcome.failures == [
        (
            merged_elsewhere.number,
            f"Ticket #{merged_elsewhere.number} is already merged into another ticket.",
        )
    ]
    for source in sources:
        reloaded = _reload(source.id)
        assert (reloaded.merged_into_id, reloaded.status) == (target.id, Status.CLOSED)
        [into] = _events(source.id, EventKind.MERGED_INTO)
        assert into.data["into"] == target.number
    came = sorted(e.data["from"] for e in _events(target.id, EventKind.MERGED_FROM))
    assert came == sorted(s.number for s in sources)
    assert _reload(target.id).merged_into_id is None


def tickets_merge(staff, source, into):
    from supportdesk.tickets.merge import merge

    merge(staff.agent, source, into)
    db.session.commit()


def test_a_merged_target_hands_on_to_its_survivor(staff):
    survivor, old = make_ticket(staff.org), make_ticket(staff.org)
    tickets_merge(staff, old, survivor)
    source = make_ticket(staff.org)

    outcome = service.apply_now(
        staff.agent, staff.org.id, [source.id], "merge", {"into": str(old.number)}
    )
    db.session.commit()

    assert (outcome.done, outcome.params) == (1, {"into": survivor.number, "into_id": survivor.id})
    assert _reload(source.id).merged_into_id == survivor.id


def test_another_organizations_ticket_is_never_a_merge_target(staff):
    other = make_staff()
    for _ in range(3):
        make_ticket(staff.org)
    theirs = [make_ticket(other.org) for _ in range(5)][-1]
    mine = make_ticket(staff.org)
    assert theirs.number > mine.number  # a number only the other organization has
    for raw, error in (
        ({"into": theirs.number}, UnknownReference),
        ({"into": ""}, ValidationFailed),
    ):
        with pytest.raises(error) as refused:
            service.apply_now(staff.agent, staff.org.id, [mine.id], "merge", raw)
        assert "into" in refused.value.fields
    assert _reload(mine.id).merged_into_id is None
    assert _events(theirs.id, EventKind.MERGED_FROM) == []


def test_a_merge_job_leaves_the_target_out_of_its_total(staff):
    target, source = make_ticket(staff.org), make_ticket(staff.org)
    job = service.start_job(
        staff.agent, staff.org.id, [target.id, source.id], "merge", {"into": target.number}
    )
    db.session.commit()
    assert (job.total, job.ticket_ids) == (1, [source.id])
    assert service.run_batch(job.id) is False
    job = db.session.get(BulkJob, job.id)
    assert (job.status, job.done, job.failed) == (JobStatus.COMPLETED, 1, 0)
    assert _reload(source.id).merged_into_id == target.id


def test_a_viewer_may_neither_merge_nor_apply_macros_in_bulk(staff):
    ticket = make_ticket(staff.org)
    for name, raw in (("merge", {"into": ticket.number}), ("macro", {"macro_id": 1})):
        with pytest.raises(PermissionDenied):
            service.apply_now(staff.viewer, staff.org.id, [ticket.id], name, raw)
