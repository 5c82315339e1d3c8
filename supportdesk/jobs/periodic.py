"""One run of a periodic job per interval, installation-wide, whatever the number of schedulers.

`flask cron` enqueues `run_periodic(path, interval)` rather than the job itself. Two Redis keys
decide whether this run goes ahead: a *slot* taken for the interval (a second scheduler's run
in the same interval is skipped) and a *running* lock held while the job runs (a slow run is
never overlapped by the next one). A worker that dies mid-run frees the lock after
`RUNNING_LOCK_SECONDS`. Without Redis there is no scheduler, so nothing to guard.
"""

from __future__ import annotations

import logging

from flask import current_app
from redis.exceptions import LockError

from supportdesk.jobs import job, resolve

log = logging.getLogger(__name__)

RUNNING_LOCK_SECONDS = 900
# A slot ends a little before the next tick, so a late tick is not mistaken for a duplicate.
SLOT_MARGIN_SECONDS = 5


@job
def run_periodic(func_path: str, interval: int):
    """Run `func_path()` unless it already ran in this interval or is still running."""
    redis = current_app.extensions.get("redis")
    if redis is None:
        return resolve(func_path)()
    slot = f"supportdesk:periodic:slot:{func_path}"
    if not redis.set(slot, "1", nx=True, ex=max(1, interval - SLOT_MARGIN_SECONDS)):
        log.info("Skipped %s: it already ran in this %d s interval", func_path, interval)
        return None
    lock = redis.lock(f"supportdesk:periodic:running:{func_path}", timeout=RUNNING_LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        log.warning("Skipped %s: the previous run is still going", func_path)
        return None
    try:
        return resolve(func_path)()
    finally:
        try:
            lock.release()
        except LockError:
            log.warning("%s ran longer than its %d s lock", func_path, RUNNING_LOCK_SECONDS)
