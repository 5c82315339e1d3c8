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
@click.option("--kind", type=click.Choice(["tickets", "report"]), default="tickets")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv")
@click.option("--query", default="queue=all", show_default=True, help="Queue or report filter.")
def export(email: str, kind: str, fmt: str, query: str) -> None:
    """Make an export now, in this process (as the worker would), and say its size, rows, time
    and the process's peak memory."""
    import resource
    from urllib.parse import parse_qsl

    import sqlalchemy as sa

    from supportdesk.accounts.models import User
    from supportdesk.exports import service
    from supportdesk.exports.models import Export

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"No agent has the address {email}.")
    started = time.perf_counter()
    row = service.request_export(user, kind, fmt, dict(parse_qsl(query)))
    db.session.commit()  # without Redis the job runs here; with it, a worker could take it
    export_id = row.id
    service.run(export_id)  # a no-op once it ran
    done = db.session.get(Export, export_id)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(
        f"Export {export_id} {done.status.value}: {done.rows:,} rows, {done.size / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s; peak RSS {peak_mb:.0f} MB."
    )
