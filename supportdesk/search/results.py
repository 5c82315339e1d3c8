"""What both search implementations share: the result types, the weights, tags, and paging."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from supportdesk.db import PREPARED
from supportdesk.extensions import select_rows
from supportdesk.search.terms import Term
from supportdesk.tickets import rows
from supportdesk.tickets.models import Ticket, TicketTag

MAX_PAGE = 40  # ranked results are paged by offset; nobody reads past 1,000 of them
SEARCH_CAP = 20_000  # hits ranked at most per source (a word found almost everywhere is no filter)
# Score weights: a number is an exact hit; then subject, message, customer and tag hits.
NUMBER_SCORE, SUBJECT_WEIGHT, MESSAGE_WEIGHT, CUSTOMER_SCORE, TAG_SCORE = 100.0, 2.0, 1.0, 0.5, 0.5


@dataclass
class SearchHit:
    """One ranked result: the ticket (with its people, SLA and tags) and its highlights."""

    ticket: rows.QueueRow
    score: float
    subject: Markup
    snippet: Markup | None = None


@dataclass
class SearchPage:
    """A page of ranked results and the total number of matching tickets."""

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # a source matched more than SEARCH_CAP rows: total is a lower bound
    page: int = 1
    per_page: int = 25

    @property
    def total_label(self) -> str:
        """'1,234', or '20,001+' when a source stopped at its cap (the total is a lower bound)."""
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total and self.page < MAX_PAGE


def tagged(organization_id: int, parsed: list[Term]):
    """Ids of the tickets with, for every term, a tag containing it (or equal to a short one)."""
    per_term = [
        sa.select(TicketTag.ticket_id).where(
            TicketTag.organization_id == organization_id,
            TicketTag.name.like(term.like(), escape="\\")
            if term.partial
            else TicketTag.name == term.tag,
        )
        for term in parsed
    ]
    return per_term[0].distinct() if len(per_term) == 1 else sa.intersect(*per_term)


def page_statement(scored, conditions: list, *extra) -> sa.Select:
    """The statement of a page of tickets for a (ticket_id, score, source_rows) subquery, with
    the total and the `extra` (labelled) columns of each ticket; its page is bound as
    `per_page` and `offset` (read_page gives them).

    Filters, ranking and the limit apply to bare ticket rows first; only the page's rows are
    then read as QueueRows with their customer, assignee and team (and tags: 2 queries).
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
        .limit(sa.bindparam("per_page", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .subquery("ranked")
    )
    query = rows.queue_row_select(
        ranked.c.score, ranked.c.total, ranked.c.source_rows, *extra
    ).join(ranked, ranked.c.ticket_id == Ticket.id)
    query = query.order_by(ranked.c.score.desc(), Ticket.id.desc())
    if len(conditions) <= 1:
        # Without filters (the organization's only) the plan is the same for every word:
        # prepared (db.PREPARED), its generic plan measured as fast as a planned one or faster
        # for rare, common and combined words (benchmarks/README.md). A filter's plan depends
        # on how many tickets match: planned with its values, as the queue's.
        query = query.execution_options(**PREPARED)
    return query


def read_page(
    organization_id: int, statement: sa.Select, params: dict, result: SearchPage
) -> list[tuple[rows.QueueRow, float, sa.Row]]:
    """The page_statement's rows for `result`'s page (with their tags), and its total: each
    ticket, its score and its row (whose `extra` columns are read by their labels)."""
    page_params = {"per_page": result.per_page, "offset": (result.page - 1) * result.per_page}
    found = select_rows(statement, {**params, **page_params}).all()
    if found:
        result.total = found[0].total
        result.capped = (found[0].source_rows or 0) > SEARCH_CAP
    page = [(rows.queue_row(r), float(r.score), r) for r in found]
    rows.attach_tags(organization_id, [row for row, _score, _row in page])
    return page
