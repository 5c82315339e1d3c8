"""Ticket reads for the console: queues with filters and keyset pagination, counts, one ticket.

Every function takes the organization id and filters on it. Each costs a fixed number of SQL
queries whatever the page size (relationships are eager-loaded explicitly; lazy loads raise).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from supportdesk.accounts.models import User
from supportdesk.customers.models import Customer
from supportdesk.db import PREPARED, UTCDateTime, fixed_rows, utcnow
from supportdesk.errors import NotFound
from supportdesk.extensions import db, select_rows
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.sla.models import TicketSla
from supportdesk.tickets import rows
from supportdesk.tickets.cursors import decode_cursor, encode_cursor
from supportdesk.tickets.errors import TicketNotFound
from supportdesk.tickets.models import (
    ACTIVE_STATUSES,
    Message,
    Priority,
    Status,
    Ticket,
    TicketCount,
    TicketEvent,
    TicketTag,
)

# Named queues shown in the sidebar: (key, label).
QUEUES = [
    ("mine", _l("My open tickets")),
    ("unassigned", _l("Unassigned")),
    ("breaching", _l("Breaching soon")),
    ("breached", _l("Breached")),
    ("open", _l("All open")),
    ("pending", _l("Pending")),
    ("resolved", _l("Resolved")),
    ("closed", _l("Closed")),
    ("all", _l("All tickets")),
]
QUEUE_LABELS = dict(QUEUES)
# Sidebar counts stop here ("10,000+"): past it, an exact number costs a scan and helps nobody.
COUNT_CAP = 10_000

# Sort keys offered to agents: key -> (label, column). Each sort also breaks ties by id.
SORTS = {
    "updated": (_l("Last update"), Ticket.updated_at),
    "created": (_l("Created"), Ticket.created_at),
    "priority": (_l("Priority"), Ticket.priority),
    "number": (_l("Number"), Ticket.number),
}


@dataclass
class QueueFilter:
    """What an agent asked to see: a named queue narrowed by optional filters."""

    queue: str = "open"
    statuses: list[Status] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    assignee_id: int | None = None  # 0 means "unassigned"
    team_id: int | None = None
    tag: str | None = None
    customer_id: int | None = None
    updated_since: dt.datetime | None = None
    # Report drill-downs: channel, customer tier, and local days (inclusive) of creation and of
    # solution (resolved_at), in the time zone `zone` (the organization's).
    channel: str | None = None
    tier: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    solved_from: dt.date | None = None
    solved_to: dt.date | None = None
    zone: str = "UTC"
    sort: str = "updated"
    descending: bool = True
    # Conditions on custom fields (supportdesk.fields.filters.FieldFilter).
    fields: list = field(default_factory=list)


@dataclass
class QueuePage:
    """One page of a queue and the cursors to its neighbours."""

    tickets: list[Ticket]
    next_cursor: str | None
    prev_cursor: str | None


def _sla_flags(now: dt.datetime, sla) -> tuple:
    """SQL expressions on a ticket_slas alias: the clock is past due / past its warning."""
    breached = sa.or_(sla.first_response_due_at <= now, sla.resolution_due_at <= now)
    near = sa.and_(
        sa.not_(sa.func.coalesce(breached, False)),
        sa.or_(sla.first_response_warn_at <= now, sla.resolution_warn_at <= now),
    )
    return breached, near


def _sla_state(organization_id, state: str, now=None) -> sa.Exists:
    """Whether the ticket's SLA clock is "breached" or "breaching" (near its due time) `now`.

    An EXISTS on an alias, so it works whether or not the outer query joins ticket_slas.
    `organization_id` and `now` may be values or bind parameters.
    """
    sla = aliased(TicketSla)
    breached, near = _sla_flags(utcnow() if now is None else now, sla)
    return sa.exists().where(
        sla.ticket_id == Ticket.id,
        sla.organization_id == organization_id,
        breached if state == "breached" else near,
    )


def queue_conditions(organization_id: int, user_id: int, f: QueueFilter) -> list:
    """The WHERE conditions of a queue and its filters (shared with search)."""
    conditions = [Ticket.organization_id == organization_id]
    active = list(ACTIVE_STATUSES)
    if f.queue == "mine":
        conditions += [Ticket.assignee_id == user_id, Ticket.status.in_(active)]
    elif f.queue == "unassigned":
        conditions += [Ticket.assignee_id.is_(None), Ticket.status.in_(active)]
    elif f.queue == "open":
        conditions.append(Ticket.status.in_(active))
    elif f.queue in ("breaching", "breached"):
        conditions += [Ticket.status.in_(active), _sla_state(organization_id, f.queue)]
    elif f.queue in ("pending", "resolved", "closed"):
        conditions.append(Ticket.status == Status(f.queue))
    if f.statuses:
        conditions.append(Ticket.status.in_(f.statuses))
    if f.priorities:
        conditions.append(Ticket.priority.in_(f.priorities))
    if f.assignee_id == 0:
        conditions.append(Ticket.assignee_id.is_(None))
    elif f.assignee_id:
        conditions.append(Ticket.assignee_id == f.assignee_id)
    if f.team_id:
        conditions.append(Ticket.team_id == f.team_id)
    if f.customer_id:
        conditions.append(Ticket.customer_id == f.customer_id)
    if f.updated_since is not None:
        conditions.append(Ticket.updated_at >= f.updated_since)
    if f.channel:
        conditions.append(Ticket.channel == f.channel)
    if f.tier:
        conditions.append(
            sa.exists().where(
                Customer.id == Ticket.customer_id,
                Customer.organization_id == organization_id,
                Customer.tier == f.tier,
            )
        )
    conditions += _day_range(Ticket.created_at, f.created_from, f.created_to, f.zone)
    conditions += _day_range(Ticket.resolved_at, f.solved_from, f.solved_to, f.zone)
    if f.tag:
        conditions.append(
            sa.exists().where(
                TicketTag.ticket_id == Ticket.id,
                TicketTag.organization_id == organization_id,
                TicketTag.name == f.tag,
            )
        )
    if f.fields:
        from supportdesk.fields.filters import field_conditions

        conditions += field_conditions(f.fields)
    return conditions


def _day_range(column, first: dt.date | None, last: dt.date | None, zone: str) -> list:
    """`column` within local days first…last (inclusive) of `zone`."""
    from supportdesk.reports.metrics import day_start

    out = []
    if first is not None:
        out.append(column >= day_start(first, zone))
    if last is not None:
        out.append(column < day_start(last + dt.timedelta(days=1), zone))
    return out


@dataclass
class _Keyset:
    """The WHERE and ORDER BY of one page of a queue, and how to turn its rows into a page."""

    conditions: list
    order: tuple
    backwards: bool
    boundary: tuple | None
    descending: bool = True
    sort: str = "updated"  # the SORTS key

    @property
    def sort_key(self) -> str:
        """The row attribute a cursor records: the sort's column."""
        return SORTS[self.sort][1].key

    def page(self, rows: list, per_page: int) -> QueuePage:
        """The page of `rows` (fetched with LIMIT per_page + 1) with its neighbours' cursors."""
        has_more = len(rows) > per_page
        rows = rows[:per_page]
        if self.backwards:
            rows.reverse()

        def cursor(t) -> str:
            return encode_cursor(getattr(t, self.sort_key), t.id)

        if self.backwards:
            next_cursor = cursor(rows[-1]) if rows else None
            prev_cursor = cursor(rows[0]) if rows and has_more else None
        else:
            next_cursor = cursor(rows[-1]) if rows and has_more else None
            prev_cursor = cursor(rows[0]) if rows and self.boundary is not None else None
        return QueuePage(rows, next_cursor, prev_cursor)


