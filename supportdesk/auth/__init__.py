"""Sign-in and sign-out for agents."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from supportdesk.auth import account, links, sso, two_factor, views  # noqa: E402,F401  (registers the routes)
