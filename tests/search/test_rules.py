"""The search rules of the README, as one table of queries: PostgreSQL and SQLite answer alike.

Each query runs on PostgreSQL (tsvector, trigram) and on the SQLite fallback (regexps, LIKE)
over the same tickets, and must find exactly the tickets the table names on both.
"""

from __future__ import annotations

import pytest

from supportdesk import create_app
from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.search import search_tickets
from supportdesk.tickets import service
from tests import factories

# key -> (customer name, customer email, subject, first message, tags)
TICKETS = {
    "aisha": (
        "Aisha Bianchi",
        "aisha.bianchi@driftwood-travel.example",
        "Invoice copy",
        "Please send the March invoice again.",
        "",
    ),
    "refund": (
        "Lena Park",
        "lena@oakridge.example",
        "Refund request for unused seats",
        "We would like a refund about the seats.",
        "billing, refund",
    ),
    "printer": (
        "Omar Sato",
        "omar@granite.example",
        "Printer offline",
        "The request was refused by the printer.",
        "hardware, known-issue",
    ),
    "duplicate": (
        "Ingrid Novak",
        "ingrid@helix.example",
        "Duplicate charge",
        "You charged me twice: duplicate charge on the card.",
        "billing",
    ),
    "reversed": (
        "Pavel Jensen",
        "pavel@foxglove.example",
        "Charge duplicate?",
        "A charge, then a duplicate.",
        "",
    ),
    "vpn": (
        "Marco Rossi",
        "marco@evergreen.example",
        "VPN drops",
        "See https://status.driftwood-travel.example/vpn for the outage.",
        "vip-customer",
    ),
    "short": (
        "Yuki Larsen",
        "yuki@atlas.example",
        "Re: AB testing",
        "Müller's café team ran the A/B test.",
        "ab",
    ),
}
# What each query finds, by the rules in the README ("Search").
CASES = [
    pytest.param("refu", {"refund", "printer"}, id="prefix-in-subject-message-and-tag"),
    pytest.param("refund", {"refund"}, id="whole-word"),
    pytest.param('"refu"', set(), id="quoted-word-is-whole"),
    pytest.param('"refund"', {"refund"}, id="quoted-word-and-whole-tag"),
    pytest.param('"known issue"', {"printer"}, id="quoted-phrase-in-a-tag"),
    pytest.param('"issue"', set(), id="quoted-word-is-not-part-of-a-tag"),
    pytest.param('"aisha bianchi"', {"aisha"}, id="quoted-customer-name"),
    pytest.param("REFUND", {"refund"}, id="case-insensitive"),
    pytest.param("aisha.bianchi", {"aisha"}, id="part-of-an-email"),
    pytest.param("driftwood-travel", {"aisha", "vpn"}, id="part-of-a-domain-and-a-url"),
    pytest.param("bianchi", {"aisha"}, id="customer-surname"),
    pytest.param("ood-trav", {"aisha"}, id="any-part-of-an-email"),
    pytest.param("Aisha Bianchi", {"aisha"}, id="customer-full-name"),
    pytest.param("known-issue", {"printer"}, id="tag"),
    pytest.param("issue", {"printer"}, id="part-of-a-tag"),
    pytest.param("vip", {"vpn"}, id="tag-prefix"),
    pytest.param("billing", {"refund", "duplicate"}, id="tag-on-two-tickets"),
    pytest.param("ab", {"short"}, id="short-word-whole"),
    pytest.param("a", {"short", "reversed", "refund"}, id="one-letter-word-whole"),
    pytest.param("caf", {"short"}, id="prefix-of-accented-word"),
    pytest.param("müller", {"short"}, id="accented-word"),
    pytest.param('"duplicate charge"', {"duplicate"}, id="quoted-phrase"),
    pytest.param('"charge duplicate"', {"reversed"}, id="quoted-phrase-order-matters"),
    pytest.param("duplicate charge", {"duplicate", "reversed"}, id="two-words-any-order"),
    pytest.param('"charged me" twice', {"duplicate"}, id="phrase-and-word"),
    pytest.param("printer refused", {"printer"}, id="two-words-in-one-message"),
    pytest.param("printer invoice", set(), id="words-on-different-tickets"),
    pytest.param("aisha park", set(), id="names-of-two-different-customers"),
    pytest.param("bianchi driftwood", {"aisha"}, id="a-customer-name-and-email-part"),
    pytest.param("#3", {"printer"}, id="ticket-number"),
    pytest.param("!!! ???", set(), id="punctuation-only"),
    pytest.param('"', set(), id="lone-quote"),
]


def _build(org, agent) -> dict[int, str]:
    """The tickets of TICKETS in the organization; returns number -> key."""
    numbers = {}
    for key, (name, email, subject, body, tags) in TICKETS.items():
        customer = factories.CustomerFactory(organization=org, name=name, email=email)
        ticket = factories.make_ticket(
            org, customer=customer, subject=subject, body=body, tags=tags
        )
        numbers[ticket.number] = key
    service.reply(agent, ticket, "Thanks, noted.")  # a later message that matches nothing
    db.session.flush()
    return numbers


def _found(org_id: int, numbers: dict[int, str], query: str) -> set[str]:
    page = search_tickets(org_id, query, per_page=40)
    assert page.total == len(page.hits)
    return {numbers[hit.ticket.number] for hit in page.hits}


@pytest.mark.integration
@pytest.mark.parametrize("query, expected", CASES)
def test_postgresql_answers_the_table(org, agent, query, expected):
    numbers = _build(org, agent)

    assert _found(org.id, numbers, query) == expected


@pytest.fixture(scope="module")
def sqlite_desk(tmp_path_factory, migrated_sqlite):
    """The same tickets on a migrated SQLite file, built once for the whole table."""
    path = tmp_path_factory.mktemp("rules") / "search.db"
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(path),
            "SECRET_KEY": "rules",
            "PASSWORD_HASH_FAST": True,
            "TESTING": True,
        }
    )
    with app.app_context():
        org = factories.OrganizationFactory()
        agent = factories.UserFactory(organization=org, role=Role.AGENT)
        numbers = _build(org, agent)
        db.session.commit()
        yield org.id, numbers
        db.engine.dispose()


@pytest.mark.sqlite
@pytest.mark.parametrize("query, expected", CASES)
def test_sqlite_answers_the_table(sqlite_desk, query, expected):
    org_id, numbers = sqlite_desk

    assert _found(org_id, numbers, query) == expected
