"""Reads that may come from a PostgreSQL streaming replica, while every agent reads their own writes.

`SUPPORTDESK_DATABASE_REPLICA_URL` names a hot standby of the primary. A read-only view whose
answer may be a moment old (search today; reports and exports as they come) is wrapped in
`reads_replica`, or runs its queries inside `replica_reads(reader_id)`: the session then sends
those SELECTs to the replica. Every write, and every other read, uses the primary.

An agent always reads their own writes. After a request in which the session wrote, the
primary's WAL insert position (a log sequence number at or past that request's commits) is
recorded for the agent: in Redis, keeping the highest, so every web process sees it (process
memory without Redis). A replica read first asks the standby how far it has replayed
(`pg_last_wal_replay_lsn()`); until it has passed the agent's last position, that agent reads
the primary. Other agents read the replica meanwhile, a moment stale.

It falls back to the primary, never to an error, when: no replica is configured; the session
wrote earlier in the same request; the agent's last write is not replayed yet; the replica does
not answer; Redis does not answer (the agent's position is then unknown).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g
from flask_login import current_user
from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WROTE = "supportdesk.wrote"  # session.info: this session flushed or ran DML since it began
READS = "supportdesk.replica_reads"  # session.info: the open replica_reads block

# Positions as byte offsets (bigint), so Redis and Python compare them as numbers.
PRIMARY_POSITION = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint"
# NULL when the server is not a standby (it then holds everything it has committed).
REPLAYED_POSITION = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint"

# Per primary database (a hash of its URL): installations sharing a Redis, or a test run's
# throwaway clusters, never read each other's positions.
LSN_KEY = "supportdesk:replica:{}:written:{}"
LSN_TTL_SECONDS = 86400  # a standby a day behind is broken; its readers' positions may go
_KEEP_HIGHEST = """
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > old then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
"""


class PositionStore:
    """Each agent's last write position: in Redis (shared by every web process), or in memory."""

    def __init__(self, redis: Redis | None, namespace: str = "") -> None:
        self.redis = redis
        self.namespace = namespace
        self._memory: dict[int, int] = {}
        self._lock = threading.Lock()
        self._keep_highest = redis.register_script(_KEEP_HIGHEST) if redis else None

    def record(self, user_id: int, position: int) -> None:
        """Remember `position` for the agent unless a later one is already known."""
        if self._keep_highest is not None:
            self._keep_highest(keys=[self._key(user_id)], args=[position, LSN_TTL_SECONDS])
            return
        with self._lock:
            self._memory[user_id] = max(position, self._memory.get(user_id, 0))

    def last(self, user_id: int) -> int | None:
        """The agent's last recorded write position, or None if they wrote nothing lately."""
        if self.redis is not None:
            value = self.redis.get(self._key(user_id))
            return int(value) if value is not None else None
        with self._lock:
            return self._memory.get(user_id)

    def _key(self, user_id: int) -> str:
        return LSN_KEY.format(self.namespace, user_id)


@dataclass
class Replica:
    """The replica's engine and the agents' write positions (app.extensions["replica"])."""

    engine: sa.Engine
    positions: PositionStore

    def replayed(self) -> int | None:
        """How far the standby has replayed the primary's log (None: it is not a standby)."""
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(REPLAYED_POSITION).scalar()


_UNDECIDED: Any = object()


@dataclass
class _Block:
    """One replica_reads block: who reads, and (once the first query asks) which engine serves."""

    replica: Replica
    reader_id: int | None
    engine: sa.Engine | None = field(default=_UNDECIDED)