def _paging(f: QueueFilter, after: str | None, before: str | None) -> _Keyset:
    """Where a queue page starts and which way it walks, from its cursors (no conditions yet)."""
    sort = f.sort if f.sort in SORTS else "updated"
    backwards = False
    boundary = None
    if before:
        boundary = decode_cursor(before, sort)
        backwards = boundary is not None
    if not backwards and after:
        boundary = decode_cursor(after, sort)
    # Walking backwards flips the order; the page is reversed again by _Keyset.page.
    descending = f.descending != backwards
    return _Keyset([], (), backwards, boundary, descending, sort)


def _page_order(sort: str, descending: bool, value, ticket_id) -> tuple[list, tuple]:
    """The condition past a cursor's (value, ticket_id), if any, and the ORDER BY of a page."""
    label_col = SORTS[sort][1]
    conditions = []
    if value is not None:
        if descending:
            conditions.append(
                sa.or_(label_col < value, sa.and_(label_col == value, Ticket.id < ticket_id))
            )
        else:
            conditions.append(
                sa.or_(label_col > value, sa.and_(label_col == value, Ticket.id > ticket_id))
            )
    order = (label_col.desc(), Ticket.id.desc()) if descending else (label_col, Ticket.id)
    return conditions, order


def _keyset(
    organization_id: int, user_id: int, f: QueueFilter, after: str | None, before: str | None
) -> _Keyset:
    keyset = _paging(f, after, before)
    value, ticket_id = keyset.boundary if keyset.boundary is not None else (None, None)
    past, keyset.order = _page_order(keyset.sort, keyset.descending, value, ticket_id)
    keyset.conditions = queue_conditions(organization_id, user_id, f) + past
    return keyset


