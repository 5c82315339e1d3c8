"""`create-token` prints a token once, with an optional expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.tokens.queries import find_usable_token

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("extra", "days"),
    [pytest.param([], None, id="never"), pytest.param(["--expires-in-days", "7"], 7, id="7 days")],
)
def test_create_token_prints_a_token_with_the_asked_expiry(app, agent, extra, days):
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", agent.email, "--scope", "read", *extra]
    )

    assert result.exit_code == 0, result.output
    token = find_usable_token(result.stdout.strip())
    assert token.user_id == agent.id
    expected = None if days is None else token.created_at + dt.timedelta(days=days)
    assert token.expires_at == expected


def test_create_token_refuses_an_expiry_out_of_range(app, agent):
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", agent.email, "--scope", "read", "--expires-in-days", "0"]
    )

    assert result.exit_code == 1
    assert "expires_in_days" in result.output
