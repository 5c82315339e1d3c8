"""Database platform pieces: the declarative base, naming convention and portable column types."""

from __future__ import annotations

import datetime as dt
import enum
import select
import time
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint, so Alembic can alter them."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# Execution options of a statement to prepare on the server and run on a generic plan: the
# console's hot reads whose best plan does not depend on the values (config.database_engine_options
# says why and when). `statement.execution_options(**PREPARED)`; nothing else is ever prepared.
PREPARED = {"prepared": True}
_READ_ONLY = "supportdesk.read_only"  # key in a connection's info: its transaction only read


def fixed_rows(count: int | str) -> sa.BindParameter:
    """A LIMIT or OFFSET written into the statement's text rather than sent as a parameter
    (`count`: the number, or the name of a parameter of a statement built once).

    A prepared statement's generic plan knows no parameter's value: with LIMIT $1 PostgreSQL
    assumes a tenth of the matching rows are wanted, and at a million tickets it planned a page
    of 26 as a parallel scan (45 ms instead of 0.2). Written in, the number is planned for; each
    different number is another statement, so use it for the few sizes a page asks for.
    """
    if isinstance(count, str):
        return sa.bindparam(count, type_=sa.Integer, literal_execute=True)
    return sa.literal(count, sa.Integer, literal_execute=True)


@sa.event.listens_for(PGDialect_psycopg, "do_execute")
def _execute_prepared(cursor, statement, parameters, context) -> bool | None:
    """Run a statement marked PREPARED as a prepared statement (psycopg keeps it per connection).

    With prepared statements switched off (prepare_threshold None) psycopg plans it as any other.

    Outside a transaction, the marked read runs on its own (autocommit) rather than opening one:
    a read-only page whose reads are all marked then costs no BEGIN and no COMMIT, two round
    trips of its six or seven. It reads what it would have read as a transaction's first
    statement: at READ COMMITTED each statement takes its own snapshot. Inside a transaction
    (after a write, a lock, a SAVEPOINT) or at another isolation level it runs in the
    transaction, as any statement.
    """
    if not context.execution_options.get("prepared"):
        return None  # SQLAlchemy's own cursor.execute
    connection = cursor.connection
    on_its_own = (
        not connection.autocommit
        and connection.isolation_level in (None, psycopg.IsolationLevel.READ_COMMITTED)
        and connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    )
    if on_its_own:
        connection.autocommit = True  # an attribute: nothing is sent to the server
    try:
        cursor.execute(statement, parameters, prepare=True)
    finally:
        if on_its_own:
            connection.autocommit = False
    return True


@sa.event.listens_for(sa.Engine, "begin")
def _transaction_begins(conn: sa.Connection) -> None:
    conn.info[_READ_ONLY] = True


@sa.event.listens_for(sa.Engine, "before_cursor_execute")
def _statement_runs(conn, cursor, statement: str, parameters, context, executemany) -> None:
    # Anything but a plain SELECT may write (a WITH can hold an UPDATE); SELECTs here call no
    # function whose effect a commit would keep and a rollback undo.
    if executemany or statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_READ_ONLY] = False


@sa.event.listens_for(sa.Engine, "rollback")
def _end_reads_with_commit(conn: sa.Connection) -> None:
    """End a transaction that only read with COMMIT rather than ROLLBACK (the same for it).

    psycopg forgets every prepared statement of a connection when a transaction rolls back
    (rollback may have undone what they referred to), so the console's read-only requests,
    which Flask-SQLAlchemy ends with a rollback, would prepare their statements anew each time.
    Committing such a transaction keeps them; SQLAlchemy's rollback then finds nothing to do.
    Only where statements are prepared (psycopg with config.NEVER_BY_COUNT), and only in a
    transaction in good standing.
    """
    if not conn.info.get(_READ_ONLY) or conn.dialect.driver != "psycopg":
        return
    dbapi = conn.connection.dbapi_connection
    if (
        dbapi is not None
        and dbapi.prepare_threshold is not None
        and dbapi.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    ):
        dbapi.commit()


# A pooled connection idle longer than this is pinged before it is lent (a server or network
# that went away silently); a fresher one only has its socket checked (a restart closes it).
PING_AFTER_IDLE_SECONDS = 30.0
_IDLE_SINCE = "supportdesk.idle_since"  # key in a pooled connection's record info


@sa.event.listens_for(sa.pool.Pool, "checkin")
def _connection_returns(dbapi_connection, record) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


@sa.event.listens_for(sa.pool.Pool, "checkout")
def _lend_only_live_connections(dbapi_connection, record, proxy) -> None:
    """Refuse a dead PostgreSQL connection before a request uses it; the pool then opens another.

    Replaces `pool_pre_ping`, which costs every request a round trip to the server. An idle
    connection's socket has nothing to read; the server restarting, or ending the backend,
    sends a message and closes it, which a zero-timeout poll sees without a round trip. A
    connection idle for longer than PING_AFTER_IDLE_SECONDS is pinged as before: a network that
    dropped it silently leaves nothing to read (tests/test_database_restart.py).
    """
    if not isinstance(dbapi_connection, psycopg.Connection):
        return
    if dbapi_connection.closed or select.select([dbapi_connection.fileno()], [], [], 0)[0]:
        raise sa.exc.DisconnectionError("the server closed the connection")
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
        # Outside a transaction, as SQLAlchemy's own ping: a rollback would make psycopg forget
        # the connection's prepared statements.
        try:
            dbapi_connection.autocommit = True
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.autocommit = False
        except psycopg.Error as error:
            raise sa.exc.DisconnectionError("the connection no longer answers") from error


@sa.event.listens_for(sa.Engine, "handle_error")
def _explain_refused_startup_option(context) -> None:
    """PgBouncer (transaction pooling) refuses the startup option that prepared statements
    bring: say what to set instead of its one-line refusal."""
    if "unsupported startup parameter" in str(context.original_exception):
        from supportdesk.config import ConfigurationError

        raise ConfigurationError(
            "The database server refused a connection option: supportdesk prepares its "
            "frequent reads, which a connection pooler such as PgBouncer before 1.21 cannot "
            "keep. Set SUPPORTDESK_DATABASE_PREPARED_STATEMENTS=false when "
            "SUPPORTDESK_DATABASE_URL points at PgBouncer (the server said: "
            f"{str(context.original_exception).strip()})."
        ) from context.original_exception


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime (the only clock the domain reads)."""
    return dt.datetime.now(dt.UTC)


def touch_if_changed(row: Any) -> bool:
    """Move `row.updated_at` to now if the row is new or holds an unsaved change; say whether.

    Assigning a value equal to the stored one is no change (SQLAlchemy compares them), so a form
    saved unchanged leaves the row, its timestamp and its follow-up work alone.
    """
    state = sa.inspect(row)
    if not (state.transient or state.pending) and not any(
        attr.history.has_changes() for attr in state.attrs
    ):
        return False
    row.updated_at = utcnow()
    return True


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores `timestamptz`; SQLite keeps no zone, so values are normalised to UTC on the
    way in and marked UTC on the way out. Naive datetimes are refused: they are always a bug.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A string column restricted to an enum's values by a CHECK constraint (portable, no native type)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
    )
