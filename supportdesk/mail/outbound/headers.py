"""Subject and address headers folded by us, so every subject and name arrives exactly as written.

Python 3.11's header folder (policy.SMTP) drops the space between adjacent encoded words or emits
empty ones for about one non-ASCII subject in ten ("1.200 €" arrives as "1.200€"; CPython issue
144156). So non-ASCII text (and ASCII that cannot be folded at a space) becomes RFC 2047 encoded
words, UTF-8 in base64, each holding whole characters (spaces included) and each on its own line;
pure ASCII is folded at spaces. Lines stay within 76 characters, so the policy writes the value
as given (`EmailMessage.set_raw`) and never refolds it. Decoders join adjacent encoded words and
drop the folding between them, so the decoded text is the original, byte for byte.
"""

from __future__ import annotations

import base64
import re

MAX_LINE = 76  # RFC 2047: a line holding encoded words is at most 76 characters
_PREFIX, _SUFFIX = "=?utf-8?b?", "?="
_SPECIALS_RE = re.compile(r'[][\\()<>@,:;".]')
_UNSAFE_ASCII_RE = re.compile(r"[\x00-\x1f\x7f]|=\?|\?=|  |^ | $")


def _encoded_length(byte_count: int) -> int:
    return len(_PREFIX) + 4 * -(-byte_count // 3) + len(_SUFFIX)


def _encoded(text: str) -> str:
    return _PREFIX + base64.b64encode(text.encode()).decode("ascii") + _SUFFIX


def _encoded_words(text: str, first_room: int) -> list[str]:
    """Encoded words of whole characters; the first fits `first_room`, the others a line."""
    words: list[str] = []
    chunk, size, room = "", 0, first_room
    for char in text:
        width = len(char.encode())
        if chunk and _encoded_length(size + width) > room:
            words.append(_encoded(chunk))
            chunk, size, room = "", 0, MAX_LINE - 1  # a continuation line starts with a space
        chunk, size = chunk + char, size + width
    if chunk:
        words.append(_encoded(chunk))
    return words


def _folded_ascii(text: str, first_room: int) -> list[str] | None:
    """ASCII folded at single spaces into lines that fit; None when a word is too long."""
    if _UNSAFE_ASCII_RE.search(text):
        return None
    lines: list[str] = []
    room = first_room
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
            continue
        if len(word) > (first_room if not lines else MAX_LINE - 1):
            return None
        if lines:
            room = MAX_LINE - 1
        lines.append(word)
    return lines


def unstructured(name: str, text: str) -> str:
    """A folded Subject-like value for `EmailMessage.set_raw(name, ...)`."""
    room = MAX_LINE - len(name) - 2
    lines = _folded_ascii(text, room) if text.isascii() else None
    if lines is None:
        lines = _encoded_words(text, room)
    return "\n ".join(lines)


def _greedy(words: list[str], first_room: int) -> list[str]:
    """Words joined by spaces into lines that fit where they can (a long word gets its own)."""
    lines: list[str] = []
    for word in words:
        room = first_room if len(lines) <= 1 else MAX_LINE - 1
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def address(name: str, display_name: str, addr_spec: str) -> str:
    """A folded mailbox (`Name <addr>`) for `EmailMessage.set_raw(name, ...)`.

    In a display name, the whitespace between two encoded words (or atoms) reads as one space,
    so the name is split at its spaces and each word is encoded whole; a single word longer
    than a line makes a longer line (RFC 5322 allows 998), never a space that was not there.
    """
    if not display_name:
        return addr_spec
    if display_name.isascii() and not _UNSAFE_ASCII_RE.search(display_name):
        phrase = display_name
        if _SPECIALS_RE.search(display_name):
            phrase = '"' + display_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        words = phrase.split(" ")
    elif _UNSAFE_ASCII_RE.search(display_name):
        words = [_encoded(display_name)]  # odd spacing: kept inside one encoded word
    else:
        words = [_encoded(word) for word in display_name.split(" ")]
    return "\n ".join(_greedy([*words, f"<{addr_spec}>"], MAX_LINE - len(name) - 2))
