"""Which sessions wrote notification rows (the bell's count read with the session is then stale)."""

from __future__ import annotations

import sqlalchemy as sa

CHANGED = "supportdesk.notifications_changed"  # session.info: notification rows written


def track_changes(session_class: type) -> None:
    """Mark a session that writes notification rows: the count read with the session lookup
    (the bell) is then read again."""

    def before_flush(session, flush_context, instances) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if getattr(obj, "__tablename__", None) == "agent_notifications":
                session.info[CHANGED] = True
                return

    def do_orm_execute(state) -> None:
        table = getattr(state.statement, "table", None)
        if not state.is_select and getattr(table, "name", None) == "agent_notifications":
            state.session.info[CHANGED] = True

    sa.event.listen(session_class, "before_flush", before_flush)
    sa.event.listen(session_class, "do_orm_execute", do_orm_execute)
