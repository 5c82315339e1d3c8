"""Periodic upkeep of the API's own rows."""

from __future__ import annotations

from supportdesk.api.idempotency import purge_expired_keys
from supportdesk.jobs import job


@job
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key rows past their lifetime (KEY_TTL_HOURS); returns how many."""
    return purge_expired_keys()
