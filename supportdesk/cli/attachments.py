"""Attachment commands: move old rows' bytes from the database into the file storage."""

from __future__ import annotations

import click
import sqlalchemy as sa

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.service import move_to_storage
from supportdesk.extensions import db


@click.group("attachments")
def attachments() -> None:
    """Attachment maintenance."""


@attachments.command("move-to-storage")
@click.option("--batch", default=100, show_default=True, help="Rows moved per transaction.")
def move(batch: int) -> None:
    """Move the bytes of attachments stored in the database to the file storage.

    Safe to run while the help desk serves (rows are read from either place) and to interrupt:
    each batch commits on its own, and the next run carries on where this one stopped.
    """
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attachment)
        .where(Attachment.storage_key.is_(None), Attachment.data.is_not(None))
    )
    if not total:
        click.echo("Nothing to move: every attachment is in the file storage.")
        return
    moved = 0
    with click.progressbar(length=total, label="Moving attachments") as bar:
        while True:
            done, left = move_to_storage(batch)
            db.session.commit()
            moved += done
            bar.update(done)
            if not done or not left:
                break
    click.echo(f"Moved {moved} attachments to the file storage.")
