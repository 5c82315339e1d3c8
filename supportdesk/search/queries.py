"""`search_tickets`: ranked ticket search within one organization, combinable with queue filters.

What a query matches is decided in supportdesk.search.terms (the rules, one place). PostgreSQL:
the terms are matched against three stored tsvectors, each with its own GIN index — tickets
(subject), messages (body, every reply and note) and customers (name and email, also by trigram
for any part of them) — and against tag names (trigram), plus the ticket number when the query
is a number. Each source gives a score per ticket; the scores are summed, the queue filters
applied, and one page taken, ranked (3 queries whatever the page size: the page, its tags, its
highlighted snippets). SQLite (supportdesk.search.fallback): the same rules as LIKE and regular
expressions, same shape and query count.
"""

from __future__ import annotations

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.search import highlight, results, terms
from supportdesk.search.fallback import search_fallback
from supportdesk.search.results import (
    CUSTOMER_SCORE,
    MAX_PAGE,
    MESSAGE_WEIGHT,
    NUMBER_SCORE,
    SUBJECT_WEIGHT,
    TAG_SCORE,
    SearchHit,
    SearchPage,
    page_of,
    tagged,
)
from supportdesk.search.schema import CUSTOMER_TEXT, customers_sv, messages_sv, tickets_sv
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.queries import QueueFilter, queue_conditions

MAX_QUERY = 200
HEADLINE_OPTIONS = (
    f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=28, MinWords=10, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)

__all__ = ["SearchHit", "SearchPage", "search_tickets"]


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
    q = " ".join((q or "").replace("\x00", "").split())[:MAX_QUERY]
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


# -- PostgreSQL: tsvector + GIN -----------------------------------------------------------------


def _customer_matches(term: terms.Term):
    """A customer's name or email contains the term, or has its words (trigram / GIN index)."""
    words = customers_sv.c.search_vector.op("@@")(_to_tsquery(term.tsquery()))
    if not term.partial:
        return words
    return sa.or_(sa.literal_column(f"({CUSTOMER_TEXT})").ilike(term.like(), escape="\\"), words)


def _capped(name: str, ticket_id, score, *where):
    """One source's (ticket_id, score, source_rows), at most SEARCH_CAP + 1 rows of it.

    A word in most messages (or subjects, or a tag on most tickets) would make every search
    rank them all: each source stops after the cap, and source_rows (a row_number, which
    streams, unlike count() over ()) tells the page that its total is a lower bound.
    """
    limited = (
        sa.select(ticket_id.label("ticket_id"), score.label("score"))
        .where(*where)
        .limit(results.SEARCH_CAP + 1)
        .subquery(name)
    )
    return sa.select(
        limited.c.ticket_id, limited.c.score, sa.func.row_number().over().label("source_rows")
    )


def _to_tsquery(text: str):
    return sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), text)


def _search_postgresql(
    result: SearchPage,
    organization_id: int,
    conditions: list,
    parsed: list[terms.Term],
    number: int | None,
) -> None:
    tsquery = _to_tsquery(terms.tsquery(parsed))
    tag_hits = tagged(organization_id, parsed).subquery("tag_hits")
    sources = [
        _capped(
            "in_messages",
            messages_sv.c.ticket_id,
            sa.func.ts_rank(messages_sv.c.search_vector, tsquery) * MESSAGE_WEIGHT,
            messages_sv.c.organization_id == organization_id,
            messages_sv.c.search_vector.op("@@")(tsquery),
        ),
        _capped(
            "in_subjects",
            tickets_sv.c.id,
            sa.func.ts_rank(tickets_sv.c.search_vector, tsquery) * SUBJECT_WEIGHT,
            tickets_sv.c.organization_id == organization_id,
            tickets_sv.c.search_vector.op("@@")(tsquery),
        ),
        _capped("in_tags", tag_hits.c.ticket_id, sa.literal(TAG_SCORE)),
        sa.select(Ticket.id, sa.literal(CUSTOMER_SCORE), sa.literal(0))
        .join(customers_sv, customers_sv.c.id == Ticket.customer_id)
        .where(
            Ticket.organization_id == organization_id,
            customers_sv.c.organization_id == organization_id,
            *(_customer_matches(term) for term in parsed),
        ),
    ]
    if number is not None:
        sources.append(
            sa.select(Ticket.id, sa.literal(NUMBER_SCORE), sa.literal(0)).where(
                Ticket.organization_id == organization_id, Ticket.number == number
            )
        )
    hits = sa.union_all(*sources).subquery("hits")
    scored = (
        sa.select(
            hits.c.ticket_id,
            sa.func.sum(hits.c.score).label("score"),
            sa.func.max(hits.c.source_rows).label("source_rows"),
        )
        .group_by(hits.c.ticket_id)
        .subquery("scored")
    )
    rows = page_of(organization_id, scored, conditions, result)
    if not rows:
        return
    ids = [ticket.id for ticket, _score in rows]
    message_lines = (
        sa.select(
            messages_sv.c.ticket_id,
            sa.literal("message").label("source"),
            sa.func.ts_headline(
                sa.literal_column("'simple'::regconfig"),
                sa.func.translate(messages_sv.c.body_text, highlight.START + highlight.STOP, ""),
                tsquery,
                HEADLINE_OPTIONS,
            ).label("headline"),
        )
        .where(
            messages_sv.c.organization_id == organization_id,
            messages_sv.c.ticket_id.in_(ids),
            messages_sv.c.search_vector.op("@@")(tsquery),
        )
        .order_by(
            messages_sv.c.ticket_id,
            sa.func.ts_rank(messages_sv.c.search_vector, tsquery).desc(),
            messages_sv.c.id,
        )
        .distinct(messages_sv.c.ticket_id)
    )
    subject_lines = sa.select(
        Ticket.id,
        sa.literal("subject"),
        sa.func.ts_headline(
            sa.literal_column("'simple'::regconfig"),
            sa.func.translate(Ticket.subject, highlight.START + highlight.STOP, ""),
            tsquery,
            f"StartSel={highlight.START}, StopSel={highlight.STOP}, HighlightAll=true",
        ),
    ).where(Ticket.organization_id == organization_id, Ticket.id.in_(ids))
    lines: dict[tuple[int, str], str] = {
        (ticket_id, source): text
        for ticket_id, source, text in db.session.execute(
            sa.union_all(message_lines.subquery().select(), subject_lines)
        )
    }
    for ticket, score in rows:
        snippet = lines.get((ticket.id, "message"))
        result.hits.append(
            SearchHit(
                ticket,
                score,
                highlight.to_markup(lines.get((ticket.id, "subject"), ticket.subject)),
                highlight.to_markup(snippet) if snippet else None,
            )
        )
