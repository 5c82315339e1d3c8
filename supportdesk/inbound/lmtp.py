"""An LMTP server (aiosmtpd) for a local MTA: one result per recipient, all through receive_email.

The database work runs in a worker thread (with its own app context), so one slow commit never
stalls the event loop that talks to the MTA.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.lmtp import LMTP
from flask import Flask

from supportdesk.extensions import db
from supportdesk.mail.inbound.service import MessageTooLarge, receive_email

log = logging.getLogger(__name__)

# aiosmtpd drops data past its own limit; ours is checked precisely, with a clearer reply.
DATA_SLACK = 1024 * 1024


class InboundHandler:
    """aiosmtpd handler: every recipient of a message gets its own LMTP reply line."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _deliver(self, raw: bytes, recipient: str) -> str:
        with self.app.app_context():
            try:
                result = receive_email(raw, envelope_recipients=[recipient], source="lmtp")
                db.session.commit()
            except MessageTooLarge as exc:
                db.session.rollback()
                return f"552 5.3.4 {exc.message}"
            except Exception:
                # Nothing was stored; 4xx makes the MTA keep the mail and retry it.
                db.session.rollback()
                log.exception("Inbound mail for %s could not be stored", recipient)
                return "451 4.3.0 Temporary failure storing the message; try again later"
            finally:
                db.session.remove()
        return f"250 2.0.0 <{recipient}> {_ascii(result.sentence())[:400]}"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        raw = envelope.original_content or b""
        lines = []
        for recipient in envelope.rcpt_tos:
            lines.append(await asyncio.to_thread(self._deliver, raw, recipient))
        # LMTP answers DATA once per recipient (RFC 2033); aiosmtpd sends our lines as they are.
        return "\r\n".join(lines)


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode()


def make_server(app: Flask) -> LMTP:
    """The LMTP protocol object for one connection."""
    limit = int(app.config["INBOUND_MAX_MESSAGE_BYTES"]) + DATA_SLACK
    return LMTP(
        InboundHandler(app),
        data_size_limit=limit,
        decode_data=False,
        hostname=app.config["MAIL_DOMAIN"],  # not getfqdn(): no DNS lookup per connection
    )


async def serve(app: Flask, host: str, port: int) -> asyncio.Server:
    """Start listening; the caller keeps the loop running (or closes the server)."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: make_server(app), host=host, port=port)
