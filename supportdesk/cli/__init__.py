"""Command-line tools: `flask --app supportdesk create-admin | seed-demo | …`."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    from supportdesk.cli.accounts import create_admin
    from supportdesk.cli.attachments import attachments
    from supportdesk.cli.demo import seed_demo
    from supportdesk.cli.gdpr import gdpr
    from supportdesk.cli.jobs import cron, worker
    from supportdesk.cli.mail import mail
    from supportdesk.cli.reports import reports
    from supportdesk.cli.secrets import secrets
    from supportdesk.cli.sla import sla_recompute, sla_sweep
    from supportdesk.cli.tokens import create_token
    from supportdesk.cli.workload import load_workload

    app.cli.add_command(create_admin)
    app.cli.add_command(create_token)
    app.cli.add_command(seed_demo)
    app.cli.add_command(worker)
    app.cli.add_command(cron)
    app.cli.add_command(mail)
    app.cli.add_command(load_workload)
    app.cli.add_command(sla_recompute)
    app.cli.add_command(sla_sweep)
    app.cli.add_command(attachments)
    app.cli.add_command(gdpr)
    app.cli.add_command(secrets)
    app.cli.add_command(reports)
