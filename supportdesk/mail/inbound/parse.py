"""Reading a raw RFC 5322 message: headers, decoded text and HTML bodies, attachments.

Pure functions over bytes (no database). Charsets are decoded with fallbacks, because real mail
lies about them: ISO-8859-1 labels often hide windows-1252 (the € sign), unknown labels happen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

import nh3

from supportdesk.attachments.types import safe_filename

# windows-1252 is a superset of ISO-8859-1 for printable text: decoding with it is never worse.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MSGID_RE = re.compile(r"<[^<>\s]{1,990}>")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}


class Unparseable(Exception):
    """The bytes are not a mail message we can read (no usable sender)."""


@dataclass
class Part:
    """An attachment or inline image taken from the message."""

    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None


@dataclass
class ParsedEmail:
    """What the rest of the inbound code needs from a message."""

    message: EmailMessage
    from_address: str
    from_name: str
    subject: str
    message_id: str | None
    in_reply_to: str | None
    references: str | None
    text: str
    html: str
    parts: list[Part] = field(default_factory=list)

    def header(self, name: str) -> str:
        return clean_line(str(self.message.get(name, "") or ""))


def content_language(parsed: ParsedEmail) -> str | None:
    """The language the sender wrote in, from Content-Language (RFC 3282): the message's own,
    else its first text part's (where Outlook and Thunderbird put it), as supportdesk.i18n
    knows it; None when absent or not one we speak."""
    from supportdesk.i18n import from_header

    values = [parsed.message.get("Content-Language")]
    values += [part.get("Content-Language") for part in parsed.message.walk()]
    for value in values:
        if value:
            return from_header(clean_line(str(value)))
    return None


def clean_line(value: str) -> str:
    """One line of text: CR, LF and other control characters become spaces (no header injection)."""
    return " ".join(_CONTROL_RE.sub(" ", value or "").split())


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Decode text with its declared charset, falling back to UTF-8 then windows-1252."""
    charset = (charset or "").strip().strip('"').lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    candidates = [c for c in (charset, "utf-8") if c and c != "us-ascii"] or ["utf-8"]
    for name in candidates:
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")


def parse_message(raw: bytes) -> EmailMessage:
    """The message object, or Unparseable when the bytes hold no headers at all."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the stdlib parser is lenient; anything raised here is garbage
        raise Unparseable(f"The message could not be parsed ({exc.__class__.__name__}).") from exc
    if not message.keys():
        raise Unparseable("The message has no headers.")
    return message


def _raw_header(message: EmailMessage, name: str) -> str:
    """A header as sent, its encoded words decoded by the lenient legacy decoder."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            try:
                return str(make_header(decode_header(str(value))))
            except Exception:  # undecodable encoded words: keep them as they came
                return str(value)
    return ""


def header_text(message: EmailMessage, name: str) -> str:
    """A header's decoded value as one clean line ('' when missing or malformed)."""
    try:
        value = str(message.get(name) or "")
    except Exception:  # the registry refuses it (CR/LF in an address): read it leniently
        value = _raw_header(message, name)
    return clean_line(value)


def addresses(message: EmailMessage, name: str) -> list[str]:
    """Every address in the header(s) `name`, lower-cased (read from the raw header lines)."""
    values: list[str] = []
    headers = [str(v) for k, v in message.raw_items() if k.lower() == name.lower()]
    for value in headers:
        for _, addr in getaddresses([value]):
            addr = addr.strip().lower()
            if "@" in addr and not _CONTROL_RE.search(addr):
                values.append(addr)
    return values


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        header = message.get("From")
        group = getattr(header, "addresses", ())
        address: Address | None = group[0] if group else None
    except Exception:
        address = None
    if address is not None and address.addr_spec and "@" in address.addr_spec:
        return address.addr_spec.strip().lower(), clean_line(address.display_name)[:200]
    fallback = addresses(message, "From")
    if fallback:
        name = getaddresses([_raw_header(message, "From")])[0][0]
        return fallback[0], clean_line(name)[:200]
    raise Unparseable("No sender address could be read from the From header.")


def message_ids(value: str | None) -> list[str]:
    """The <id@host> tokens of a Message-ID, In-Reply-To or References value."""
    return _MSGID_RE.findall(value or "")


def _part_text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: EmailMessage, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return safe_filename(name, part.get_content_type(), index)


def _walk(part: EmailMessage, found: list[EmailMessage]) -> None:
    # Our own walk: a forwarded message/rfc822 is one attachment, not text to mix into the body.
    if part.get_content_maintype() == "multipart":
        for child in part.iter_parts():
            _walk(child, found)
    else:
        found.append(part)


def _is_attachment(part: EmailMessage) -> bool:
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    is_body_text = part.get_content_type() in ("text/plain", "text/html")
    return not is_body_text


def _bodies_and_parts(message: EmailMessage) -> tuple[str, str, list[Part]]:
    leaves: list[EmailMessage] = []
    _walk(message, leaves)
    text, html, parts = "", "", []
    for index, part in enumerate(leaves, start=1):
        if not _is_attachment(part):
            subtype = part.get_content_subtype()
            if subtype == "plain" and not text:
                text = _part_text(part)
                continue
            if subtype == "html" and not html:
                html = _part_text(part)
                continue
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            data = inner.as_bytes() if hasattr(inner, "as_bytes") else b""
        else:
            data = part.get_payload(decode=True) or b""
        content_id = (part.get("Content-ID") or "").strip().strip("<>")[:255] or None
        parts.append(
            Part(
                filename=_filename(part, index),
                content_type=part.get_content_type()[:255],
                data=data,
                content_id=content_id,
            )
        )
    return text, html, parts


def read(raw: bytes) -> ParsedEmail:
    """Parse `raw` into a ParsedEmail; Unparseable when there are no headers or no sender."""
    message = parse_message(raw)
    from_address, from_name = _sender(message)
    text, html, parts = _bodies_and_parts(message)
    if html:
        html = sanitize_html(html)
        if not text.strip():
            text = html_to_text(html)
    ids = message_ids(header_text(message, "Message-ID"))
    return ParsedEmail(
        message=message,
        from_address=from_address,
        from_name=from_name,
        subject=header_text(message, "Subject"),
        message_id=ids[0] if ids else None,
        in_reply_to=header_text(message, "In-Reply-To") or None,
        references=header_text(message, "References") or None,
        text=text.replace("\r\n", "\n").replace("\x00", ""),
        html=html,
        parts=parts,
    )


def sanitize_html(html: str) -> str:
    """Keep an allow-list of harmless tags; scripts, styles, handlers and javascript: URLs go."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


_BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "pre", "hr"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    """A plain-text version of (sanitized) HTML: block elements become line breaks."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.chunks).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
