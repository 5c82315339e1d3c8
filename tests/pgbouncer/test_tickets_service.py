"""The ticket service's tests (tests/tickets/test_service.py) through PgBouncer."""

from tests.tickets.test_service import *  # noqa: F403
