"""`flask reports rebuild | refresh`: count the report aggregates again from the ticket history."""

from __future__ import annotations

import time

import click

from supportdesk.extensions import db


@click.group("reports")
def reports() -> None:
    """Report aggregates (daily figures per team, agent, channel, priority, tier and tag)."""


@reports.command("rebuild")
@click.option("--organization", type=int, help="Only this organization's id (default: all).")
def rebuild(organization: int | None) -> None:
    """Throw the aggregates away and count every ticket again from its history."""
    from supportdesk.reports import service

    started = time.perf_counter()
    total = service.count_ticket_total(organization)
    with click.progressbar(length=total, label="Counting tickets", show_pos=True) as bar:
        counted = service.rebuild(organization, progress=bar.update)
    db.session.commit()
    click.echo(f"Counted {counted:,} tickets in {time.perf_counter() - started:.1f} s.")


@reports.command("refresh")
def refresh() -> None:
    """Count the tickets changed since the last refresh now (the periodic job does it too)."""
    from supportdesk.jobs.reports import refresh_reports

    click.echo(f"Counted {refresh_reports()} changes.")


@reports.command("export")
@click.option("--as", "email", required=True, help="The agent the export is made for.")
@click.option(
    "--kind",
    type=click.Choice(["tickets", "messages", "history", "customers", "report"]),
    default="tickets",
    show_default=True,
)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv")
@click.option(
    "--query",
    default="queue=all",
    show_default=True,
    help="The rows, as a query string: a queue filter (queue=open&team=3), a search "
    "(q=refund&status=open, as the search page's), or a report's parameters (days=90).",
)
def export(email: str, kind: str, fmt: str, query: str) -> None:
    """Make an export now, in this process (as the worker would), and say its rows, bytes and
    time and the process's peak memory (ru_maxrss): the measure of an export at scale."""
    import resource
    from urllib.parse import parse_qs

    import sqlalchemy as sa

    from supportdesk import jobs
    from supportdesk.accounts.models import User
    from supportdesk.exports import service
    from supportdesk.exports.models import Export

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"No agent has the address {email}.")
    asked = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(query).items()}
    started = time.perf_counter()
    row = service.request_export(user, kind, fmt, asked)
    jobs.discard_deferred(db.session)  # made here, not by a worker: this process is measured
    db.session.commit()
    export_id = row.id
    service.run(export_id)
    done = db.session.get(Export, export_id)
    seconds = time.perf_counter() - started
    # ru_maxrss: the process's peak resident set, in KiB on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(
        f"Export {export_id} {done.status.value}: {done.rows:,} rows, {done.size:,} bytes "
        f"({done.size / 1e6:.1f} MB) in {seconds:.1f} s; peak RSS {peak_mb:.0f} MB."
    )
    if done.error:
        raise click.ClickException(done.error)
