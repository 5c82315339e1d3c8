"""Sign-in sessions: lifetime, listing and revoking (tests/auth/) through PgBouncer."""

from tests.auth.test_account_sessions import *  # noqa: F403
from tests.auth.test_session_lifetime import *  # noqa: F403
