"""Structured logs: one line per event, JSON in production or plain text in development.

Every record logged while serving a request carries its request id (taken from a sane
`X-Request-ID` header, else generated), the organization and the agent when one is signed in;
a job enqueued by that request logs with the same request id. Records never carry bodies,
passwords or secrets: only what the code puts in its message and these ids.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

import structlog
from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FORMATS = ("text", "json")
request_log = logging.getLogger("supportdesk.request")


def new_request_id(offered: str | None = None) -> str:
    """The caller's id when it is short and plain (a proxy's), else a new random one."""
    if offered and _SANE_REQUEST_ID.match(offered):
        return offered
    return secrets.token_hex(8)


def current_request_id() -> str | None:
    """The id of the request or job being served, if any."""
    if has_request_context() and "request_id" in g:
        return g.request_id
    return structlog.contextvars.get_contextvars().get("request_id")


def add_request_context(logger, method_name: str, event_dict: dict) -> dict:
    """Add request id, organization and agent ids (an agent already loaded, never a new query)."""
    if has_request_context():
        event_dict.setdefault("request_id", g.get("request_id"))
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            event_dict.setdefault("organization_id", user.organization_id)
            event_dict.setdefault("user_id", user.id)
    return event_dict


def formatter(fmt: str) -> logging.Formatter:
    """A stdlib formatter rendering every record (ours and libraries') as JSON or text."""
    if fmt not in FORMATS:
        raise ValueError(f"SUPPORTDESK_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            add_request_context,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ExtraAdder(),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


def configure_logging(app: Flask) -> None:
    """Send the root logger's records to stderr in SUPPORTDESK_LOG_FORMAT (tests keep pytest's)."""
    fmt = str(app.config["LOG_FORMAT"])
    handler_formatter = formatter(fmt)  # validates the setting even under tests
    if app.config.get("TESTING"):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(handler_formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter at every start
    # A line per webhook request: the attempt log already records each one, with its outcome.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app.logger.handlers.clear()  # Flask's own handler would print every record twice
    app.logger.propagate = True


def init_request_ids(app: Flask) -> None:
    """Give every request an id (echoed in X-Request-ID) and log one line when it ends."""

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if "request_id" not in g:
            return response
        response.headers[REQUEST_ID_HEADER] = g.request_id
        request_log.info(
            "%s %s %s",
            request.method,
            request.url_rule.rule if request.url_rule else "<unrouted>",
            response.status_code,
            extra={
                **add_request_context(None, "info", {}),
                "method": request.method,
                "route": request.endpoint or "",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
                "sql_queries": g.get("sql_queries", 0),
            },
        )
        return response
