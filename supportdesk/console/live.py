"""The live console's routes: the agent's event stream, presence heartbeats, who is where.

The stream (`/live/stream`) is long-lived: in production a load balancer sends `/live/` to the
stream process (deploy/stream.conf.py, gevent); `make run`'s threaded server serves it too.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for
from flask_login import current_user
from redis.exceptions import RedisError

from supportdesk.console import bp
from supportdesk.extensions import db
from supportdesk.live import service
from supportdesk.live.broker import START, valid_id
from supportdesk.live.stream import frames
from supportdesk.params import query_int
from supportdesk.tickets import queries

MAX_PRESENCE_TICKETS = 200


@bp.get("/live/stream")
def live_stream():
    """This agent's Server-Sent Events; resumes after `Last-Event-ID` (or `?since=`, the id the
    page was rendered with), so nothing between the page and the stream is missed."""
    broker = current_app.extensions["live"]
    org, user_id = current_user.organization_id, current_user.id
    since = request.headers.get("Last-Event-ID") or request.args.get("since")
    sub = broker.subscribe(org)  # first, so nothing falls between the log and the live events
    try:
        latest = broker.latest(org)
        replay = broker.since(org, since) if valid_id(since) else []
    except RedisError:
        broker.unsubscribe(sub)
        # The page tries again by itself (htmx's SSE extension reconnects with backoff).
        return Response("Live updates are unavailable; retrying.", 503, mimetype="text/plain")
    # An open stream holds no database connection (the agent was loaded by now).
    db.session.remove()
    config = current_app.config
    body = frames(
        broker,
        sub,
        user_id=user_id,
        replay=replay,
        latest=latest if replay is None or not replay else replay[-1].id,
        heartbeat=float(config["LIVE_HEARTBEAT_SECONDS"]),
        lifetime=float(config["LIVE_STREAM_SECONDS"]),
    )
    return Response(
        body,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.post("/tickets/<int:number>/presence")
def presence_update(number: int):
    """A ticket page's heartbeat (`typing`: reply, note or nothing) or its goodbye (`leave`)."""
    ticket = queries.get_ticket(current_user.organization_id, number)
    if request.form.get("leave"):
        people = service.leave(current_user, ticket)
    else:
        people = service.heartbeat(current_user, ticket, request.form.get("typing") or None)
    return jsonify(viewers=[p.as_json() for p in people if p.id != current_user.id])


@bp.get("/live/presence")
def presence_list():
    """Who is on each of the given tickets (`ticket`: numbers), for a queue page's avatars."""
    numbers = [n for n in map(query_int, request.args.getlist("ticket")) if n is not None]
    found = service.viewers(current_user.organization_id, numbers[:MAX_PRESENCE_TICKETS])
    return jsonify(
        tickets={
            str(number): [p.as_json() for p in people if p.id != current_user.id]
            for number, people in found.items()
        }
    )


@bp.app_template_global("live_stream_url")
def live_stream_url() -> str:
    """The page's stream address, resuming after the event the page was rendered with."""
    return url_for("console.live_stream", since=live_since())


def live_since() -> str:
    """The live log's last id as a page is rendered (the stream resumes after it)."""
    broker = current_app.extensions.get("live")
    if broker is None:
        return START
    try:
        return broker.latest(current_user.organization_id)
    except RedisError:  # a page renders without its live part
        return START
