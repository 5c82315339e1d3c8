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
    for (organization_id, _what, _id), payload in pending.items():
        broker.publish(organization_id, payload)


def discard_pending(session: Session) -> None:
    """Forget the live events of a transaction that was rolled back."""
    session.info.pop(PENDING, None)
