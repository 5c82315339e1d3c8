"""Expired exports lose their file: the hourly job takes it off the row (which stays, shown as
expired) and the after-commit deletion job removes it from the storage; an export not yet
expired, another organization's, and content another export shares keep theirs; a rollback
keeps the file. Run by a real RQ worker (tests.exports.helpers.work)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from rq import Queue

from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEntry
from supportdesk.db import utcnow
from supportdesk.exports import service
from supportdesk.exports.models import ExportStatus
from supportdesk.extensions import db
from supportdesk.jobs.exports import delete_expired_exports
from supportdesk.jobs.periodic import run_periodic
from supportdesk.jobs.schedule import PERIODIC
from supportdesk.storage import storage
from tests.exports.helpers import reload, run, work
from tests.factories import make_staff, make_ticket

pytestmark = pytest.mark.integration

JOB = "supportdesk.jobs.exports.delete_expired_exports"


def _staffed(subject: str):
    staff = make_staff()
    make_ticket(staff.org, subject=subject)
    db.session.commit()
    return staff


def _expire(export_id: int) -> None:
    export = reload(export_id)
    export.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()


def _made(app, user_id: int, fmt: str) -> tuple[int, str]:
    """An export of `fmt` asked by `user_id`, made by the worker: its id and its file's key."""
    export = run(app, db.session.get(User, user_id), "tickets", fmt)
    return export.id, export.storage_key


def _expired_entries() -> list[AuditEntry]:
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export.expired"))
    )


def test_the_hourly_job_deletes_expired_files_only_and_keeps_the_rows(app, redis_client):
    ours, theirs = _staffed("Refund for a cancelled booking"), _staffed("Another org's request")
    org_id, agent_id, other_id = ours.org.id, ours.agent.id, theirs.agent.id
    expired, kept, other = (
        _made(app, agent_id, "csv"),
        _made(app, agent_id, "jsonl"),
        _made(app, other_id, "csv"),
    )
    keys = dict([expired, kept, other])
    assert len(set(keys.values())) == 3 and all(storage().exists(k) for k in keys.values())
    expired_id = expired[0]
    _expire(expired_id)

    assert (JOB, "default", 3600) in PERIODIC
    Queue("default", connection=app.extensions["redis"]).enqueue(run_periodic, JOB, 3600)
    work(app)  # the periodic run, then the file deletion it deferred

    assert not storage().exists(keys[expired_id])
    gone = reload(expired_id)
    assert (gone.status, gone.storage_key, gone.expired_now) == (
        ExportStatus.COMPLETED,
        None,
        True,
    )
    size = gone.size
    assert size > 0  # what the file was, for the Exports page
    with pytest.raises(service.ExportGone, match="has expired"):
        service.open_download(db.session.get(User, agent_id), expired_id)
    for export_id, key in (kept, other):
        assert reload(export_id).storage_key == key and storage().exists(key)
    [entry] = _expired_entries()
    assert (entry.organization_id, entry.target_type, entry.target_id) == (
        org_id,
        "export",
        expired_id,
    )
    assert entry.actor_type.value == "system" and entry.after["size"] == size
    assert delete_expired_exports() == 0  # nothing left to do: no second entry
    assert len(_expired_entries()) == 1


def test_a_file_another_export_shares_stays(app, redis_client):
    staff = _staffed("Refund for a cancelled booking")
    agent_id = staff.agent.id
    (first_id, key), (second_id, second_key) = (
        _made(app, agent_id, "csv"),
        _made(app, agent_id, "csv"),
    )
    assert key == second_key  # the same bytes: one stored file
    _expire(first_id)

    assert delete_expired_exports() == 1
    work(app)

    assert reload(first_id).storage_key is None
    assert reload(second_id).storage_key == key and storage().exists(key)


def test_a_rollback_keeps_the_file_and_only_the_commit_deletes_it(app, redis_client):
    staff = _staffed("Refund for a cancelled booking")
    export_id, key = _made(app, staff.agent.id, "csv")
    _expire(export_id)

    assert service.withdraw_expired_files() == 1
    db.session.rollback()  # a run that did not commit deletes no file
    work(app)
    assert storage().exists(key) and reload(export_id).storage_key == key
    assert _expired_entries() == []

    assert delete_expired_exports() == 1
    assert storage().exists(key)  # not within the transaction either
    work(app)
    assert not storage().exists(key)
