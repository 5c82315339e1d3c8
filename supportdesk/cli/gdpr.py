"""Customers' data rights from the command line: `flask gdpr scan` (the verification scan)."""

from __future__ import annotations

import sys

import click

from supportdesk.privacy.scan import needles, scan


@click.group("gdpr")
def gdpr() -> None:
    """Customers' data rights (GDPR/CCPA)."""


@gdpr.command("scan")
@click.option("--email", "emails", multiple=True, help="A customer's email address (repeatable).")
@click.option("--name", "names", multiple=True, help="A customer's name (repeatable).")
@click.option(
    "--string", "strings", multiple=True, help="Any distinctive string, e.g. from a message."
)
def scan_command(emails: tuple[str, ...], names: tuple[str, ...], strings: tuple[str, ...]) -> None:
    """Search every table and every stored file for the given strings; list where they are.

    Exits 0 when nothing is found (after an erasure: the proof), 1 when something is.
    """
    found = needles([*emails, *names, *strings])
    if not found:
        raise click.UsageError("Give at least one --email, --name or --string of 3+ characters.")
    hits = scan(found)
    for hit in hits:
        click.echo(str(hit))
    if hits:
        click.echo(f"{len(hits)} occurrence(s) found.", err=True)
        sys.exit(1)
    click.echo(f"No occurrence of {len(found)} string(s) in any table or stored file.")
