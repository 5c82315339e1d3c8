"""`search_tickets`: ranked ticket search within one organization, combinable with queue filters.

PostgreSQL: the query is matched against three stored tsvectors, each with its own GIN index —
tickets (subject), messages (body, every reply and note) and customers (name and email) — plus
the ticket number when the query is a number. Each source gives a score per ticket; the scores are
summed, the queue filters applied, and one page taken, ranked (3 queries whatever the page size:
the page, its tags, its highlighted snippets). SQLite: LIKE matching on the same fields, same
shape and query count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import contains_eager, selectinload

from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.search import highlight
from supportdesk.search.schema import customers_sv, messages_sv, tickets_sv
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.queries import QueueFilter, queue_conditions

MAX_QUERY = 200
MAX_PAGE = 40  # ranked results are paged by offset; nobody reads past 1,000 of them
SEARCH_CAP = 20_000  # message hits ranked at most (a word found in most messages is no filter)
_NUMBER = re.compile(r"^#?(\d{1,9})$")
_WORD = re.compile(r"[\w@.+-]+")
# Score weights: a number is an exact hit; a subject hit beats a message hit beats a customer hit.
NUMBER_SCORE, SUBJECT_WEIGHT, MESSAGE_WEIGHT, CUSTOMER_SCORE = 100.0, 2.0, 1.0, 0.5
HEADLINE_OPTIONS = (
    f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=28, MinWords=10, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass
class SearchHit:
    """One ranked result: the ticket (customer, assignee, team, tags loaded) and its highlights."""

    ticket: Ticket
    score: float
    subject: Markup
    snippet: Markup | None = None


@dataclass
class SearchPage:
    """A page of ranked results and the total number of matching tickets."""

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # more messages matched than SEARCH_CAP: total is a lower bound
    page: int = 1
    per_page: int = 25

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total and self.page < MAX_PAGE


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
    if db.session.get_bind().dialect.name == "postgresql":
        _search_postgresql(result, organization_id, conditions)
    else:
        _search_fallback(result, organization_id, conditions)
    return result


def _number(q: str) -> int | None:
    match = _NUMBER.match(q)
    return int(match.group(1)) if match else None


def _page(scored, conditions: list, result: SearchPage) -> list[tuple[Ticket, float]]:
    """The page of tickets for a (ticket_id, score, source_rows) subquery, with the total.

    Filters, ranking and the limit apply to bare ticket rows first; only the page's rows are
    then joined to their customer, assignee and team (and their tags loaded: 2 queries).
    Equal scores go newest ticket first.
    """
    ranked = sa.select(
        scored.c.ticket_id,
        scored.c.score,
        sa.func.count().over().label("total"),
        sa.func.max(scored.c.source_rows).over().label("source_rows"),
    )
    # Every source is already scoped to the organization: without other filters the ranking
    # needs no ticket row at all (at 1M tickets that saves thousands of heap reads).
    if len(conditions) > 1:
        ranked = ranked.join(Ticket, Ticket.id == scored.c.ticket_id).where(*conditions)
    ranked = (
        ranked.order_by(scored.c.score.desc(), scored.c.ticket_id.desc())
        .limit(result.per_page)
        .offset((result.page - 1) * result.per_page)
        .subquery("ranked")
    )
    query = (
        sa.select(Ticket, ranked.c.score, ranked.c.total, ranked.c.source_rows)
        .join(ranked, ranked.c.ticket_id == Ticket.id)
        .join(Ticket.customer)
        .outerjoin(Ticket.assignee)
        .outerjoin(Ticket.team)
        .options(
            contains_eager(Ticket.customer),
            contains_eager(Ticket.assignee),
            contains_eager(Ticket.team),
            selectinload(Ticket.tag_rows),
        )
        .order_by(ranked.c.score.desc(), Ticket.id.desc())
    )
    rows = db.session.execute(query).unique().all()
    if rows:
        result.total = rows[0].total
        result.capped = (rows[0].source_rows or 0) > SEARCH_CAP
    return [(row[0], float(row.score)) for row in rows]


# -- PostgreSQL: tsvector + GIN -----------------------------------------------------------------


def _search_postgresql(result: SearchPage, organization_id: int, conditions: list) -> None:
    tsquery = sa.func.websearch_to_tsquery(sa.literal_column("'simple'::regconfig"), result.query)
    # A word in most messages would make every search rank them all: cap the message hits.
    in_messages = (
        sa.select(
            messages_sv.c.ticket_id,
            (sa.func.ts_rank(messages_sv.c.search_vector, tsquery) * MESSAGE_WEIGHT).label("score"),
        )
        .where(
            messages_sv.c.organization_id == organization_id,
            messages_sv.c.search_vector.op("@@")(tsquery),
        )
        .limit(SEARCH_CAP + 1)
        .subquery("in_messages")
    )
    sources = [
        sa.select(
            in_messages.c.ticket_id.label("ticket_id"),
            in_messages.c.score.label("score"),
            sa.func.count().over().label("source_rows"),
        ),
        sa.select(
            tickets_sv.c.id,
            sa.func.ts_rank(tickets_sv.c.search_vector, tsquery) * SUBJECT_WEIGHT,
            sa.literal(0),
        ).where(
            tickets_sv.c.organization_id == organization_id,
            tickets_sv.c.search_vector.op("@@")(tsquery),
        ),
        sa.select(Ticket.id, sa.literal(CUSTOMER_SCORE), sa.literal(0))
        .join(customers_sv, customers_sv.c.id == Ticket.customer_id)
        .where(
            Ticket.organization_id == organization_id,
            customers_sv.c.organization_id == organization_id,
            customers_sv.c.search_vector.op("@@")(tsquery),
        ),
    ]
    number = _number(result.query)
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
    rows = _page(scored, conditions, result)
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


# -- SQLite (and any other database): LIKE matching ---------------------------------------------


def _like(column, term: str):
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(f"%{escaped}%", escape="\\")


def _search_fallback(result: SearchPage, organization_id: int, conditions: list) -> None:
    terms = _WORD.findall(result.query.lower())[:8] or [result.query.lower()]
    in_message = sa.and_(
        *(
            sa.exists().where(
                Message.ticket_id == Ticket.id,
                Message.organization_id == organization_id,
                _like(Message.body_text, term),
            )
            for term in terms
        )
    )
    in_subject = sa.and_(*(_like(Ticket.subject, term) for term in terms))
    in_customer = sa.and_(
        *(sa.or_(_like(Customer.name, term), _like(Customer.email, term)) for term in terms)
    )
    number = _number(result.query)
    is_number = Ticket.number == number if number is not None else sa.false()
    score = (
        sa.case((is_number, NUMBER_SCORE), else_=0.0)
        + sa.case((in_subject, SUBJECT_WEIGHT), else_=0.0)
        + sa.case((in_message, MESSAGE_WEIGHT), else_=0.0)
        + sa.case((in_customer, CUSTOMER_SCORE), else_=0.0)
    )
    scored = (
        sa.select(
            Ticket.id.label("ticket_id"), score.label("score"), sa.literal(0).label("source_rows")
        )
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(
            Ticket.organization_id == organization_id,
            sa.or_(is_number, in_subject, in_message, in_customer),
        )
        .subquery("scored")
    )
    rows = _page(scored, conditions, result)
    if not rows:
        return
    ids = [ticket.id for ticket, _score in rows]
    snippets: dict[int, str] = {}
    for ticket_id, body in db.session.execute(
        sa.select(Message.ticket_id, Message.body_text)
        .where(
            Message.organization_id == organization_id,
            Message.ticket_id.in_(ids),
            sa.or_(*(_like(Message.body_text, term) for term in terms)),
        )
        .order_by(Message.ticket_id, Message.id)
    ):
        snippets.setdefault(ticket_id, highlight.excerpt(body, terms))
    for ticket, score in rows:
        snippet = snippets.get(ticket.id)
        result.hits.append(
            SearchHit(
                ticket,
                score,
                highlight.to_markup(highlight.mark_terms(ticket.subject, terms)),
                highlight.to_markup(snippet) if snippet else None,
            )
        )