def list_queue(
    organization_id: int,
    user_id: int,
    f: QueueFilter,
    *,
    per_page: int = 25,
    after: str | None = None,
    before: str | None = None,
) -> QueuePage:
    """A page of tickets for a queue, with customer, assignee, team and tags loaded (2 queries)."""
    keyset = _keyset(organization_id, user_id, f, after, before)
    query = (
        sa.select(Ticket)
        .join(Ticket.customer)
        .outerjoin(Ticket.assignee)
        .outerjoin(Ticket.team)
        .outerjoin(Ticket.sla)
        .options(
            contains_eager(Ticket.customer),
            contains_eager(Ticket.assignee),
            contains_eager(Ticket.team),
            contains_eager(Ticket.sla),
            selectinload(Ticket.tag_rows),
            selectinload(Ticket.merged_into),  # no query when none of the page was merged
        )
        .where(*keyset.conditions)
        .order_by(*keyset.order)
        .limit(per_page + 1)
    )
    return keyset.page(list(db.session.scalars(query).unique()), per_page)


def list_queue_rows(
    organization_id: int,
    user_id: int,
    f: QueueFilter,
    *,
    per_page: int = 25,
    after: str | None = None,
    before: str | None = None,
    custom_fields: bool = False,
) -> QueuePage:
    """list_queue for the console: the same page as QueueRows, only the columns it shows.

    Reading ~25 rows as tuples instead of building ~100 ORM objects (tickets, customers,
    agents, teams, tags) is most of the difference between the two. 2 queries, whatever the
    number of custom field columns (`custom_fields`: read the values in the same query).
    """
    if _plans_alike(f):
        # A named queue: its statement is built once per shape, its values bound.
        keyset = _paging(f, after, before)
        query = _named_queue_statement(
            f.queue, keyset.sort, keyset.descending, keyset.boundary is not None, custom_fields
        )
        params = {"organization_id": organization_id, "user_id": user_id, "limit": per_page + 1}
        if keyset.boundary is not None:
            params["boundary_value"], params["boundary_id"] = keyset.boundary
    else:
        keyset = _keyset(organization_id, user_id, f, after, before)
        extra = (Ticket.custom_fields,) if custom_fields else ()
        query = (
            rows.queue_row_select(*extra)
            .where(*keyset.conditions)
            .order_by(*keyset.order)
            .limit(per_page + 1)
        )
        params = None
    found = [rows.queue_row(r, with_fields=custom_fields) for r in select_rows(query, params)]
    rows.attach_tags(organization_id, found)
    return keyset.page(found, per_page)


