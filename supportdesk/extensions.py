"""Unbound Flask extensions; `create_app` binds them with `init_app`."""

import sqlalchemy as sa
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect

from supportdesk import events, jobs, replica
from supportdesk.accounts import orgcache
from supportdesk.db import Base
from supportdesk.live import pending as live_events
from supportdesk.notifications import tracking as notification_tracking


class Session(FlaskSession):
    """The app's session: publishes domain events before COMMIT and dispatches jobs after it.

    `commit()` first runs the subscribers of supportdesk.events.SUBSCRIBERS, in that order, on the
    transaction's events: they add their outbox rows inside the transaction (all or nothing); a
    subscriber that raises leaves nothing committed. Jobs that send those rows start only once
    the COMMIT succeeded, and so are the live events for agents' browsers (supportdesk.live).
    Inside a `replica_reads`
    block, SELECTs go to the streaming replica when it serves (supportdesk.replica decides).
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = replica.bind_for(self)
        if engine is not None:
            return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def commit(self) -> None:
        events.publish_pending(self)
        super().commit()
        # Live events first: in-process jobs commit (or roll back) this same session.
        live_events.dispatch_pending(self)
        jobs.dispatch_deferred(self)

    def rollback(self) -> None:
        events.discard_pending(self)
        jobs.discard_deferred(self)
        live_events.discard_pending(self)
        super().rollback()


replica.track_writes(Session)
orgcache.bump_on_flush(Session)
notification_tracking.track_changes(Session)
db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def select_rows(statement: sa.Select, params: dict | None = None) -> sa.CursorResult:
    """Run a SELECT of columns (no ORM entities) on the session's connection, as Core.

    The rows are what `db.session.execute` gives for such a statement, without the ORM's
    execution layer around it (0.1–0.2 ms a statement): for the console's hot reads of plain
    rows. Pending changes are flushed first, as the session's own execute would.
    """
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)
