"""The ticket_counts rows behind the sidebar follow every ticket write in its own transaction.

Database triggers (migration 0015) keep them; these tests change tickets the ways the app and the
loaders do (ORM flush, bulk UPDATE, multi-row INSERT, DELETE) and compare with a real count.
"""

from __future__ import annotations

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status, Ticket, TicketCount
from supportdesk.tickets.queries import COUNT_CAP, QueueFilter, queue_conditions, queue_counts
from tests.factories import make_staff, make_ticket


def _stored(org_id: int) -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        sa.select(TicketCount.status, TicketCount.assignee_id, TicketCount.tickets).where(
            TicketCount.organization_id == org_id, TicketCount.tickets != 0
        )
    )
    return {(status, assignee): n for status, assignee, n in rows}


def _counted(org_id: int) -> dict[tuple[str, int], int]:
    counted: dict[tuple[str, int], int] = {}
    for status, assignee in db.session.execute(
        sa.select(Ticket.status, Ticket.assignee_id).where(Ticket.organization_id == org_id)
    ):
        key = (status.value, assignee or 0)
        counted[key] = counted.get(key, 0) + 1
    return counted


def test_counts_follow_inserts_updates_and_deletes_before_the_commit(app):
    staff = make_staff()
    org = staff.org
    tickets = [make_ticket(org, assignee=staff.agent) for _ in range(3)]
    make_ticket(org, status=Status.PENDING)
    db.session.flush()
    assert (
        _stored(org.id)
        == _counted(org.id)
        == {
            ("open", staff.agent.id): 3,
            ("pending", 0): 1,
        }
    )

    tickets[0].status = Status.RESOLVED
    tickets[1].assignee_id = None
    db.session.flush()
    db.session.execute(
        sa.update(Ticket).where(Ticket.id == tickets[2].id).values(status=Status.CLOSED)
    )
    db.session.delete(tickets[1])
    db.session.flush()

    assert (
        _stored(org.id)
        == _counted(org.id)
        == {
            ("resolved", staff.agent.id): 1,
            ("closed", staff.agent.id): 1,
            ("pending", 0): 1,
        }
    )
    counts = queue_counts(org.id, staff.agent.id)
    assert (counts["mine"], counts["open"], counts["all"]) == (0, 1, 3)


def test_a_multi_row_insert_is_counted_once_per_ticket(app):
    staff = make_staff()
    template = make_ticket(staff.org)
    db.session.flush()
    columns = {c.key: getattr(template, c.key) for c in Ticket.__table__.columns if c.key != "id"}
    db.session.execute(
        sa.insert(Ticket),
        [
            {**columns, "number": template.number + i, "assignee_id": staff.agent.id}
            for i in range(1, 6)
        ],
    )

    assert (
        _stored(staff.org.id)
        == _counted(staff.org.id)
        == {
            ("open", 0): 1,
            ("open", staff.agent.id): 5,
        }
    )


def test_counts_stay_within_their_organization(app):
    ours, theirs = make_staff(), make_staff()
    make_ticket(ours.org, assignee=ours.agent)
    make_ticket(theirs.org)
    make_ticket(theirs.org)

    assert queue_counts(ours.org.id, ours.agent.id)["all"] == 1
    assert queue_counts(theirs.org.id, ours.agent.id)["all"] == 2
    assert queue_counts(theirs.org.id, ours.agent.id)["mine"] == 0


def test_a_queue_narrowed_by_priority_is_counted_from_the_index_alone(app):
    """Its status rides in ix_tickets_org_priority (INCLUDE, migration 0039): the sidebar's
    count of "open, high priority" can read the index alone (it read thousands of ticket rows
    at 100,000 tickets; benchmarks/README.md, sixth round). Which index a plan takes depends on
    the table's statistics, so the index's columns are what is checked: they hold every column
    the count reads (the organization, the priority, the status and the id)."""
    staff = make_staff()
    make_ticket(staff.org, priority=Priority.HIGH)
    make_ticket(staff.org, priority=Priority.HIGH, status=Status.RESOLVED)
    make_ticket(staff.org, priority=Priority.LOW)
    conditions = queue_conditions(
        staff.org.id, staff.agent.id, QueueFilter(queue="open", priorities=[Priority.HIGH])
    )
    found = sa.select(Ticket.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    definition = db.session.scalar(
        sa.text("SELECT pg_get_indexdef('ix_tickets_org_priority'::regclass)")
    )

    # Keyed for the priority sort; the status, which the count filters on, carried along.
    assert definition.endswith(
        "USING btree (organization_id, priority, updated_at, id) INCLUDE (status)"
    )
    assert db.session.execute(sa.select(sa.func.count()).select_from(found)).scalar_one() == 1
