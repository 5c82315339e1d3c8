"""search_tickets on PostgreSQL: what it finds, how it ranks, that it stays current, its cost."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.search import search_tickets
from supportdesk.search.queries import SearchPage
from supportdesk.tickets import service
from supportdesk.tickets.models import Priority, Status
from supportdesk.tickets.queries import QueueFilter
from tests.factories import CustomerFactory, OrganizationFactory, TeamFactory, make_ticket

pytestmark = pytest.mark.integration


def _numbers(page: SearchPage) -> list[int]:
    return [hit.ticket.number for hit in page.hits]


def test_a_word_in_a_later_message_finds_the_ticket(org, agent, customer):
    ticket = make_ticket(org, customer=customer, subject="Laptop", body="It will not boot.")
    make_ticket(org, customer=customer, subject="Other", body="Nothing relevant.")
    service.reply(agent, ticket, "Please check the kerberos ticket cache.")

    page = search_tickets(org.id, "kerberos")

    assert _numbers(page) == [ticket.number]
    assert page.total == 1
    assert "<mark>kerberos</mark>" in str(page.hits[0].snippet)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("Zelda Quartermain", id="customer-name"),
        pytest.param("zelda.q@umbrella.example", id="customer-email"),
        pytest.param("umbrella", id="email-domain-part"),
    ],
)
def test_customer_name_and_email_find_their_tickets(org, query):
    zelda = CustomerFactory(
        organization=org, name="Zelda Quartermain", email="zelda.q@umbrella.example"
    )
    mine = make_ticket(org, customer=zelda, subject="Invoice question")
    make_ticket(org, subject="Unrelated")

    assert _numbers(search_tickets(org.id, query)) == [mine.number]


@pytest.mark.parametrize("query", [pytest.param("2", id="bare"), pytest.param("#2", id="hash")])
def test_a_ticket_number_finds_the_ticket_first(org, query):
    make_ticket(org, subject="First")
    second = make_ticket(org, subject="Second")
    make_ticket(org, subject="Mentions 2 in the subject")

    assert _numbers(search_tickets(org.id, query))[0] == second.number


def test_another_organizations_tickets_never_appear(org, other_org):
    ours = make_ticket(org, subject="Kerberos outage")
    make_ticket(other_org, subject="Kerberos outage", body="kerberos kerberos")
    CustomerFactory(organization=other_org, name="Kerberos Fan")

    page = search_tickets(org.id, "kerberos")

    assert _numbers(page) == [ours.number]
    assert page.total == 1


def test_results_are_ranked_subject_hits_before_message_hits(org, agent):
    in_message = make_ticket(org, subject="Printer", body="The vpn drops at noon.")
    in_subject = make_ticket(org, subject="VPN drops", body="Since Monday.")
    in_both = make_ticket(org, subject="VPN again", body="The vpn drops again.")
    db.session.flush()

    page = search_tickets(org.id, "vpn")

    assert _numbers(page) == [in_both.number, in_subject.number, in_message.number]
    assert page.hits[0].score > page.hits[1].score > page.hits[2].score


def test_all_words_must_match(org):
    both = make_ticket(org, subject="Printer offline", body="Toner is fine.")
    make_ticket(org, subject="Printer jam")

    assert _numbers(search_tickets(org.id, "printer offline")) == [both.number]


def test_queue_filters_narrow_the_results(org, agent):
    team = TeamFactory(organization=org)
    wanted = make_ticket(org, subject="Kerberos", priority=Priority.HIGH, team=team, assignee=agent)
    make_ticket(org, subject="Kerberos", priority=Priority.LOW, team=team, assignee=agent)
    make_ticket(org, subject="Kerberos", priority=Priority.HIGH, status=Status.CLOSED)
    make_ticket(org, subject="Kerberos", priority=Priority.HIGH, tags="vip")

    def found(**filters) -> list[int]:
        return _numbers(
            search_tickets(org.id, "kerberos", QueueFilter(**filters), user_id=agent.id)
        )

    assert found(queue="all", priorities=[Priority.HIGH], team_id=team.id) == [wanted.number]
    assert found(queue="mine", priorities=[Priority.HIGH]) == [wanted.number]
    assert len(found(queue="open")) == 3
    assert len(found(queue="all", tag="vip")) == 1
    assert len(found(queue="all", statuses=[Status.CLOSED])) == 1


def test_the_search_vector_stays_current_after_a_reply_a_note_and_a_subject_edit(org, agent):
    ticket = make_ticket(org, subject="Laptop", body="Broken.")
    assert search_tickets(org.id, "fjord").total == 0

    service.reply(agent, ticket, "Try the fjord adapter.")
    assert _numbers(search_tickets(org.id, "fjord")) == [ticket.number]

    service.add_note(agent, ticket, "Internal: escalate to glacier team.")
    assert _numbers(search_tickets(org.id, "glacier")) == [ticket.number]

    service.edit(agent, ticket, subject="Tundra docking station")
    db.session.flush()
    page = search_tickets(org.id, "tundra")
    assert _numbers(page) == [ticket.number]
    assert "<mark>Tundra</mark>" in str(page.hits[0].subject)
    assert search_tickets(org.id, "laptop").total == 0


def test_user_text_is_escaped_in_snippets_and_subjects(org):
    make_ticket(
        org, subject="<b>kerberos</b>", body="Run <img src=x onerror=alert(1)> kerberos & go"
    )

    hit = search_tickets(org.id, "kerberos").hits[0]

    assert str(hit.subject) == "&lt;b&gt;<mark>kerberos</mark>&lt;/b&gt;"
    assert "<img" not in str(hit.snippet)
    assert "alert(1)&gt; <mark>kerberos</mark>" in str(hit.snippet)


def test_search_costs_two_queries_whatever_the_page_size(org, agent, query_counter):
    for n in range(6):
        ticket = make_ticket(org, subject=f"Kerberos {n}", tags="a, b")
        service.reply(agent, ticket, "kerberos again")
    db.session.flush()

    with query_counter() as small:
        search_tickets(org.id, "kerberos", per_page=2)
    with query_counter() as large:
        page = search_tickets(org.id, "kerberos", per_page=25)

    # The ranked page with its highlights, then its tags.
    assert small.count == large.count == 2
    assert len(page.hits) == 6
    assert all("<mark>kerberos</mark>" in str(hit.snippet) for hit in page.hits)
    assert all(hit.ticket.tags == ["a", "b"] for hit in page.hits)


def test_pages_walk_through_the_ranked_results(org):
    for n in range(5):
        make_ticket(org, subject=f"Kerberos {n}")

    first = search_tickets(org.id, "kerberos", per_page=2)
    last = search_tickets(org.id, "kerberos", per_page=2, page=3)

    assert first.total == 5 and first.has_next and not first.capped
    assert len(last.hits) == 1 and not last.has_next
    assert not set(_numbers(first)) & set(_numbers(last))


@pytest.mark.parametrize(
    "query",
    [pytest.param("", id="empty"), pytest.param("   ", id="blank"), pytest.param("\x00", id="nul")],
)
def test_an_empty_query_finds_nothing_without_touching_the_database(org, query, query_counter):
    make_ticket(org)
    with query_counter() as queries:
        page = search_tickets(org.id, query)

    assert page.hits == [] and page.total == 0
    assert queries.count == 0


def test_punctuation_only_queries_find_nothing(org):
    make_ticket(org, subject="Anything")

    assert search_tickets(org.id, "!!! ???").hits == []


@pytest.mark.parametrize(
    "query", [pytest.param("kerberos", id="subjects"), pytest.param("vip", id="tags")]
)
def test_every_source_stops_at_the_cap_and_says_the_total_is_a_lower_bound(org, monkeypatch, query):
    from supportdesk.search import results

    monkeypatch.setattr(results, "SEARCH_CAP", 2)
    for n in range(4):
        make_ticket(org, subject=f"Kerberos {n}", body="Nothing here.", tags="vip")

    page = search_tickets(org.id, query)

    assert page.capped
    assert page.total == 3
    assert page.total_label == "3+"


@pytest.mark.parametrize(
    "first, second",
    [
        pytest.param("kerberos", "printer", id="one-partial-word"),
        pytest.param('"vpn"', '"ssh"', id="one-quoted-word"),
        pytest.param("kerberos cache", "printer toner", id="two-words"),
    ],
)
def test_searches_of_the_same_shape_find_each_their_own_tickets(org, first, second):
    # One statement serves every query of a shape (terms, partial or not, a number): the words,
    # the organization and the page are its parameters, never an earlier query's values.
    other_org = OrganizationFactory()
    subjects = {first: "Kerberos cache expired", second: "Printer toner low"}
    if first.startswith('"'):
        subjects = {first: "VPN drops", second: "SSH refused"}
    found = {query: make_ticket(org, subject=subject).number for query, subject in subjects.items()}
    for subject in subjects.values():
        make_ticket(other_org, subject=subject)

    for query in (first, second, first):
        assert _numbers(search_tickets(org.id, query)) == [found[query]], query


def test_number_searches_find_each_their_own_ticket(org):
    tickets = [make_ticket(org, subject=f"Ticket {n}") for n in range(3)]

    for ticket in (tickets[2], tickets[0], tickets[2]):
        assert _numbers(search_tickets(org.id, f"#{ticket.number}"))[0] == ticket.number
