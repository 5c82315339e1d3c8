"""`create-admin`: the first admin of an organization (created if new)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from supportdesk.accounts.models import Organization, Role
from supportdesk.accounts.service import create_organization, register_agent
from supportdesk.errors import DomainError
from supportdesk.extensions import db


@click.command("create-admin")
@click.option("--email", required=True, help="The admin's sign-in address.")
@click.option(
    "--password",
    required=True,
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters.",
)
@click.option("--org", "org_name", required=True, help="Organization name (created if new).")
@click.option("--name", default="", help="Display name (defaults to the part before @).")
@with_appcontext
def create_admin(email: str, password: str, org_name: str, name: str) -> None:
    """Create an admin agent in organization ORG (created when it does not exist)."""
    org = db.session.scalar(sa.select(Organization).where(Organization.name == org_name))
    try:
        if org is None:
            org = create_organization(org_name)
        user = register_agent(org, email=email, name=name, password=password, role=Role.ADMIN)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    click.echo(f"Admin {user.email} created in organization {org.name!r}.")
