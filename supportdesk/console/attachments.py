"""Console view serving a message's file: a download, or an image shown in the conversation."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from supportdesk.attachments import queries
from supportdesk.attachments.download import serve
from supportdesk.console import bp


@bp.get("/attachments/<int:attachment_id>")
def attachment_download(attachment_id: int):
    """Download a file; `?inline=1` shows a safe raster image in the page (never other types)."""
    attachment = queries.get_attachment(current_user.organization_id, attachment_id)
    return serve(attachment, inline=request.args.get("inline") == "1")
