"""`search_tickets`: ranked ticket search within one organization, combinable with queue filters.

What a query matches is decided in supportdesk.search.terms (the rules, one place). PostgreSQL:
the terms are matched against three stored tsvectors, each with its own GIN index — tickets
(subject), messages (body, every reply and note) and customers (name and email, also by trigram
for any part of them) — and against tag names (trigram), plus the ticket number when the query
is a number. Each source gives a score per ticket; the scores are summed, the queue filters
applied, and one page taken, ranked, with its highlighted subjects and snippets (2 queries
whatever the page size: the page, its tags). SQLite (supportdesk.search.fallback): the same
rules as LIKE and regular expressions, same shape (its snippets in a third query).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk.db import fixed_rows
from supportdesk.extensions import db
from supportdesk.search import highlight, results, terms
from supportdesk.search.fallback import fallback_match, search_fallback
from supportdesk.search.results import (
    CUSTOMER_SCORE,
    MAX_PAGE,
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
from supportdesk.search.schema import CUSTOMER_TEXT, customers_sv, messages_sv, tickets_sv
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import QueueFilter, queue_conditions

MAX_QUERY = 200
# The sources the page caps (their subqueries' names in the SQL).
SOURCE_NAMES = ("in_messages", "in_subjects", "in_tags")
HEADLINE_OPTIONS = (
    f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=28, MinWords=10, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)

__all__ = ["SearchHit", "SearchPage", "search_match", "search_tickets"]


def search_tickets(
    organization_id: int,
    q: str,
    f: QueueFilter | None = None,
    *,
    user_id: int = 0,
    page: int = 1,
    per_page: int = 25,
) -> SearchPage:
    """Tickets of the organization matching `q`, best first, narrowed by the queue filter `f`.

    `user_id` is the agent the "mine" queue refers to. An empty query gives an empty page.
    """
    q = clean_query(q)
    page = min(max(page, 1), MAX_PAGE)
    result = SearchPage(q, page=page, per_page=per_page)
    if not q:
        return result
    f = f or QueueFilter(queue="all")
    conditions = queue_conditions(organization_id, user_id, f)
    parsed, number = terms.parse(q), terms.number(q)
    if not parsed:  # punctuation only (a number is a word too)
        return result
    if db.session.get_bind().dialect.name == "postgresql":
        _search_postgresql(result, organization_id, conditions, parsed, number)
    else:
        search_fallback(result, organization_id, conditions, parsed, number)
    return result


def clean_query(q: str | None) -> str:
    """The query as the search reads it: spaces collapsed, at most MAX_QUERY characters."""
    return " ".join((q or "").replace("\x00", "").split())[:MAX_QUERY]


def search_match(organization_id: int, q: str) -> sa.ColumnElement[bool]:
    """The condition on Ticket: the search `q` finds it. The tickets search_tickets ranks, from
    the same sources, but all of them (no SEARCH_CAP per source); exports read it
    (supportdesk.exports.kinds). An empty or punctuation-only query finds nothing, as on the
    search page."""
    q = clean_query(q)
    parsed, number = (terms.parse(q), terms.number(q)) if q else ([], None)
    if not parsed:
        return sa.false()
    if db.session.get_bind().dialect.name != "postgresql":
        return fallback_match(organization_id, parsed, number)
    large, small = _postgresql_sources(
        organization_id, parsed, number, _to_tsquery(terms.tsquery(parsed))
    )
    # Each source stands alone (correlate(None)): inside IN it must not bind to the outer ticket.
    return Ticket.id.in_(
        sa.union_all(
            *(
                s.with_only_columns(s.selected_columns[0], maintain_column_froms=True).correlate(
                    None
                )
                for s in (*large, *small)
            )
        )
    )


# -- PostgreSQL: tsvector + GIN -----------------------------------------------------------------


def _customer_matches(term: terms.Term | _BoundTerm):
    """A customer's name or email contains the term, or has its words (trigram / GIN index)."""
    words = customers_sv.c.search_vector.op("@@")(_to_tsquery(term.tsquery()))
    if not term.partial:
        return words
    return sa.or_(sa.literal_column(f"({CUSTOMER_TEXT})").ilike(term.like(), escape="\\"), words)


def _capped(name: str, source: sa.Select):
    """One source's (ticket_id, score, source_rows), at most SEARCH_CAP + 1 rows of it (the
    parameter `source_rows`).

    A word in most messages (or subjects, or a tag on most tickets) would make every search
    rank them all: each source stops after the cap, and source_rows (a row_number, which
    streams, unlike count() over ()) tells the page that its total is a lower bound.
    """
    limited = source.limit(sa.bindparam("source_rows", type_=sa.Integer)).subquery(name)
    return sa.select(
        limited.c.ticket_id, limited.c.score, sa.func.row_number().over().label("source_rows")
    )


def _to_tsquery(text):
    return sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), text)


