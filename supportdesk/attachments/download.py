"""The HTTP answer that serves an attachment: one set of safe headers for console and API.

A file is a download (`Content-Disposition: attachment`, `application/octet-stream`) unless
it is asked for inline *and* it is a raster image whose bytes match its type (attachments.types):
then, and only then, it is shown with its image type. Every answer says `nosniff` and carries a
sandboxing Content-Security-Policy, so even a mislabelled file can run nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.queries import open_content
from supportdesk.errors import NotFound
from supportdesk.storage import CHUNK, MissingFile


def _chunks(content) -> Iterator[bytes]:
    if isinstance(content, bytes):
        yield content
        return
    try:
        while piece := content.read(CHUNK):
            yield piece
    finally:
        content.close()


def serve(attachment: Attachment, *, inline: bool = False) -> Response:
    """The file as a download, or as an image shown in the page when that is safe."""
    shown = inline and attachment.displayable
    try:
        content = open_content(attachment)
    except MissingFile:
        # The row outlived its bytes (a storage restored from an older backup): nothing to serve.
        raise NotFound("That file is no longer in the file storage.") from None
    response = Response(
        _chunks(content),
        mimetype=attachment.content_type if shown else "application/octet-stream",
        direct_passthrough=True,
    )
    response.content_length = attachment.size
    disposition = "inline" if shown else "attachment"
    response.headers.set("Content-Disposition", disposition, filename=attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
