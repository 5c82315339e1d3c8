"""The JSON API, version 1, at /api/v1: personal API tokens, JSON in and out, one error shape.

CSRF protection does not apply (no cookies are read: every request carries a bearer token).
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from supportdesk.api import (  # noqa: E402,F401  (registers the routes and hooks)
    access,
    attachments,
    audit_log,
    bulk,
    crm,
    custom_fields,
    customers,
    docs,
    exports,
    kb,
    macros,
    notifications,
    people,
    reports,
    satisfaction,
    saved_views,
    tickets,
    webhook_endpoints,
)
