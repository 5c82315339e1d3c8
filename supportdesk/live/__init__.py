"""The live console: events after each COMMIT, streamed to agents' browsers, and presence.

messages.py turns domain events into live events (a subscriber) and publishes them after the
COMMIT; broker.py carries them (Redis pub/sub with a short log to resume from, or process
memory); stream.py writes one agent's Server-Sent Events; presence.py keeps who is viewing and
typing. The console's routes (supportdesk.console.live) and the stream process
(deploy/stream.conf.py) serve them.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The app's broker and presence store: Redis when configured, else process memory."""
    from supportdesk.live.broker import broker_for
    from supportdesk.live.presence import store_for

    redis = app.extensions.get("redis")
    app.extensions["live"] = broker_for(redis)
    app.extensions["live_presence"] = store_for(redis)
