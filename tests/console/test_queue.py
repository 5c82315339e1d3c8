"""The queue page: sidebar counts, filters, sorting, keyset pagination, constant query count."""

from __future__ import annotations

import re

import pytest

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status
from tests.factories import CustomerFactory, TeamFactory, UserFactory, make_ticket
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


def _numbers(response) -> list[int]:
    html = response.get_data(as_text=True)
    return [int(n) for n in re.findall(r'<td class="col-number"><a href="/tickets/(\d+)">', html)]


@pytest.fixture
def signed_in(client, agent):
    login_as(client, agent)
    return client


def test_the_default_queue_lists_active_tickets_newest_activity_first(signed_in, org):
    make_ticket(org, subject="first")
    make_ticket(org, subject="done", status=Status.RESOLVED)
    make_ticket(org, subject="second", status=Status.PENDING)
    response = signed_in.get("/")
    assert response.status_code == 200
    assert _numbers(response) == [3, 1]


def test_the_sidebar_counts_every_queue(signed_in, org, agent):
    make_ticket(org, assignee=agent)
    make_ticket(org, assignee=agent, status=Status.PENDING)
    make_ticket(org)
    make_ticket(org, status=Status.RESOLVED)
    make_ticket(org, status=Status.CLOSED)
    html = signed_in.get("/").get_data(as_text=True)
    counts = dict(re.findall(r"<span>([^<]+)</span><span class=\"count\">([\d,]+)</span>", html))
    assert counts == {
        "My open tickets": "2",
        "Unassigned": "1",
        "Breaching soon": "0",
        "Breached": "0",
        "All open": "3",
        "Pending": "1",
        "Resolved": "1",
        "Closed": "1",
        "All tickets": "5",
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        pytest.param("queue=all&status=pending", [2], id="status"),
        pytest.param("queue=all&priority=critical", [3], id="priority"),
        pytest.param("queue=all&assignee=none", [4, 2], id="unassigned"),
        pytest.param("queue=all&tag=vip", [4, 1], id="tag"),
        pytest.param("queue=mine", [3, 1], id="mine"),
        pytest.param("queue=unassigned", [4, 2], id="unassigned-queue"),
        pytest.param("queue=all&sort=priority&dir=desc", [3, 1, 4, 2], id="priority-sort"),
        pytest.param("queue=all&sort=number&dir=asc", [1, 2, 3, 4], id="number-ascending"),
    ],
)
def test_filters_and_sorts_narrow_the_queue(signed_in, org, agent, query, expected):
    make_ticket(org, assignee=agent, tags="vip", priority=Priority.HIGH)
    make_ticket(org, status=Status.PENDING, priority=Priority.LOW)
    make_ticket(org, assignee=agent, priority=Priority.CRITICAL)
    make_ticket(org, tags="vip, billing")
    assert _numbers(signed_in.get(f"/?{query}")) == expected


def test_team_and_customer_filters(signed_in, org):
    team = TeamFactory(organization=org)
    alice = CustomerFactory(organization=org)
    make_ticket(org, team=team)
    make_ticket(org, customer=alice)
    assert _numbers(signed_in.get(f"/?queue=all&team={team.id}")) == [1]
    assert _numbers(signed_in.get(f"/?queue=all&customer={alice.id}")) == [2]


def test_pages_walk_forward_and_back_without_gaps(signed_in, org, app):
    app.config["PAGE_SIZE"], saved = 3, app.config["PAGE_SIZE"]
    try:
        for _ in range(8):
            make_ticket(org)
        seen, response = [], signed_in.get("/?queue=all&sort=number")
        pages = []
        while True:
            pages.append(_numbers(response))
            seen += pages[-1]
            match = re.search(r'rel="next" href="([^"]+)"', response.get_data(as_text=True))
            if not match:
                break
            response = signed_in.get(match.group(1).replace("&amp;", "&"))
        assert seen == list(range(8, 0, -1))
        back = re.search(r'rel="prev" href="([^"]+)"', response.get_data(as_text=True))
        assert _numbers(signed_in.get(back.group(1).replace("&amp;", "&"))) == pages[-2]
    finally:
        app.config["PAGE_SIZE"] = saved


