"""The console's names of ticket statuses and priorities, exports and notification kinds, in the
agent's language.

The enums' own `label` stays English (the API, logs and exports speak it); the console shows
these lazy strings, which gettext resolves per request (README: "Translations"). So does the
line of an export's notification: the stored text stays English (the API's), the bell and the
notifications page say it in the reader's language (export_line).
"""

from __future__ import annotations

from flask_babel import gettext, ngettext

from supportdesk.exports.models import Export, ExportStatus
from supportdesk.exports.service import failure_cause
from supportdesk.i18n import format_number, page_language
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.notifications.models import NotificationKind
from supportdesk.outbox import OutboxState
from supportdesk.tickets.models import Priority, Status

STATUS = {
    Status.OPEN: _l("Open"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.PENDING: _l("Pending"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
}
PRIORITY = {
    Priority.LOW: _l("Low"),
    Priority.MEDIUM: _l("Medium"),
    Priority.HIGH: _l("High"),
    Priority.CRITICAL: _l("Critical"),
}
# An export's kind as a title, and inside a sentence ("Your tickets export …").
EXPORT_KINDS = {
    "tickets": _l("Tickets"),
    "messages": _l("Messages"),
    "history": _l("Ticket history"),
    "customers": _l("Customers"),
    "report": _l("Report table"),
}
EXPORT_NOUNS = {
    "tickets": _l("tickets"),
    "messages": _l("messages"),
    "history": _l("ticket history"),
    "customers": _l("customers"),
    "report": _l("report table"),
}
EXPORT_STATUS = {
    ExportStatus.QUEUED: _l("Queued"),
    ExportStatus.RUNNING: _l("Running"),
    ExportStatus.COMPLETED: _l("Completed"),
    ExportStatus.FAILED: _l("Failed"),
    ExportStatus.CANCELLED: _l("Cancelled"),
}
# Where an email, a webhook delivery or a CRM sync is (the enum's own label stays English).
OUTBOX_STATE = {
    OutboxState.QUEUED: _l("Queued"),
    OutboxState.SENT: _l("Sent"),
    OutboxState.DEFERRED: _l("Deferred"),
    OutboxState.FAILED: _l("Failed"),
}
OUTBOX_STATE_WORDS = {  # inside a sentence ("Email to …: sent")
    OutboxState.QUEUED: _l("queued"),
    OutboxState.SENT: _l("sent"),
    OutboxState.DEFERRED: _l("deferred"),
    OutboxState.FAILED: _l("failed"),
}
# The kind in a word or two, under each notification of the list.
NOTIFICATION_KINDS = {
    NotificationKind.ASSIGNED: _l("Assigned"),
    NotificationKind.CUSTOMER_REPLIED: _l("Customer replied"),
    NotificationKind.MENTIONED: _l("Mentioned"),
    NotificationKind.SLA_WARNING: _l("SLA warning"),
    NotificationKind.SLA_BREACHED: _l("SLA breached"),
    NotificationKind.EXPORT_FINISHED: _l("Export finished"),
}


def export_kind(kind: str) -> str:
    """An export's kind as a title: Tickets, Ticket history…"""
    return str(EXPORT_KINDS.get(kind, kind))


def export_status(status: ExportStatus) -> str:
    return str(EXPORT_STATUS[status])


def outbox_state(state: OutboxState, *, in_sentence: bool = False) -> str:
    return str((OUTBOX_STATE_WORDS if in_sentence else OUTBOX_STATE)[state])


def notification_kind(kind: NotificationKind) -> str:
    return str(NOTIFICATION_KINDS[kind])


def export_parameters(parameters: dict) -> str:
    """What chose an export's rows, in one line: the search first, then each filter."""
    parts = [gettext("Search “%(q)s”", q=parameters["q"])] if parameters.get("q") else []
    for name, value in parameters.items():
        if name != "q":
            parts.append(f"{name}: {', '.join(value) if isinstance(value, list) else value}")
    return " · ".join(parts)


def export_line(export: Export) -> str:
    """The notification of a finished export, in the page's language (ExportFinished.sentence
    says the same in English)."""
    kind, number = str(EXPORT_NOUNS.get(export.kind, export.kind)), export.id
    if export.status is ExportStatus.FAILED:
        return " ".join(
            (
                gettext(
                    "Your %(kind)s export (#%(number)s) failed: %(cause)s",
                    kind=kind,
                    number=number,
                    cause=failure_cause(export.error),
                ),
                gettext("Ask for it again; if it fails again, tell an admin."),
            )
        )
    return ngettext(
        "Your %(kind)s export (#%(number)s) is ready to download: %(rows)s row.",
        "Your %(kind)s export (#%(number)s) is ready to download: %(rows)s rows.",
        export.rows,
        kind=kind,
        number=number,
        rows=format_number(export.rows, page_language()),
    )


GLOBALS = {
    "export_kind": export_kind,
    "export_status": export_status,
    "export_parameters": export_parameters,
    "export_line": export_line,
    "notification_kind": notification_kind,
    "outbox_state": outbox_state,
}