def queue_counts(
    organization_id: int, user_id: int, shown: QueueFilter | None = None
) -> dict[str, int]:
    """Ticket counts for every sidebar queue, in one query.

    The queues defined by status and assignee add up rows of `ticket_counts`, which database
    triggers keep exact in the transaction of every ticket change (migration 0015): a few rows
    read, whatever the number of tickets. The SLA queues depend on the time, not only on the rows:
    each is counted as an index scan stopped after COUNT_CAP + 1 tickets ("10,000+").
    With `shown`, the same query also counts that filtered queue (key "shown"): a plain named
    queue is the sidebar's number, a queue narrowed by filters is counted like the SLA queues.
    """
    narrowed = shown is not None and _is_narrowed(shown)
    # The statement is built once: building and hashing it cost more than running it.
    statement = (
        _counts_statement(COUNT_CAP, queue_conditions(organization_id, user_id, shown))
        if narrowed
        else _plain_counts_statement(COUNT_CAP)
    )
    row = select_rows(
        statement, {"organization_id": organization_id, "user_id": user_id, "now": utcnow()}
    ).one()
    counts = {key: int(value) for key, value in row._mapping.items()}
    if shown is not None and not narrowed:
        counts["shown"] = counts.get(shown.queue, counts["all"])
    return counts


@functools.cache
def _plain_counts_statement(cap: int) -> sa.Select:
    return _counts_statement(cap).execution_options(**PREPARED)


@functools.lru_cache(maxsize=256)
def _named_queue_statement(
    queue: str, sort: str, descending: bool, past_cursor: bool, custom_fields: bool
) -> sa.Select:
    """The page statement of a named queue (_plans_alike), built once per shape and prepared:
    building and hashing a five-table SELECT cost more than running it. Bind parameters:
    organization_id, user_id, limit; boundary_value and boundary_id when `past_cursor`."""
    value = ticket_id = None
    if past_cursor:
        value = sa.bindparam("boundary_value", type_=SORTS[sort][1].type)
        ticket_id = sa.bindparam("boundary_id", type_=sa.Integer)
    past, order = _page_order(sort, descending, value, ticket_id)
    conditions = queue_conditions(
        sa.bindparam("organization_id"), sa.bindparam("user_id"), QueueFilter(queue=queue)
    )
    extra = (Ticket.custom_fields,) if custom_fields else ()
    return (
        rows.queue_row_select(*extra)
        .where(*conditions, *past)
        .order_by(*order)
        .limit(fixed_rows("limit"))
        .execution_options(**PREPARED)
    )


def _plans_alike(f: QueueFilter) -> bool:
    """Whether every page of this queue has the same best plan, whatever the values: a named
    queue by status or assignee, unnarrowed (the sort's or the organization's index, walked in
    order until the page is full). Such pages run as prepared statements (db.PREPARED); a
    filter's or an SLA state's plan depends on how many tickets match, so it is planned anew."""
    return not _is_narrowed(f) and f.queue not in ("breaching", "breached")


def _counts_statement(cap: int, shown_conditions: list | None = None) -> sa.Select:
    """The counts query on bind parameters organization_id, user_id and now."""
    c = TicketCount
    organization_id = sa.bindparam("organization_id")
    user_id = sa.bindparam("user_id")
    now = sa.bindparam("now", type_=UTCDateTime)
    active = [s.value for s in ACTIVE_STATUSES]

    def total(*where):
        return sa.func.coalesce(sa.func.sum(c.tickets).filter(*where), 0)

    def capped(where: list):
        rows = (
            sa.select(Ticket.id)
            .where(Ticket.organization_id == organization_id, *where)
            .limit(fixed_rows(cap + 1))
            .subquery()
        )
        return sa.select(sa.func.count()).select_from(rows).scalar_subquery()

    def sla_queue(state: str):
        return capped([Ticket.status.in_(active), _sla_state(organization_id, state, now)])

    columns = {
        "mine": total(c.assignee_id == user_id, c.status.in_(active)),
        "unassigned": total(c.assignee_id == 0, c.status.in_(active)),
        "breaching": sla_queue("breaching"),
        "breached": sla_queue("breached"),
        "open": total(c.status.in_(active)),
        "pending": total(c.status == Status.PENDING.value),
        "resolved": total(c.status == Status.RESOLVED.value),
        "closed": total(c.status == Status.CLOSED.value),
        "all": sa.func.coalesce(sa.func.sum(c.tickets), 0),
    }
    if shown_conditions is not None:
        columns["shown"] = capped(shown_conditions)
    return sa.select(*(column.label(key) for key, column in columns.items())).where(
        c.organization_id == organization_id
    )


