"""`create-token`: a personal API token for an agent, printed once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from supportdesk.accounts.queries import find_active_by_email
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token as create_api_token


@click.command("create-token")
@click.option("--email", required=True, help="The agent the token acts as.")
@click.option(
    "--scope",
    type=click.Choice([s.value for s in Scope]),
    required=True,
    help="read, or read-write (still limited by the agent's role).",
)
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@click.option(
    "--expires-in-days",
    type=int,
    default=None,
    help="The token stops working after this many days (default: never).",
)
@with_appcontext
def create_token(email: str, scope: str, name: str, expires_in_days: int | None) -> None:
    """Create an API token for the active agent EMAIL and print it (it is not shown again)."""
    agent = find_active_by_email(email)
    if agent is None:
        raise click.ClickException(f"No active agent signs in as {email}.")
    try:
        token, plain = create_api_token(
            agent, name=name, scope=Scope(scope), expires_in_days=expires_in_days
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    click.echo(
        f"Token {token.name!r} ({token.scope.label.lower()}) for {agent.email}. "
        "Store it now; it is not shown again:",
        err=True,
    )
    click.echo(plain)
