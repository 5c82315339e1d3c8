"""The search tests (tests/search/test_queries.py) through PgBouncer."""

from tests.search.test_queries import *  # noqa: F403