def test_another_organizations_tickets_never_appear(signed_in, org, other_org):
    make_ticket(other_org, subject="secret of another tenant")
    make_ticket(org, subject="ours")
    html = signed_in.get("/?queue=all").get_data(as_text=True)
    assert "ours" in html and "secret of another tenant" not in html


@pytest.mark.parametrize(
    "query",
    [
        "queue=nonsense",
        "status=bogus&priority=urgent",  # a NUL is a 400: tests/console/test_inputs.py
        "assignee=abc&team=-1&customer=99999999999999999999",
        "sort=drop+table&dir=sideways",
        "after=not-a-cursor",
        "before=W1tdLCJ4Il0",
        "after=WyJ4IiwgMV0&sort=updated",
        "tag=%20%20&tag=UPPER%20Case",
        "tag=" + "x" * 500,
    ],
)
def test_malformed_queue_arguments_never_fail(signed_in, query):
    assert signed_in.get(f"/?{query}").status_code == 200


def test_the_queue_costs_the_same_queries_for_10_rows_as_for_100(
    signed_in, org, app, query_counter
):
    assignees = [UserFactory(organization=org) for _ in range(5)]
    teams = [TeamFactory(organization=org) for _ in range(3)]
    for i in range(100):
        make_ticket(
            org,
            assignee=assignees[i % 5] if i % 3 else None,
            team=teams[i % 3],
            tags=["a", "b"][: i % 3],
            customer=CustomerFactory(organization=org),
        )
    db.session.expunge_all()
    signed_in.get("/?queue=all")  # fills the organization's cache (accounts.orgcache)
    counts = {}
    for size in (10, 100):
        app.config["PAGE_SIZE"], saved = size, app.config["PAGE_SIZE"]
        try:
            with query_counter() as queries:
                response = signed_in.get("/?queue=all")
        finally:
            app.config["PAGE_SIZE"] = saved
        assert len(_numbers(response)) == size
        counts[size] = queries.count
    # The agent's session (with the bell's unread count), the rows, their tags, the sidebar
    # counts. Custom fields, menus, saved views and the toolbar's macros come from the cache.
    assert counts == {10: 4, 100: 4}


def _shown_count(response) -> str:
    html = response.get_data(as_text=True)
    return re.search(r"([\d,+]+) tickets? in this queue", html).group(1)


@pytest.mark.parametrize(
    "query, expected",
    [
        pytest.param("queue=all", "4", id="no-filter"),
        pytest.param("queue=all&tag=vip", "2", id="tag"),
        pytest.param("queue=all&priority=critical", "1", id="priority"),
        pytest.param("queue=open&assignee=none", "1", id="open-unassigned"),
        pytest.param("queue=mine&tag=billing", "0", id="nothing"),
    ],
)
def test_the_queue_counts_the_tickets_its_filters_show(signed_in, org, agent, query, expected):
    make_ticket(org, assignee=agent, tags="vip", priority=Priority.HIGH)
    make_ticket(org, status=Status.PENDING, priority=Priority.LOW)
    make_ticket(org, assignee=agent, priority=Priority.CRITICAL)
    make_ticket(org, tags="vip, billing", status=Status.CLOSED)

    response = signed_in.get(f"/?{query}")

    assert _shown_count(response) == expected
    assert len(_numbers(response)) == int(expected)


def test_the_filtered_count_agrees_with_the_rows_over_several_pages(signed_in, org, app):
    app.config["PAGE_SIZE"], saved = 3, app.config["PAGE_SIZE"]
    try:
        for i in range(11):
            make_ticket(org, tags="vip" if i % 3 else "")
        response = signed_in.get("/?queue=all&tag=vip")
        count, seen = _shown_count(response), []
        while True:
            seen += _numbers(response)
            assert _shown_count(response) == count
            match = re.search(r'rel="next" href="([^"]+)"', response.get_data(as_text=True))
            if not match:
                break
            response = signed_in.get(match.group(1).replace("&amp;", "&"))
        assert int(count) == len(seen) == 7
    finally:
        app.config["PAGE_SIZE"] = saved