def _postgresql_sources(
    organization_id, parsed: list[terms.Term] | list[_BoundTerm], number, tsquery
) -> tuple[list[sa.Select], list[sa.Select]]:
    """Where a ticket can match, as (ticket_id, score) selects: messages, subjects and tags
    (which can match most tickets: the page caps them), then customers and the number.

    The organization, terms and number are values (search_match) or parameters (_scored)."""
    tag_hits = tagged(organization_id, parsed).subquery("tag_hits")
    large = [
        sa.select(
            messages_sv.c.ticket_id.label("ticket_id"),
            (sa.func.ts_rank(messages_sv.c.search_vector, tsquery) * MESSAGE_WEIGHT).label("score"),
        ).where(
            messages_sv.c.organization_id == organization_id,
            messages_sv.c.search_vector.op("@@")(tsquery),
        ),
        sa.select(
            tickets_sv.c.id.label("ticket_id"),
            (sa.func.ts_rank(tickets_sv.c.search_vector, tsquery) * SUBJECT_WEIGHT).label("score"),
        ).where(
            tickets_sv.c.organization_id == organization_id,
            tickets_sv.c.search_vector.op("@@")(tsquery),
        ),
        sa.select(tag_hits.c.ticket_id.label("ticket_id"), sa.literal(TAG_SCORE).label("score")),
    ]
    small = [
        sa.select(Ticket.id, sa.literal(CUSTOMER_SCORE))
        .join(customers_sv, customers_sv.c.id == Ticket.customer_id)
        .where(
            Ticket.organization_id == organization_id,
            customers_sv.c.organization_id == organization_id,
            *(_customer_matches(term) for term in parsed),
        )
    ]
    if number is not None:
        small.append(
            sa.select(Ticket.id, sa.literal(NUMBER_SCORE)).where(
                Ticket.organization_id == organization_id, Ticket.number == number
            )
        )
    return large, small


@dataclass(frozen=True)
class _BoundTerm:
    """A term of a cached statement: what Term gives as values, here as named parameters
    (_values gives them for a query's terms)."""

    index: int
    partial: bool

    def like(self):
        return sa.bindparam(f"term{self.index}_like", type_=sa.String)

    @property
    def tag(self):
        return sa.bindparam(f"term{self.index}_tag", type_=sa.String)

    def tsquery(self):
        return sa.bindparam(f"term{self.index}_tsquery", type_=sa.String)


def _values(organization_id: int, parsed: list[terms.Term], number: int | None) -> dict:
    """The parameters of the statement _page builds for these terms."""
    values = {
        "organization_id": organization_id,
        "tsquery": terms.tsquery(parsed),
        "number": number,
        "source_rows": results.SEARCH_CAP + 1,
    }
    for index, term in enumerate(parsed):
        values |= {
            f"term{index}_like": term.like(),
            f"term{index}_tag": term.tag,
            f"term{index}_tsquery": term.tsquery(),
        }
    return values


def _scored(partial: tuple[bool, ...], has_number: bool, tsquery):
    """(ticket_id, score, source_rows) of the tickets matching terms shaped as `partial` (whether
    each is) and maybe a number, summed over the sources; the values are parameters."""
    large, small = _postgresql_sources(
        sa.bindparam("organization_id", type_=sa.Integer),
        [_BoundTerm(index, p) for index, p in enumerate(partial)],
        sa.bindparam("number", type_=sa.Integer) if has_number else None,
        tsquery,
    )
    sources = [
        *(_capped(name, s) for name, s in zip(SOURCE_NAMES, large, strict=True)),
        *(s.add_columns(sa.literal(0)) for s in small),
    ]
    hits = sa.union_all(*sources).subquery("hits")
    return (
        sa.select(
            hits.c.ticket_id,
            sa.func.sum(hits.c.score).label("score"),
            sa.func.max(hits.c.source_rows).label("source_rows"),
        )
        .group_by(hits.c.ticket_id)
        .subquery("scored")
    )


def _highlights(tsquery) -> tuple:
    """The page's two extra columns: the subject with the matches marked, and a snippet of the
    ticket's best-matching message (None when only its subject, customer, tags or number
    match). Each is computed for the page's tickets only, in the page's statement."""
    subject = sa.func.ts_headline(
        sa.literal_column("'simple'::regconfig"),
        sa.func.translate(Ticket.subject, highlight.START + highlight.STOP, ""),
        tsquery,
        f"StartSel={highlight.START}, StopSel={highlight.STOP}, HighlightAll=true",
    )
    best_message = (
        sa.select(messages_sv.c.body_text)
        .where(
            messages_sv.c.organization_id == Ticket.organization_id,
            messages_sv.c.ticket_id == Ticket.id,
            messages_sv.c.search_vector.op("@@")(tsquery),
        )
        .order_by(sa.func.ts_rank(messages_sv.c.search_vector, tsquery).desc(), messages_sv.c.id)
        .limit(fixed_rows(1))
        .scalar_subquery()
    )
    snippet = sa.func.ts_headline(
        sa.literal_column("'simple'::regconfig"),
        sa.func.translate(best_message, highlight.START + highlight.STOP, ""),
        tsquery,
        HEADLINE_OPTIONS,
    )
    return subject.label("subject_line"), snippet.label("snippet")


def _page(partial: tuple[bool, ...], has_number: bool, conditions: list) -> sa.Select:
    tsquery = _to_tsquery(sa.bindparam("tsquery", type_=sa.String))
    return page_statement(_scored(partial, has_number, tsquery), conditions, *_highlights(tsquery))


@functools.lru_cache(maxsize=256)
def _unfiltered_page_statement(partial: tuple[bool, ...], has_number: bool) -> sa.Select:
    # Built once per shape: building and hashing this statement cost more than running it for
    # a rare word. With filters (their values are written into their conditions) it is built
    # per search.
    return _page(partial, has_number, [])


def _search_postgresql(
    result: SearchPage,
    organization_id: int,
    conditions: list,
    parsed: list[terms.Term],
    number: int | None,
) -> None:
    partial, has_number = tuple(term.partial for term in parsed), number is not None
    if len(conditions) <= 1:  # the organization's only
        statement = _unfiltered_page_statement(partial, has_number)
    else:
        statement = _page(partial, has_number, conditions)
    for ticket, score, row in read_page(
        organization_id, statement, _values(organization_id, parsed, number), result
    ):
        result.hits.append(
            SearchHit(
                ticket,
                score,
                highlight.to_markup(row.subject_line or ticket.subject),
                highlight.to_markup(row.snippet) if row.snippet else None,
            )
        )
