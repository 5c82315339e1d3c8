"""`flask secrets reencrypt`: stored secrets under the newest encryption key (key rotation)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from supportdesk import secretbox
from supportdesk.extensions import db


@click.group("secrets")
def secrets() -> None:
    """Secrets stored encrypted (SSO client secrets, CRM tokens)."""


@secrets.command("reencrypt")
@with_appcontext
def reencrypt() -> None:
    """Re-encrypt every stored secret with the first key of SUPPORTDESK_ENCRYPTION_KEYS."""
    changed = secretbox.reencrypt_all(db.session)
    db.session.commit()
    click.echo(f"{changed} stored secret(s) re-encrypted with the first key.")
