"""Ticket reads: queues and filters, keyset pagination, sidebar counts, single tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from supportdesk.accounts.models import User
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.sla.models import TicketSla
from supportdesk.sla.queries import badge
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import TicketNotFound
from supportdesk.tickets.models import ACTIVE_STATUSES, Priority, Status, Ticket
from supportdesk.tickets.queries import (
    QUEUES,
    QueueFilter,
    list_queue,
    queue_counts,
)
from tests.factories import CustomerFactory, Staff, make_staff, make_ticket

BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Desk:
    """A staffed organization with a varied set of tickets, and a neighbour with its own."""

    staff: Staff
    tickets: list[Ticket]
    foreign: list[Ticket]

    @property
    def me(self) -> User:
        return self.staff.agent


@pytest.fixture
def desk(app) -> Desk:
    """Fifteen tickets covering every status, assignee kind, team, tag and priority, with ties."""
    staff = make_staff()
    customers = [CustomerFactory(organization=staff.org) for _ in range(3)]
    assignees = [None, staff.agent, staff.senior_agent]
    statuses = list(Status)
    priorities = list(Priority)
    tickets = [
        make_ticket(
            staff.org,
            customer=customers[i % 3],
            status=statuses[i % 5],
            priority=priorities[i % 4],
            assignee=assignees[i % 3],
            team=staff.team if i % 2 else None,
            tags=["vip"] if i % 4 == 0 else ["billing", "refund"] if i % 4 == 1 else [],
            created_at=BASE - dt.timedelta(hours=i % 3),
            updated_at=BASE + dt.timedelta(minutes=i % 4),
        )
        for i in range(15)
    ]
    # SLA clocks, set directly: every third active ticket breached, every third nearly so.
    now, hour = utcnow(), dt.timedelta(hours=1)
    for i, t in enumerate(tickets):
        if t.status in ACTIVE_STATUSES and i % 3 < 2:
            due = now - hour if i % 3 == 0 else now + hour
            db.session.add(
                TicketSla(
                    ticket_id=t.id,
                    organization_id=t.organization_id,
                    resolution_due_at=due,
                    resolution_warn_at=due - 2 * hour,
                )
            )
    db.session.flush()
    neighbour = make_staff()
    foreign = [
        make_ticket(neighbour.org, assignee=neighbour.agent, tags="vip", status=status)
        for status in Status
    ]
    return Desk(staff, tickets, foreign)


def _sla_state(ticket: Ticket) -> str | None:
    b = badge(db.session.get(TicketSla, ticket.id))
    return b.state if b else None


def _in_queue(queue: str, ticket: Ticket, me: User) -> bool:
    active = ticket.status in ACTIVE_STATUSES
    return {
        "mine": active and ticket.assignee_id == me.id,
        "unassigned": active and ticket.assignee_id is None,
        "open": active,
        "pending": ticket.status is Status.PENDING,
        "resolved": ticket.status is Status.RESOLVED,
        "closed": ticket.status is Status.CLOSED,
        "all": True,
        "breaching": active and _sla_state(ticket) == "near",
        "breached": active and _sla_state(ticket) == "breached",
    }[queue]


def _ids(tickets) -> list[int]:
    return [t.id for t in tickets]


# -- queues and filters ----------------------------------------------------------------------


@pytest.mark.parametrize("queue", [key for key, _ in QUEUES])
def test_each_queue_lists_exactly_its_tickets(desk, queue):
    page = list_queue(desk.staff.org.id, desk.me.id, QueueFilter(queue=queue), per_page=100)

    expected = {t.id for t in desk.tickets if _in_queue(queue, t, desk.me)}
    assert set(_ids(page.tickets)) == expected
    assert expected  # the data set exercises every queue


FILTERS = [
    pytest.param(
        lambda d: QueueFilter(queue="all", statuses=[Status.PENDING, Status.CLOSED]),
        lambda t, d: t.status in (Status.PENDING, Status.CLOSED),
        id="by statuses",
    ),
    pytest.param(
        lambda d: QueueFilter(queue="open", priorities=[Priority.CRITICAL]),
        lambda t, d: t.status in ACTIVE_STATUSES and t.priority is Priority.CRITICAL,
        id="by priority within a queue",
    ),
    pytest.param(
        lambda d: QueueFilter(queue="all", assignee_id=0),
        lambda t, d: t.assignee_id is None,
        id="unassigned (assignee 0)",
    ),
    pytest.param(
        lambda d: QueueFilter(queue="all", assignee_id=d.staff.senior_agent.id),
        lambda t, d: t.assignee_id == d.staff.senior_agent.id,
        id="by assignee",
    ),
    pytest.param(
        lambda d: QueueFilter(queue="all", team_id=d.staff.team.id),
        lambda t, d: t.team_id == d.staff.team.id,
        id="by team",
    ),
    pytest.param(
        lambda d: QueueFilter(queue="all", tag="refund"),
        lambda t, d: "refund" in t.tags,
        id="by tag",
    ),
    pytest.param(
        lambda d: QueueFilter(queue="all", customer_id=d.tickets[1].customer_id),
        lambda t, d: t.customer_id == d.tickets[1].customer_id,
        id="by customer",
    ),
]


@pytest.mark.parametrize(("make_filter", "matches"), FILTERS)
def test_filters_narrow_the_queue(desk, make_filter, matches):
    page = list_queue(desk.staff.org.id, desk.me.id, make_filter(desk), per_page=100)

    expected = {t.id for t in desk.tickets if matches(t, desk)}
    assert set(_ids(page.tickets)) == expected
    assert expected


def test_queues_never_show_another_organizations_tickets(desk):
    page = list_queue(
        desk.staff.org.id, desk.me.id, QueueFilter(queue="all", tag="vip"), per_page=100
    )

    assert not set(_ids(page.tickets)) & set(_ids(desk.foreign))


def test_queue_rows_come_with_customer_assignee_team_and_tags_in_two_queries(desk, query_counter):
    with query_counter() as queries_run:
        page = list_queue(desk.staff.org.id, desk.me.id, QueueFilter(queue="all"), per_page=10)
        # Touch everything the queue page shows: a lazy load would raise or add a query.
        shown = [
            (t.customer.email, t.assignee and t.assignee.name, t.team and t.team.name, t.tags)
            for t in page.tickets
        ]

    assert len(shown) == 10
    assert queries_run.count == 2


def test_queue_query_count_does_not_grow_with_the_page_size(desk, query_counter):
    counts = []
    for per_page in (1, 5, 15):
        with query_counter() as queries_run:
            list_queue(desk.staff.org.id, desk.me.id, QueueFilter(queue="all"), per_page=per_page)
        counts.append(queries_run.count)

    assert counts == [2, 2, 2]


# -- keyset pagination -----------------------------------------------------------------------


def _sort_key(sort: str):
    def key(t: Ticket):
        value = {
            "updated": t.updated_at,
            "created": t.created_at,
            "priority": t.priority.rank,
            "number": t.number,
        }[sort]
        return (value, t.id)

    return key


def _walk_forward(desk: Desk, f: QueueFilter, per_page: int) -> list[queries.QueuePage]:
    pages, cursor = [], None
    while len(pages) < 50:
        page = list_queue(desk.staff.org.id, desk.me.id, f, per_page=per_page, after=cursor)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
    raise AssertionError("pagination does not end")


SORT_CASES = [
    pytest.param(sort, descending, id=f"{sort} {'descending' if descending else 'ascending'}")
    for sort in queries.SORTS
    for descending in (True, False)
]


@pytest.mark.parametrize(("sort", "descending"), SORT_CASES)
def test_walking_forward_visits_every_ticket_once_in_order(desk, sort, descending):
    f = QueueFilter(queue="all", sort=sort, descending=descending)

    pages = _walk_forward(desk, f, per_page=4)

    expected = sorted(desk.tickets, key=_sort_key(sort), reverse=descending)
    assert [_ids(p.tickets) for p in pages] == [
        _ids(expected[i : i + 4]) for i in range(0, len(expected), 4)
    ]
    assert pages[0].prev_cursor is None
    assert all(p.prev_cursor for p in pages[1:])


@pytest.mark.parametrize(("sort", "descending"), SORT_CASES)
def test_walking_backward_from_the_last_page_returns_the_same_pages(desk, sort, descending):
    f = QueueFilter(queue="all", sort=sort, descending=descending)
    forward = _walk_forward(desk, f, per_page=4)

    backward, cursor = [], forward[-1].prev_cursor
    while cursor is not None and len(backward) < 50:
        page = list_queue(desk.staff.org.id, desk.me.id, f, per_page=4, before=cursor)
        backward.append(page)
        cursor = page.prev_cursor

    assert [_ids(p.tickets) for p in reversed(backward)] == [_ids(p.tickets) for p in forward[:-1]]
    assert all(p.next_cursor for p in backward)


def test_a_page_that_fits_everything_has_no_cursors(desk):
    page = list_queue(desk.staff.org.id, desk.me.id, QueueFilter(queue="all"), per_page=15)

    assert len(page.tickets) == 15
    assert (page.next_cursor, page.prev_cursor) == (None, None)


def test_an_empty_queue_is_one_empty_page(org, agent):
    page = list_queue(org.id, agent.id, QueueFilter(queue="all"))

    assert (page.tickets, page.next_cursor, page.prev_cursor) == ([], None, None)


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not-a-cursor!", id="not the cursor shape"),
        pytest.param("WyIyMDI2LTExLTI1VDA5OjAyOjExIiwgMTIwMV0", id="the old base64 format"),
        pytest.param("12.", id="no id"),
    ],
)
def test_a_cursor_that_does_not_parse_gives_the_first_page(desk, cursor):
    f = QueueFilter(queue="all")
    first = list_queue(desk.staff.org.id, desk.me.id, f, per_page=4)

    for direction in ("after", "before"):
        page = list_queue(desk.staff.org.id, desk.me.id, f, per_page=4, **{direction: cursor})
        assert _ids(page.tickets) == _ids(first.tickets)


@pytest.mark.parametrize(
    ("sort", "descending", "cursor", "everything"),
    [
        pytest.param("number", False, "0.0", True, id="before the first number"),
        pytest.param("number", False, "99999999999.1", False, id="past the last number"),
        pytest.param("number", True, "99999999999.1", True, id="past the last, backwards"),
        pytest.param("priority", True, "9.1", True, id="a rank past critical"),
        pytest.param("priority", False, "9.1", False, id="a rank past critical, ascending"),
        pytest.param("updated", True, "9" * 20 + ".1", True, id="a time past year 9999"),
        pytest.param("created", False, "0.0", True, id="before year 1"),
    ],
)
def test_a_cursor_past_either_end_pages_from_that_end(desk, sort, descending, cursor, everything):
    f = QueueFilter(queue="all", sort=sort, descending=descending)
    first = list_queue(desk.staff.org.id, desk.me.id, f, per_page=4)

    page = list_queue(desk.staff.org.id, desk.me.id, f, per_page=4, after=cursor)

    assert _ids(page.tickets) == (_ids(first.tickets) if everything else [])


def test_an_unknown_sort_falls_back_to_last_update(desk):
    unknown = list_queue(
        desk.staff.org.id, desk.me.id, QueueFilter(queue="all", sort="nope"), per_page=100
    )

    expected = sorted(desk.tickets, key=_sort_key("updated"), reverse=True)
    assert _ids(unknown.tickets) == _ids(expected)


# -- sidebar counts --------------------------------------------------------------------------


def test_queue_counts_count_every_queue(desk):
    counts = queue_counts(desk.staff.org.id, desk.me.id)

    assert counts == {
        key: sum(_in_queue(key, t, desk.me) for t in desk.tickets) for key, _ in QUEUES
    }


def test_queue_counts_agree_with_the_queues(desk):
    counts = queue_counts(desk.staff.org.id, desk.me.id)

    for key, _ in QUEUES:
        page = list_queue(desk.staff.org.id, desk.me.id, QueueFilter(queue=key), per_page=100)
        assert counts[key] == len(page.tickets), key


def test_queue_counts_of_an_empty_organization_are_zero(org, agent):
    assert queue_counts(org.id, agent.id) == {key: 0 for key, _ in QUEUES}


def test_queue_counts_take_one_query(desk, query_counter):
    with query_counter() as queries_run:
        queue_counts(desk.staff.org.id, desk.me.id)

    assert queries_run.count == 1


# -- single tickets --------------------------------------------------------------------------


def test_get_ticket_finds_a_ticket_by_its_number(desk):
    ticket = desk.tickets[3]

    assert queries.get_ticket(desk.staff.org.id, ticket.number) is ticket


def test_another_organizations_ticket_number_is_not_found(desk):
    foreign = desk.foreign[0]
    missing = max(t.number for t in desk.tickets) + 1

    with pytest.raises(TicketNotFound):
        queries.get_ticket(desk.staff.org.id, missing)
    with pytest.raises(TicketNotFound, match=f"#{missing + 100}"):
        queries.ticket_page(desk.staff.org.id, missing + 100)
    assert queries.get_ticket(desk.staff.org.id, foreign.number).organization_id == (
        desk.staff.org.id
    )


def test_ticket_page_loads_conversation_and_history_in_a_fixed_number_of_queries(
    app, query_counter
):
    staff = make_staff()
    ticket = make_ticket(staff.org, tags="vip, billing, on-hold")
    for i in range(3):
        service.reply(staff.agent, ticket, f"Reply {i}")
        service.add_note(staff.senior_agent, ticket, f"Note {i}")
    org_id, number = staff.org.id, ticket.number
    db.session.expire_all()

    with query_counter() as queries_run:
        page = queries.ticket_page(org_id, number)
        shown = (
            page.ticket.customer.email,
            page.ticket.assignee,
            page.ticket.team,
            page.tags,
            [(m.author_name, m.body_text) for m in page.messages],
            [(e.kind, e.actor_name) for e in page.events],
        )

    # The ticket with its people and tags, the messages, the history.
    assert queries_run.count == 3
    assert page.tags == ["billing", "on-hold", "vip"]  # by name, as ticket.tags
    assert [m.body_text for m in page.messages][:3] == [
        "Something is not working.",
        "Reply 0",
        "Note 0",
    ]
    assert len(shown[5]) == 7
    assert [name for name, _body in shown[4][:3]] == [
        page.ticket.customer.display_name,
        staff.agent.name,
        staff.senior_agent.name,
    ]
    assert [m.is_internal for m in page.messages][:3] == [False, False, True]


def test_customer_tickets_are_the_most_recent_first_without_the_current_one(app):
    staff = make_staff()
    customer = CustomerFactory(organization=staff.org)
    tickets = [
        make_ticket(staff.org, customer=customer, created_at=BASE + dt.timedelta(days=i))
        for i in range(4)
    ]
    make_ticket(staff.org)  # someone else's

    recent = queries.customer_tickets(staff.org.id, customer.id, exclude_id=tickets[3].id, limit=2)

    assert _ids(recent) == [tickets[2].id, tickets[1].id]


def test_stored_counts_are_exact_and_only_their_label_stops_at_the_cap(
    org, agent, monkeypatch, query_counter
):
    from supportdesk.tickets import queries as ticket_queries

    monkeypatch.setattr(ticket_queries, "COUNT_CAP", 2)
    for _ in range(4):
        make_ticket(org, assignee=agent)
    make_ticket(org, status=Status.CLOSED)

    with query_counter() as queries:
        counts = ticket_queries.queue_counts(org.id, agent.id)

    assert queries.count == 1
    assert counts == {
        "mine": 4,
        "unassigned": 0,
        "breaching": 0,
        "breached": 0,
        "open": 4,
        "pending": 0,
        "resolved": 0,
        "closed": 1,
        "all": 5,
    }
    assert [ticket_queries.count_label(n) for n in (1, 2, 3)] == ["1", "2", "2+"]


def test_queue_counts_count_the_filtered_queue_in_the_same_query(org, agent, query_counter):
    make_ticket(org, assignee=agent, tags="vip")
    make_ticket(org, tags="vip", status=Status.CLOSED)
    make_ticket(org, assignee=agent)

    with query_counter() as queries_run:
        counts = queue_counts(org.id, agent.id, QueueFilter(queue="open", tag="vip"))

    assert queries_run.count == 1
    assert counts["shown"] == 1
    assert counts["open"] == 2


def test_the_filtered_count_stops_at_the_cap_like_the_sidebar(org, agent, monkeypatch):
    from supportdesk.tickets import queries as ticket_queries

    monkeypatch.setattr(ticket_queries, "COUNT_CAP", 2)
    for _ in range(4):
        make_ticket(org, tags="vip")

    counts = ticket_queries.queue_counts(org.id, agent.id, QueueFilter(queue="all", tag="vip"))

    assert ticket_queries.count_label(counts["shown"]) == "2+"
