"""The drill's receivers, each in its own process: an SMTP sink and a webhook receiver.

    python benchmarks/drill_sinks.py smtp --port 2525 --record smtp.jsonl --fail-flag smtp.fail
    python benchmarks/drill_sinks.py webhooks --port 8025 --record webhooks.jsonl

Both append one JSON line per message or request they accept, so the drill can count what
arrived (and how often) after the fact. While the file named by --fail-flag exists, the SMTP
sink answers every recipient with a temporary failure (451), as a mail server that is down for
maintenance would. SIGTERM stops either one.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Recorder:
    """Appends JSON lines to a file from any thread, flushed at once."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, record: dict) -> None:
        with self._lock:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()


class SmtpHandler:
    """aiosmtpd handler: accept and record, or refuse temporarily while the fail flag exists."""

    def __init__(self, recorder: Recorder, fail_flag: Path) -> None:
        self.recorder, self.fail_flag = recorder, fail_flag

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.fail_flag.exists():
            return "451 4.3.0 Drill: the mail server is failing for a minute, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=default)
        self.recorder.write(
            {
                "message_id": str(message.get("Message-ID", "")).strip(),
                "to": str(message.get("To", "")),
                "reply_to": str(message.get("Reply-To", "")),
                "subject": str(message.get("Subject", "")),
            }
        )
        return "250 2.0.0 Accepted"


def serve_smtp(port: int, recorder: Recorder, fail_flag: Path) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(SmtpHandler(recorder, fail_flag), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _wait_for_sigterm()
    finally:
        controller.stop()


def serve_webhooks(port: int, recorder: Recorder) -> None:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event_type = json.loads(body).get("type", "")
            except ValueError:
                event_type = "unparsable"
            recorder.write({"webhook_id": self.headers.get("webhook-id", ""), "type": event_type})
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args) -> None:  # noqa: A002
            pass  # one line per request would drown the drill's own output

    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _wait_for_sigterm()
    finally:
        server.shutdown()


def _wait_for_sigterm() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["smtp", "webhooks"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument(
        "--fail-flag", type=Path, help="smtp: refuse with 451 while this file exists"
    )
    args = parser.parse_args()
    recorder = Recorder(args.record)
    if args.kind == "smtp":
        serve_smtp(args.port, recorder, args.fail_flag or args.record.with_suffix(".fail"))
    else:
        serve_webhooks(args.port, recorder)


if __name__ == "__main__":
    main()
