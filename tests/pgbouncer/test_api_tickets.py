"""The API's ticket tests (tests/api/test_tickets.py) through PgBouncer."""

from tests.api.test_tickets import *  # noqa: F403
