"""The SQLite search (and any other database without tsvector): the rules of terms.py in plain SQL.

Each term becomes a regular expression (SQLAlchemy registers Python's `re` as SQLite's REGEXP)
that matches exactly where PostgreSQL's tsquery matches the stored vector: the words in order,
separated by anything but letters and digits, the last one maybe a prefix. Customers and tags
match by substring the same way the trigram indexes serve them on PostgreSQL. Same sources
and ranking shape as the PostgreSQL search (its snippets cut in Python, a third query); no index
serves it, which is fine at the sizes an embedded SQLite desk holds.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.search import highlight
from supportdesk.search.results import (
    CUSTOMER_SCORE,
    MESSAGE_WEIGHT,
    NUMBER_SCORE,
    SUBJECT_WEIGHT,
    TAG_SCORE,
    SearchHit,
    SearchPage,
    page_statement,
    read_page,
    tagged,
)
from supportdesk.search.terms import Term, highlight_words
from supportdesk.tickets.models import Message, Ticket


def _all_terms(column, parsed: list[Term]):
    return sa.and_(*(column.regexp_match(term.pattern()) for term in parsed))


def _customer_matches(term: Term):
    text = Customer.name + " " + Customer.email
    words = text.regexp_match(term.pattern())
    if not term.partial:
        return words
    return sa.or_(text.regexp_match("(?i)" + re.escape(term.text)), words)


def _sources(organization_id: int, parsed: list[Term], number: int | None):
    """Where a ticket can match: number, subject, a message, its customer, its tags."""
    # All the terms in one message, as PostgreSQL matches one message's vector.
    in_message = sa.exists().where(
        Message.ticket_id == Ticket.id,
        Message.organization_id == organization_id,
        _all_terms(Message.body_text, parsed),
    )
    in_customer = sa.exists().where(
        Customer.id == Ticket.customer_id,
        Customer.organization_id == organization_id,
        *(_customer_matches(term) for term in parsed),
    )
    return (
        Ticket.number == number if number is not None else sa.false(),
        _all_terms(Ticket.subject, parsed),
        in_message,
        in_customer,
        Ticket.id.in_(tagged(organization_id, parsed)),
    )


def fallback_match(organization_id: int, parsed: list[Term], number: int | None):
    """The condition on Ticket: it matches `parsed` (supportdesk.search.queries.matching_ids)."""
    return sa.or_(*_sources(organization_id, parsed, number))


def search_fallback(
    result: SearchPage,
    organization_id: int,
    conditions: list,
    parsed: list[Term],
    number: int | None,
) -> None:
    """Fill `result` with the page of tickets matching `parsed` (see search_tickets)."""
    is_number, in_subject, in_message, in_customer, in_tags = _sources(
        organization_id, parsed, number
    )
    score = (
        sa.case((is_number, NUMBER_SCORE), else_=0.0)
        + sa.case((in_subject, SUBJECT_WEIGHT), else_=0.0)
        + sa.case((in_message, MESSAGE_WEIGHT), else_=0.0)
        + sa.case((in_customer, CUSTOMER_SCORE), else_=0.0)
        + sa.case((in_tags, TAG_SCORE), else_=0.0)
    )
    scored = (
        sa.select(
            Ticket.id.label("ticket_id"), score.label("score"), sa.literal(0).label("source_rows")
        )
        .where(
            Ticket.organization_id == organization_id,
            sa.or_(is_number, in_subject, in_message, in_customer, in_tags),
        )
        .subquery("scored")
    )
    rows = read_page(organization_id, page_statement(scored, conditions), {}, result)
    if not rows:
        return
    ids = [ticket.id for ticket, _score, _row in rows]
    words = highlight_words(parsed)
    snippets: dict[int, str] = {}
    for ticket_id, body in db.session.execute(
        sa.select(Message.ticket_id, Message.body_text)
        .where(
            Message.organization_id == organization_id,
            Message.ticket_id.in_(ids),
            _all_terms(Message.body_text, parsed),
        )
        .order_by(Message.ticket_id, Message.id)
    ):
        snippets.setdefault(ticket_id, highlight.excerpt(body, words))
    for ticket, score, _row in rows:
        snippet = snippets.get(ticket.id)
        result.hits.append(
            SearchHit(
                ticket,
                score,
                highlight.to_markup(highlight.mark_terms(ticket.subject, words)),
                highlight.to_markup(snippet) if snippet else None,
            )
        )