def init_replica(app: Flask) -> None:
    """Build the replica engine when SUPPORTDESK_DATABASE_REPLICA_URL is set, and record writes."""
    from supportdesk.config import ConfigurationError, database_engine_options, normalise_url
    from supportdesk.redis_fallback import fail_fast_redis

    url = app.config.get("DATABASE_REPLICA_URL")
    app.extensions["replica"] = None
    if not url:
        return
    url = normalise_url(url)
    if not (
        url.startswith("postgresql")
        and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    ):
        raise ConfigurationError(
            "SUPPORTDESK_DATABASE_REPLICA_URL needs PostgreSQL for both it and "
            "SUPPORTDESK_DATABASE_URL (a streaming replica of that database)."
        )
    redis_url = app.config.get("REDIS_URL")
    primary = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    namespace = hashlib.sha256(primary.render_as_string(hide_password=True).encode()).hexdigest()
    app.extensions["replica"] = Replica(
        sa.create_engine(
            url, **database_engine_options(url, app.config["DATABASE_PREPARED_STATEMENTS"])
        ),
        PositionStore(fail_fast_redis(redis_url) if redis_url else None, namespace[:16]),
    )
    app.after_request(_record_writes)


def reader_id() -> int | None:
    """The agent the current request acts for: the API token's, or the signed-in one."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user.id
    if current_user and current_user.is_authenticated:
        return current_user.id
    return None


@contextmanager
def replica_reads(reader: int | None) -> Iterator[None]:
    """Send the session's SELECTs inside the block to the replica, when `reader`'s writes are there.

    Only for reads: rows loaded here may be a moment old, so never change and save them.
    """
    from supportdesk.extensions import db

    replica: Replica | None = current_app.extensions.get("replica")
    if replica is None:
        yield
        return
    session = db.session()
    outer = session.info.get(READS)
    session.info[READS] = _Block(replica, reader)
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(READS, None)
        else:
            session.info[READS] = outer


def reads_replica(view: Callable) -> Callable:
    """A view decorator: the view's queries may read the replica (see replica_reads)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads(reader_id()):
            return view(*args, **kwargs)

    return wrapper


def bind_for(session: sa.orm.Session) -> sa.Engine | None:
    """The replica engine for this statement, or None for the primary (Session.get_bind asks)."""
    block: _Block | None = session.info.get(READS)
    if block is None or session.info.get(WROTE):
        return None
    if block.engine is _UNDECIDED:
        block.engine = _decide(block.replica, block.reader_id)
    return block.engine


def _decide(replica: Replica, reader: int | None) -> sa.Engine | None:
    from supportdesk.metrics import REPLICA_ROUTING

    try:
        wanted = replica.positions.last(reader) if reader is not None else None
    except RedisError as exc:
        log.warning("Reading from the primary: Redis does not answer (%s).", exc)
        REPLICA_ROUTING.labels("primary", "position_unknown").inc()
        return None
    try:
        replayed = replica.replayed()
    except sa.exc.DBAPIError as exc:
        log.warning("Reading from the primary: the replica does not answer (%s).", exc.orig)
        REPLICA_ROUTING.labels("primary", "replica_down").inc()
        return None
    if wanted is not None and replayed is not None and replayed < wanted:
        REPLICA_ROUTING.labels("primary", "own_write_not_replayed").inc()
        return None
    REPLICA_ROUTING.labels("replica", "replayed").inc()
    return replica.engine


def _record_writes(response):
    """After a request whose session wrote, remember the primary's position for its agent."""
    from supportdesk.extensions import db

    if not (db.session.registry.has() and db.session.info.get(WROTE)):
        return response
    reader = reader_id()
    if reader is None:
        return response
    replica: Replica = current_app.extensions["replica"]
    try:
        with db.engine.connect() as connection:
            position = connection.exec_driver_sql(PRIMARY_POSITION).scalar_one()
        replica.positions.record(reader, position)
    except (RedisError, sa.exc.DBAPIError) as exc:
        log.warning("Could not record agent %s's write position (%s).", reader, exc)
    return response


def track_writes(session_class: type[sa.orm.Session]) -> None:
    """Mark a session that flushes changes or runs an INSERT, UPDATE or DELETE as having written."""

    def before_flush(session, flush_context, instances) -> None:
        session.info[WROTE] = True

    def do_orm_execute(state) -> None:
        if not state.is_select:
            state.session.info[WROTE] = True

    sa.event.listen(session_class, "before_flush", before_flush)
    sa.event.listen(session_class, "do_orm_execute", do_orm_execute)
