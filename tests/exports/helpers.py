"""What the export tests share: run the queued jobs with a real RQ worker, reload an export,
and read its file back."""

from __future__ import annotations

import csv
import io
import json

from rq import Queue, SimpleWorker

from supportdesk.exports import service
from supportdesk.exports.models import Export
from supportdesk.extensions import db
from supportdesk.storage import storage


def work(app) -> None:
    """Run every queued job (on the test's Redis) in this thread, as the worker would."""
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def reload(export_id: int) -> Export:
    """The export as the database has it now."""
    db.session.expire_all()
    return db.session.get(Export, export_id)


def parsed(export: Export) -> list[dict]:
    """The export's file parsed back (CSV with or without BOM, or JSON Lines)."""
    raw = storage().read(export.storage_key)
    assert len(raw) == export.size
    if export.format == "csv":
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    return [json.loads(line) for line in raw.decode().splitlines()]


def run(app, actor, kind: str, fmt: str, parameters: dict | None = None, **kw) -> Export:
    """Ask for an export as `actor`, commit, let the worker make it, and return it."""
    export = service.request_export(actor, kind, fmt, parameters or {"queue": "all"}, **kw)
    db.session.commit()
    export_id = export.id
    work(app)
    return reload(export_id)
