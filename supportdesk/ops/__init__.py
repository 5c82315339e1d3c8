"""Operations endpoints for load balancers and supervisors: liveness and readiness, no session."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from supportdesk.ops import views  # noqa: E402,F401
