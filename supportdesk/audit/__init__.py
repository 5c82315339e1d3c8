"""The audit log: an append-only record of every security- and admin-relevant action.

`supportdesk.audit.service.record` is the one way to write it, called by services in the
transaction of the change; `supportdesk.audit.actions.ACTIONS` is the one table of actions.
"""

from supportdesk.audit.service import changes, record, record_changes, snapshot  # noqa: E402

__all__ = ["changes", "record", "record_changes", "snapshot"]