def filtered_counts(
    organization_id: int, user_id: int, filters: dict[int, QueueFilter], counts: dict[str, int]
) -> dict[int, int]:
    """Counts of several queues at once (saved views), keyed as `filters` is: a plain named
    queue is its sidebar number from `counts` (queue_counts), the narrowed ones are counted
    like the SLA queues (an index scan stopped after COUNT_CAP + 1), all in one query."""
    out = {
        key: counts.get(f.queue, counts["all"]) for key, f in filters.items() if not _is_narrowed(f)
    }
    narrowed = {key: f for key, f in filters.items() if _is_narrowed(f)}
    if not narrowed:
        return out

    def capped(f: QueueFilter):
        found = (
            sa.select(Ticket.id)
            .where(*queue_conditions(organization_id, user_id, f))
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        return sa.select(sa.func.count()).select_from(found).scalar_subquery()

    keys = list(narrowed)
    row = db.session.execute(sa.select(*(capped(narrowed[k]).label(f"v{k}") for k in keys))).one()
    out.update({key: int(value) for key, value in zip(keys, row, strict=True)})
    return out


def _is_narrowed(f: QueueFilter) -> bool:
    """Whether a queue filter narrows its named queue (then its count is a count of tickets)."""
    return bool(
        f.statuses
        or f.priorities
        or f.assignee_id is not None
        or f.team_id
        or f.tag
        or f.customer_id
        or f.updated_since is not None
        or f.channel
        or f.tier
        or f.created_from
        or f.created_to
        or f.solved_from
        or f.solved_to
        or f.fields
    )


def count_label(n: int) -> str:
    """'1,234', or '10,000+' past the cap of queue_counts."""
    return f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"


def get_ticket(organization_id: int, number: int) -> Ticket:
    """A ticket by its per-organization number, for writes (only its tags loaded)."""
    ticket = db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.organization_id == organization_id, Ticket.number == number)
        .options(selectinload(Ticket.tag_rows))
    )
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


@dataclass
class TicketPage:
    """Everything the ticket page shows: the ticket (people, SLA, tags), conversation, history.

    Read with them, whether the page's other reads would find anything (each an EXISTS probe of
    the index those reads use, in the same statements): the agent's draft, an answered rating,
    outbound mail of the ticket, and which messages came in by email or have attachments. The
    page runs only the reads that will find rows; a ticket with none of them costs 5 fewer
    statements, one with all of them as many as before.
    """

    ticket: Ticket
    messages: list[rows.MessageRow]
    events: list[rows.EventRow]
    has_draft: bool = True
    has_rating: bool = True
    has_emails: bool = True
    messages_with_mail: list[int] = field(default_factory=list)
    messages_with_files: list[int] = field(default_factory=list)
    # The ticket's tags by name, as `ticket.tags` (on PostgreSQL read with the ticket, and
    # `ticket.tag_rows` not loaded: use these).
    tags: list[str] = field(default_factory=list)


