"""Rendering emails from templates/emails/ and building the MIME message we send.

Two Jinja environments read the same folders (MAIL_TEMPLATES_DIR first when set, so an
installation can replace a template, then templates/emails/): `.html` templates are auto-escaped, `.txt`
templates are not (plain text has nothing to escape); user text is never marked safe. The
subject is the `subject` block of the `.txt` template. The HTML's <style> is inlined into
style attributes (css-inline) because many mail clients drop <style> blocks.

MIME is built with `email.message.EmailMessage` and `policy.SMTP`: the standard library refuses
CR/LF in any header value, and names and subjects are folded to one line before they get there.
Subject, From and To are encoded and folded by `mail.outbound.headers` (the stdlib folder
loses spaces in some non-ASCII subjects).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import css_inline
from flask import current_app, has_app_context
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from supportdesk import i18n
from supportdesk.mail.outbound import headers
from supportdesk.mail.outbound.models import EmailMessage

_TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "emails"


def one_line(value: str | None, limit: int | None = None) -> str:
    """Collapse all whitespace (CR/LF included) to single spaces: safe in a header."""
    text = " ".join((value or "").split())
    return text[:limit] if limit else text


def external_url(endpoint: str, **values: Any) -> str:
    """BASE_URL + the path of a route: a link for an email, built without a request context."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


@functools.cache
def _environments(override: str | None, language: str) -> tuple[Environment, Environment]:
    """The HTML and text environments of one language (its catalog installed for `_()`)."""
    folders = [override, str(_TEMPLATES)] if override else [str(_TEMPLATES)]
    loader = ChoiceLoader([FileSystemLoader(folder) for folder in folders])
    html = Environment(
        loader=loader, autoescape=True, undefined=StrictUndefined, extensions=["jinja2.ext.i18n"]
    )
    text = Environment(
        loader=loader,
        autoescape=False,  # noqa: S701  plain-text parts only; never rendered as HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    for env in (html, text):
        # newstyle: `_("… %(name)s", name=x)` escapes `x` in the HTML part, never the msgstr.
        env.install_gettext_translations(i18n.translations(language), newstyle=True)
    return html, text


@dataclass
class Rendered:
    """A rendered email: subject line, HTML part (CSS inlined) and text part."""

    subject: str
    html: str
    text: str


def render(kind: str, context: dict[str, Any], language: str | None = None) -> Rendered:
    """Render the `kind` template pair with `context` in `language` (None: English); the subject
    comes from the text template."""
    override = current_app.config.get("MAIL_TEMPLATES_DIR") if has_app_context() else None
    language = i18n.supported(language) or i18n.DEFAULT
    html_env, text_env = _environments(override, language)
    text_template = text_env.get_template(f"{kind}.txt")
    if "subject" not in text_template.blocks:
        raise TemplateError(f"{kind}.txt has no subject block")
    subject = one_line(
        "".join(text_template.blocks["subject"](text_template.new_context(context))), 400
    )
    context = {**context, "subject": subject, "language": language}
    html = html_env.get_template(f"{kind}.html").render(context)
    text = text_template.render(context)
    return Rendered(subject=subject, html=css_inline.inline(html), text=text)


def envelope_from() -> str:
    config = current_app.config
    return config.get("MAIL_FROM") or f"support@{config['MAIL_DOMAIN']}"


def build_mime(
    email: EmailMessage, sender_name: str, files: Sequence[MimeFile] = ()
) -> MimeMessage:
    """The RFC 5322 message for an outbox row: headers, text part, HTML alternative, files."""
    # Raw values (set_raw) are written as folded by mail.outbound.headers, never refolded.
    message = MimeMessage(policy=SMTP.clone(refold_source="none"))
    # Address() refuses CR/LF and malformed addresses (ValueError: the job records it).
    sender = Address(display_name=one_line(sender_name, 100), addr_spec=envelope_from())
    recipient = Address(display_name=one_line(email.to_name, 200), addr_spec=email.to_address)
    for name, mailbox in (("From", sender), ("To", recipient)):
        message.set_raw(name, headers.address(name, mailbox.display_name, mailbox.addr_spec))
    if email.cc:
        copied = [Address(addr_spec=a.strip()) for a in email.cc.split(",") if a.strip()]
        message["Cc"] = ", ".join(c.addr_spec for c in copied)
    message.set_raw("Subject", headers.unstructured("Subject", one_line(email.subject)))
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id_header
    if email.in_reply_to:
        message["In-Reply-To"] = one_line(email.in_reply_to)
    if email.references:
        message["References"] = one_line(email.references)
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    if email.automatic:
        message["Auto-Submitted"] = "auto-generated"
        # Ask Exchange/Outlook not to answer with out-of-office replies (mail-loop guard).
        message["X-Auto-Response-Suppress"] = "All"
    message["X-Supportdesk-Email"] = str(email.id)
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    _add_files(message, files)
    return message


@dataclass(frozen=True)
class MimeFile:
    """A file an email carries: inline (an image the HTML shows as cid:) or attached."""

    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None


def _add_files(message: MimeMessage, files: Sequence[MimeFile]) -> None:
    """multipart/related around the HTML for inline images, multipart/mixed for attachments:

    mixed( alternative( text, related( html, image… ) ), file… )
    """
    inline = [f for f in files if f.content_id]
    if inline:
        html = message.get_payload()[1]
        for f in inline:
            maintype, subtype = _types(f.content_type)
            html.add_related(
                f.data, maintype, subtype, cid=f"<{f.content_id}>", filename=f.filename,
                disposition="inline",
            )  # fmt: skip
    for f in files:
        if not f.content_id:
            maintype, subtype = _types(f.content_type)
            message.add_attachment(f.data, maintype, subtype, filename=f.filename)


def _types(content_type: str) -> tuple[str, str]:
    maintype, _, subtype = content_type.partition("/")
    if not maintype or not subtype or maintype == "multipart" or maintype == "message":
        return "application", "octet-stream"
    return maintype, subtype
