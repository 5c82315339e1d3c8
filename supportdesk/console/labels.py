"""The console's names of ticket statuses and priorities, in the agent's language.

The enums' own `label` stays English (the API, logs and exports speak it); the console shows
these lazy strings, which gettext resolves per request (README: "Translations").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
