"""/healthz (alive), /readyz (fit to serve) and /metrics (Prometheus): no session, no sign-in."""

from __future__ import annotations

import hmac

from flask import Response, abort, current_app, jsonify, request

from supportdesk.metrics import exposition
from supportdesk.ops import bp
from supportdesk.ops.readiness import run_checks


@bp.get("/healthz")
def healthz():
    """The process answers; touches no dependency (a supervisor's liveness probe)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """200 when every check passes, else 503; each check says what it saw."""
    checks = run_checks()
    ready = all(check.ok for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()},
    }
    return jsonify(body), 200 if ready else 503


@bp.get("/metrics")
def metrics():
    """Prometheus text format; needs `Authorization: Bearer $SUPPORTDESK_METRICS_TOKEN` (404 unset)."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(offered.encode(), str(token).encode()):
        return Response("A valid metrics token is required.\n", 401, mimetype="text/plain")
    body, content_type = exposition(current_app._get_current_object())
    return Response(body, mimetype=content_type.split(";")[0], content_type=content_type)
