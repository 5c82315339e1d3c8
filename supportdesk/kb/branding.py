"""The help center's branding: its title, accent colour and logo (senior agents and admins)."""

from __future__ import annotations

import re

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.audit import service as audit
from supportdesk.db import touch_if_changed
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb.models import HelpCenter

DEFAULT_COLOR = "#2f5bd3"
MAX_LOGO_BYTES = 200_000
# Raster images only: an SVG can carry script when opened on its own.
LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _logo_type(data: bytes) -> str:
    for magic, mime in LOGO_TYPES.items():
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValidationFailed(
        "The logo must be a PNG, JPEG, GIF or WebP image.",
        {"logo": "Upload a PNG, JPEG, GIF or WebP image."},
    )


def contrast_text(color: str) -> str:
    """Black or white, whichever reads better on `color` (WCAG relative luminance)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def update_help_center(
    actor: User, *, title: str, color: str, logo: bytes | None = None, remove_logo: bool = False
) -> HelpCenter:
    """Save the help center's title (empty: the organization's name), colour and logo."""
    require(actor, "kb.manage")
    title = " ".join((title or "").split())
    if len(title) > 120:
        raise ValidationFailed("The title is too long.", {"title": "Use at most 120 characters."})
    color = (color or DEFAULT_COLOR).strip()
    if not _COLOR.match(color):
        raise ValidationFailed("The colour is not valid.", {"color": "Use a colour like #2f5bd3."})
    center = db.session.get(HelpCenter, actor.organization_id)
    if center is None:
        center = HelpCenter(organization_id=actor.organization_id, logo_type="")
        db.session.add(center)
    before = {"title": center.title or "", "color": center.color, "logo": bool(center.logo)}
    center.title, center.color = title, color.lower()
    if logo:
        if len(logo) > MAX_LOGO_BYTES:
            raise ValidationFailed("The logo is too large.", {"logo": "Use an image under 200 KB."})
        center.logo_type = _logo_type(logo)
        center.logo = logo
    elif remove_logo:
        center.logo, center.logo_type = None, ""
    touch_if_changed(center)  # an unchanged save leaves the row as it was
    db.session.flush()
    audit.record_changes(
        actor.organization_id, "help_center.updated", actor=actor,
        target=("help_center", actor.organization_id, "Help center"), before=before,
        after={"title": center.title, "color": center.color, "logo": bool(center.logo)},
    )  # fmt: skip
    return center