@functools.cache
def _ticket_page_statements(dialect: str = "postgresql") -> tuple:
    """The ticket page's statements on bind parameters, built once per dialect (building costs
    more than running them). On PostgreSQL the tags come with the ticket (an ordered array of
    names), elsewhere as the ticket's tag rows (a second statement)."""
    from supportdesk.attachments.queries import files_exist
    from supportdesk.composer.service import draft_exists
    from supportdesk.mail.inbound.queries import mail_exists
    from supportdesk.mail.outbound.queries import badges_exist
    from supportdesk.satisfaction.service import rating_exists

    organization_id, number = sa.bindparam("organization_id"), sa.bindparam("number")
    ticket_id = sa.bindparam("ticket_id")
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg

        tags = (
            sa.select(array_agg(aggregate_order_by(TicketTag.name, TicketTag.name)))
            .where(
                TicketTag.organization_id == Ticket.organization_id,
                TicketTag.ticket_id == Ticket.id,
            )
            .scalar_subquery()
        )
        tag_loading = ()
    else:
        tags, tag_loading = sa.null(), (selectinload(Ticket.tag_rows),)
    ticket = (
        sa.select(
            Ticket,
            draft_exists(Ticket.organization_id, Ticket.id, sa.bindparam("user_id")).label(
                "has_draft"
            ),
            rating_exists(Ticket.organization_id, Ticket.id).label("has_rating"),
            badges_exist(Ticket.organization_id, Ticket.id).label("has_emails"),
            tags.label("tag_names"),
        )
        .where(Ticket.organization_id == organization_id, Ticket.number == number)
        .options(
            joinedload(Ticket.customer),
            joinedload(Ticket.assignee),
            joinedload(Ticket.team),
            joinedload(Ticket.sla),
            *tag_loading,
            selectinload(Ticket.merged_into),  # no query unless it was merged
        )
    )
    messages = (
        sa.select(
            *rows.MESSAGE_COLUMNS,
            mail_exists(Message.organization_id, Message.id).label("has_mail"),
            files_exist(Message.organization_id, Message.id).label("has_files"),
        )
        .outerjoin(User, User.id == Message.author_user_id)
        .outerjoin(Customer, Customer.id == Message.author_customer_id)
        .where(Message.organization_id == organization_id, Message.ticket_id == ticket_id)
        # Time order: a merge moves older messages in with higher ids than the ticket's own.
        .order_by(Message.created_at, Message.id)
    )
    events = (
        sa.select(*rows.EVENT_COLUMNS)
        .outerjoin(User, User.id == TicketEvent.actor_user_id)
        .outerjoin(Customer, Customer.id == TicketEvent.actor_customer_id)
        .where(TicketEvent.organization_id == organization_id, TicketEvent.ticket_id == ticket_id)
        .order_by(TicketEvent.id)
    )
    return tuple(s.execution_options(**PREPARED) for s in (ticket, messages, events))


def ticket_page(organization_id: int, number: int, user_id: int = 0) -> TicketPage:
    """A ticket with everything its page shows: the ticket as an ORM object with its people and
    SLA (the property form needs it), its tags, the conversation and history as rows with their
    authors' names (3 queries on PostgreSQL, 4 elsewhere), and what the page's other reads would
    find (TicketPage; `user_id`: whose draft)."""
    dialect = db.session.get_bind().dialect.name
    ticket_stmt, messages_stmt, events_stmt = _ticket_page_statements(dialect)
    found = db.session.execute(
        ticket_stmt, {"organization_id": organization_id, "number": number, "user_id": user_id}
    ).first()
    if found is None:
        raise TicketNotFound(number)
    ticket = found[0]
    params = {"organization_id": organization_id, "ticket_id": ticket.id}
    messages, with_mail, with_files = [], [], []
    for r in select_rows(messages_stmt, params):
        messages.append(rows.message_row(r))
        if r.has_mail:
            with_mail.append(r.id)
        if r.has_files:
            with_files.append(r.id)
    events = [rows.event_row(r) for r in select_rows(events_stmt, params)]
    return TicketPage(
        ticket,
        messages,
        events,
        has_draft=bool(found.has_draft),
        has_rating=bool(found.has_rating),
        has_emails=bool(found.has_emails),
        messages_with_mail=with_mail,
        messages_with_files=with_files,
        tags=list(found.tag_names or ()) if dialect == "postgresql" else ticket.tags,
    )


