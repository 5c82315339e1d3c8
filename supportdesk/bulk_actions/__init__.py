"""Bulk actions on queues: one action applied to many tickets, ticket by ticket, through the same
services as the single action (`actions.py` is the registry, `service.py` runs it, `models.py`
keeps a background run's progress)."""
