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