def get_ticket_detail(organization_id: int, number: int) -> Ticket:
    """A ticket with its customer, assignee, team and tags (no conversation), in two queries."""
    ticket = db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.organization_id == organization_id, Ticket.number == number)
        .options(
            joinedload(Ticket.customer),
            joinedload(Ticket.assignee),
            joinedload(Ticket.team),
            selectinload(Ticket.tag_rows),
            selectinload(Ticket.merged_into),
        )
    )
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


def list_messages(
    organization_id: int, ticket_id: int, *, after_id: int = 0, limit: int = 100
) -> tuple[list[Message], bool]:
    """A page of a ticket's conversation, oldest first, with authors; returns (rows, has_more).

    Ordered by time, then id (a merge brings older messages with higher ids); `after_id` is the
    last message of the previous page, and the page goes on after its place in that order.
    """
    conditions = [Message.organization_id == organization_id, Message.ticket_id == ticket_id]
    if after_id:
        at = (
            sa.select(Message.created_at)
            .where(Message.organization_id == organization_id, Message.id == after_id)
            .scalar_subquery()
        )
        conditions.append(
            sa.or_(
                Message.created_at > at,
                sa.and_(Message.created_at == at, Message.id > after_id),
                # A cursor whose message is gone (moved away, deleted) goes on by id.
                sa.and_(at.is_(None), Message.id > after_id),
            )
        )
    rows = list(
        db.session.scalars(
            sa.select(Message)
            .where(*conditions)
            .options(joinedload(Message.author_user), joinedload(Message.author_customer))
            .order_by(Message.created_at, Message.id)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def get_message(organization_id: int, ticket_id: int, message_id: int) -> Message:
    """One message of a ticket, with its author; NotFound when the ticket has no such message."""
    message = db.session.scalar(
        sa.select(Message)
        .where(
            Message.organization_id == organization_id,
            Message.ticket_id == ticket_id,
            Message.id == message_id,
        )
        .options(joinedload(Message.author_user), joinedload(Message.author_customer))
    )
    if message is None:
        raise NotFound("This ticket has no such message.")
    return message


def message_counts(organization_id: int, ticket_ids: list[int]) -> dict[int, int]:
    """How many messages each ticket holds (0 for none), in one query."""
    counts = dict.fromkeys(ticket_ids, 0)
    counts.update(
        db.session.execute(
            sa.select(Message.ticket_id, sa.func.count())
            .where(Message.organization_id == organization_id, Message.ticket_id.in_(ticket_ids))
            .group_by(Message.ticket_id)
        ).all()
    )
    return counts


def list_events(
    organization_id: int, ticket_id: int, *, after_id: int = 0, limit: int = 100
) -> tuple[list[TicketEvent], bool]:
    """A page of a ticket's history, oldest first, with actors; returns (rows, has_more)."""
    rows = list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(
                TicketEvent.organization_id == organization_id,
                TicketEvent.ticket_id == ticket_id,
                TicketEvent.id > after_id,
            )
            .options(joinedload(TicketEvent.actor_user), joinedload(TicketEvent.actor_customer))
            .order_by(TicketEvent.id)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def customer_tickets(
    organization_id: int, customer_id: int, *, exclude_id: int | None = None, limit: int = 10
) -> list[sa.Row]:
    """The customer's most recent tickets (for the ticket and customer pages), as rows of
    id, number, subject, status, priority and created_at."""
    params = {
        "organization_id": organization_id,
        "customer_id": customer_id,
        "exclude_id": exclude_id or 0,  # ids start at 1: 0 excludes nothing
        "limit": limit,
    }
    return list(select_rows(_customer_tickets_statement(), params))


@functools.cache
def _customer_tickets_statement() -> sa.Select:
    # Built once: building a statement costs more than running this one.
    return (
        sa.select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.created_at,
        )
        .where(
            Ticket.organization_id == sa.bindparam("organization_id"),
            Ticket.customer_id == sa.bindparam("customer_id"),
            Ticket.id != sa.bindparam("exclude_id"),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(fixed_rows("limit"))
        .execution_options(**PREPARED)
    )
