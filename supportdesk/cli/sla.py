"""SLA commands: recompute every organization's clocks, and run one sweep (with its duration)."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa

from supportdesk.accounts.models import Organization
from supportdesk.extensions import db


@click.command("sla-recompute")
def sla_recompute() -> None:
    """Recompute the SLA clocks of every active ticket (after an upgrade or a bulk import)."""
    from supportdesk.jobs.sla import recompute_sla

    started = time.perf_counter()
    for org_id in db.session.scalars(sa.select(Organization.id).order_by(Organization.id)).all():
        recompute_sla(org_id)
    click.echo(f"Recomputed in {time.perf_counter() - started:.1f} s.")


@click.command("sla-sweep")
def sla_sweep() -> None:
    """Run one SLA sweep now and report how many clocks it handled and how long it took."""
    from supportdesk.jobs.sla import sweep_sla

    started = time.perf_counter()
    handled = sweep_sla()
    click.echo(f"Swept {handled} clocks in {(time.perf_counter() - started) * 1000:.0f} ms.")
