"""The HTTP answer that serves an export's file (streamed from the file storage)."""

from __future__ import annotations

from flask import Response

from supportdesk.attachments.download import _chunks
from supportdesk.errors import NotFound
from supportdesk.exports.models import Export
from supportdesk.storage import MissingFile, storage

MIMETYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def serve(export: Export) -> Response:
    """The export as a download."""
    try:
        content = storage().open(export.storage_key)
    except MissingFile:
        raise NotFound("That file is no longer in the file storage.") from None
    response = Response(
        _chunks(content), mimetype=MIMETYPES[export.format], direct_passthrough=True
    )
    response.content_length = export.size
    response.headers.set("Content-Disposition", "attachment", filename=export.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
