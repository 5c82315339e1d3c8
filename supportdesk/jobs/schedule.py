"""The periodic jobs, declared in one list: (job path, queue, interval in seconds).

`flask --app supportdesk cron` registers each with RQ's CronScheduler; the workers run them.
"""

from __future__ import annotations

PERIODIC: list[tuple[str, str, int]] = [
    ("supportdesk.jobs.tickets.close_resolved_tickets", "default", 3600),
    ("supportdesk.jobs.webhooks.sweep_webhooks", "webhooks", 60),
    ("supportdesk.jobs.email.sweep_emails", "emails", 60),
    ("supportdesk.jobs.sla.sweep_sla", "default", 60),
    ("supportdesk.jobs.api.purge_idempotency_keys", "default", 3600),
    ("supportdesk.jobs.audit.purge_audit_log", "default", 3600),
    ("supportdesk.jobs.bulk_actions.resume_bulk_jobs", "default", 300),
    ("supportdesk.jobs.privacy.apply_retention", "default", 3600),
    ("supportdesk.jobs.exports.delete_expired_exports", "default", 3600),
    ("supportdesk.jobs.satisfaction.send_due_surveys", "default", 300),
    ("supportdesk.jobs.crm.sweep_crm", "default", 60),
    ("supportdesk.jobs.crm.pull_crm", "default", 300),
    ("supportdesk.jobs.reports.refresh_reports", "default", 60),
    ("supportdesk.jobs.reports.send_report_summaries", "default", 300),
]
