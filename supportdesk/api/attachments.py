"""API for files on messages: download one, and read the files sent with a reply or ticket.

Files travel as base64 inside the JSON body, not as multipart/form-data: every write of this
API is one JSON document, validated by one schema and documented by the same decorator
(api.operations), so files get the same 4xx answers naming the field (`attachments.0.…`),
the same size limit (widened by the files' allowance) and the same examples. The cost is a
third more bytes on the wire, acceptable at the limits a help desk message carries.
"""

from __future__ import annotations

import base64

from supportdesk.api import schemas
from supportdesk.api.access import organization_id
from supportdesk.api.operations import operation
from supportdesk.attachments import queries
from supportdesk.attachments.download import serve
from supportdesk.attachments.service import Upload

TAG = "Tickets"


def uploads(items: list[schemas.AttachmentIn]) -> list[Upload]:
    """The files of a request body as the attachments service takes them (base64 checked by
    the schema's pattern, so decoding cannot fail)."""
    return [
        Upload(item.filename, item.content_type, base64.b64decode(item.content_base64), item.inline)
        for item in items
    ]


@operation(
    "GET",
    "/attachments/{attachment_id}",
    tag=TAG,
    summary="Download a file",
    file_response=True,
    path_params={"attachment_id": "The file's id (`attachments[].id` of a message)."},
)
def attachment_get(attachment_id: int):
    """The bytes of a file on a message of your organization, always as a download
    (`Content-Disposition: attachment`, `application/octet-stream`, `nosniff`). Files of
    inbound mail that were over a size limit were not kept: they are a 404."""
    return serve(queries.get_attachment(organization_id(), attachment_id))
