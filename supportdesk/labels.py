"""The names the console shows for the states, kinds and choices of the domain (ticket statuses
and priorities, mail and webhook states, roles, tiers, exports, notification kinds…), in the
agent's language.

The enums' own `label` stays English (the API, logs and exports speak it); the console shows
these lazy strings, which gettext resolves per request (README: "Translations"): `label_of` in
templates, `choices` for a form's select. So does the line of an export's notification: the
stored text stays English (the API's), the bell and the notifications page say it in the
reader's language (export_line). Outside `console` so the admin's forms can import it.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from wtforms.fields.choices import SelectChoice

from supportdesk.accounts.models import AssignmentStrategy, Role, TwoFactorPolicy
from supportdesk.bulk_actions.models import JobStatus
from supportdesk.crm.models import ConnectionStatus
from supportdesk.customers.models import Tier
from supportdesk.exports.models import Export, ExportStatus
from supportdesk.exports.service import failure_cause
from supportdesk.fields.models import FieldType
from supportdesk.i18n import format_number, page_language
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.kb.models import ArticleStatus
from supportdesk.mail.inbound.models import Decision, InboundStatus
from supportdesk.notifications.models import NotificationKind
from supportdesk.outbox import OutboxState
from supportdesk.privacy.models import ClosedTicketAction
from supportdesk.privacy.models import ExportStatus as DataExportStatus
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
TIER = {
    Tier.FREE: _l("Free"),
    Tier.BASIC: _l("Basic"),
    Tier.PREMIUM: _l("Premium"),
    Tier.ENTERPRISE: _l("Enterprise"),
}
ARTICLE_STATUS = {
    ArticleStatus.DRAFT: _l("Draft"),
    ArticleStatus.PUBLISHED: _l("Published"),
    ArticleStatus.ARCHIVED: _l("Archived"),
}
JOB_STATUS = {
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.COMPLETED: _l("Completed"),
    JobStatus.FAILED: _l("Failed"),
}
CONNECTION_STATUS = {
    ConnectionStatus.UNTESTED: _l("Not tested yet"),
    ConnectionStatus.OK: _l("Working"),
    ConnectionStatus.BROKEN: _l("Broken"),
}
INBOUND_STATUS = {
    InboundStatus.PROCESSED: _l("Processed"),
    InboundStatus.UNPROCESSED: _l("Unprocessed"),
    InboundStatus.DUPLICATE: _l("Duplicate"),
    InboundStatus.IGNORED: _l("Ignored"),
    InboundStatus.REJECTED: _l("Rejected"),
}
DECISION = {
    Decision.NEW_TICKET: _l("Opened a new ticket"),
    Decision.REPLY_BY_ADDRESS: _l("Matched by reply address"),
    Decision.REPLY_BY_MESSAGE_ID: _l("Matched by Message-ID"),
    Decision.REPLY_BY_SUBJECT_TOKEN: _l("Matched by ticket number in the subject"),
    Decision.AUTO_REPLY_IGNORED: _l("Automatic reply, ignored"),
    Decision.BOUNCE: _l("Delivery failure report"),
    Decision.UNROUTED: _l("Sent to no known support address"),
    Decision.UNPARSEABLE: _l("Could not be read"),
    Decision.DUPLICATE: _l("Already received"),
    Decision.ADDRESS_VERIFICATION: _l("Support address verification"),
}
DATA_EXPORT_STATUS = {  # a customer's data export (privacy)
    DataExportStatus.QUEUED: _l("Queued"),
    DataExportStatus.RUNNING: _l("Running"),
    DataExportStatus.READY: _l("Ready"),
    DataExportStatus.FAILED: _l("Failed"),
}
ROLE = {
    Role.ADMIN: _l("Admin"),
    Role.SENIOR_AGENT: _l("Senior agent"),
    Role.AGENT: _l("Agent"),
    Role.VIEWER: _l("Viewer"),
}
ASSIGNMENT_STRATEGY = {
    AssignmentStrategy.MANUAL: _l("Manual"),
    AssignmentStrategy.ROUND_ROBIN: _l("Round robin"),
    AssignmentStrategy.LEAST_LOADED: _l("Least loaded"),
}
TWO_FACTOR_POLICY = {
    TwoFactorPolicy.NOBODY: _l("Optional for everyone"),
    TwoFactorPolicy.ADMINS: _l("Required for admins"),
    TwoFactorPolicy.EVERYONE: _l("Required for every agent"),
}
FIELD_TYPE = {
    FieldType.TEXT: _l("Text"),
    FieldType.NUMBER: _l("Number"),
    FieldType.DATE: _l("Date"),
    FieldType.SELECT: _l("Single select"),
    FieldType.MULTISELECT: _l("Multi select"),
    FieldType.CHECKBOX: _l("Checkbox"),
}
CLOSED_TICKET_ACTION = {
    ClosedTicketAction.OFF: _l("Keep them"),
    ClosedTicketAction.DELETE: _l("Delete them"),
    ClosedTicketAction.ANONYMIZE: _l("Anonymize them"),
}
# Every state and kind the console names, in the page's language: label_of(member). The enums'
# own `label` stays English (the API, logs and exports speak it).
ENUM_LABELS = {
    **STATUS,
    **PRIORITY,
    **EXPORT_STATUS,
    **OUTBOX_STATE,
    **TIER,
    **ARTICLE_STATUS,
    **JOB_STATUS,
    **CONNECTION_STATUS,
    **INBOUND_STATUS,
    **DECISION,
    **DATA_EXPORT_STATUS,
    **ROLE,
    **ASSIGNMENT_STRATEGY,
    **TWO_FACTOR_POLICY,
    **FIELD_TYPE,
    **CLOSED_TICKET_ACTION,
}

# The same inside a sentence, where English writes them in lower case ("Email to …: sent",
# "invited as senior agent"): label_of(member, in_sentence=True).
ENUM_WORDS = {
    OutboxState.QUEUED: _l("queued"),
    OutboxState.SENT: _l("sent"),
    OutboxState.DEFERRED: _l("deferred"),
    OutboxState.FAILED: _l("failed"),
    Role.ADMIN: _l("admin"),
    Role.SENIOR_AGENT: _l("senior agent"),
    Role.AGENT: _l("agent"),
    Role.VIEWER: _l("viewer"),
    TwoFactorPolicy.NOBODY: _l("optional for everyone"),
    TwoFactorPolicy.ADMINS: _l("required for admins"),
    TwoFactorPolicy.EVERYONE: _l("required for every agent"),
}


def choices(members) -> list:
    """A select's choices for `members` (an enum class: every member), named as the console
    names them."""
    return [SelectChoice(member.value, ENUM_LABELS[member]) for member in members]


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


def label_of(member, *, in_sentence: bool = False) -> str:
    """A status, priority, tier, state or decision as the console names it (ENUM_LABELS), or
    as a sentence writes it (ENUM_WORDS)."""
    return str((ENUM_WORDS if in_sentence else ENUM_LABELS)[member])


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
    "label_of": label_of,
    "export_parameters": export_parameters,
    "export_line": export_line,
    "notification_kind": notification_kind,
}
