"""The live events a transaction prepared (supportdesk.live.messages), published after its COMMIT.

Apart from the subscriber so that the session class (supportdesk.extensions) can call it without
importing the models.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

PENDING = "supportdesk.live_events"


def dispatch_pending(session: Session) -> None:
    """Publish the live events of the transaction that just committed (never raises)."""
    pending = session.info.pop(PENDING, None)
    if not pending or not has_app_context():
        return
    broker = current_app.extensions.get("live")
    if broker is None:
        return
    events = [(organization_id, payload) for (organization_id, _, _), payload in pending.items()]
    if len(events) == 1:
        broker.publish(*events[0])
    else:
        broker.publish_many(events)


def discard_pending(session: Session) -> None:
    """Forget the live events of a transaction that was rolled back."""
    session.info.pop(PENDING, None)
