"""`flask --app supportdesk mail lmtp | receive`: the MTA-facing entrances for inbound mail."""

from __future__ import annotations

import asyncio
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from supportdesk.extensions import db
from supportdesk.mail.inbound.service import MessageTooLarge, receive_email

# sysexits.h codes an MTA pipe understands: 75 means "try again later", 65 "bad input".
EX_DATAERR = 65
EX_TEMPFAIL = 75


@click.group("mail")
def mail() -> None:
    """Receive inbound mail from a local MTA."""


@mail.command("receive")
@click.option(
    "--recipient", "recipients", multiple=True, help="Envelope recipient (Postfix: ${recipient})."
)
@with_appcontext
def receive(recipients: tuple[str, ...]) -> None:
    """Read one raw message from standard input, store and process it, and say what was done."""
    limit = int(current_app.config["INBOUND_MAX_MESSAGE_BYTES"])
    raw = sys.stdin.buffer.read(limit + 1)
    try:
        result = receive_email(raw, envelope_recipients=list(recipients), source="cli")
        db.session.commit()
    except MessageTooLarge as exc:
        db.session.rollback()
        click.echo(f"Refused: {exc.message}", err=True)
        sys.exit(EX_DATAERR)
    except Exception as exc:
        # Nothing was stored: a temporary failure makes the MTA keep the mail and retry it.
        db.session.rollback()
        current_app.logger.exception("Inbound mail could not be stored")
        click.echo(f"Temporary failure, the MTA should retry: {exc.__class__.__name__}", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(result.sentence())


@mail.command("lmtp")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=2424, show_default=True, type=int, help="Port to listen on.")
@with_appcontext
def lmtp(host: str, port: int) -> None:
    """Run an LMTP server for a local MTA (Postfix: lmtp:inet:HOST:PORT)."""
    from supportdesk.inbound.lmtp import serve

    app = current_app._get_current_object()

    async def main() -> None:
        server = await serve(app, host, port)
        click.echo(f"LMTP server listening on {host}:{port}.")
        async with server:
            await server.serve_forever()

    asyncio.run(main())
