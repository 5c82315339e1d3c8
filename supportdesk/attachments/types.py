"""Which files a browser may display: the one table, used by downloads, pages and mail.

Only raster images whose bytes are what their type says are ever served inline; everything
else (SVG, HTML, PDF, scripts, unknown types) is served as a download with a neutral type.
"""

from __future__ import annotations

import mimetypes
import re

# Content type -> how its bytes begin. SVG is not here on purpose: it can carry scripts.
INLINE_IMAGES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
DEFAULT_TYPE = "application/octet-stream"


def inline_image(content_type: str | None) -> bool:
    """Whether this declared type is one a browser may show inline."""
    return (content_type or "").lower() in INLINE_IMAGES


def looks_like(content_type: str, head: bytes) -> bool:
    """Whether the first bytes match the inline image type (WebP: RIFF....WEBP)."""
    magics = INLINE_IMAGES.get(content_type.lower(), ())
    if content_type.lower() == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return any(head.startswith(m) for m in magics)


def clean_type(declared: str | None, filename: str, head: bytes) -> str:
    """The type we record: the declared one when well-formed, else guessed from the name.

    An image type whose bytes are not that image is recorded as a plain download, so it can
    never be shown inline.
    """
    value = (declared or "").split(";")[0].strip().lower()
    if "/" not in value or len(value) > 100 or not value.isascii() or " " in value:
        value = mimetypes.guess_type(filename)[0] or DEFAULT_TYPE
    if inline_image(value) and not looks_like(value, head):
        return DEFAULT_TYPE
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r"[^\w .()\[\]+-]")


def safe_filename(name: str | None, content_type: str, index: int) -> str:
    """A name safe on any disk and in any header: no path, no control characters, ≤ 200 chars.

    A name with nothing left becomes `attachment-<index><extension of the type>`.
    """
    name = " ".join(_CONTROL.sub(" ", name or "").split())
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")[:200]
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{index}{extension}"
    return name
