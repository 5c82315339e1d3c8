"""The drill's clients: tickets and replies through the JSON API, customer mail through /inbound/email.

Requests leave at a steady rate (each kind on its own clock, sent from a thread pool so a slow
answer does not slow the rate). A client that gets no answer, or a 5xx/429, records the error
with its time and tries again (0.5 s apart, for up to `retry_for` seconds), as a careful
integration would; each item is identified by a tag in its text so the drill can find it in the
database afterwards.
"""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import httpx

RETRIED = {429, 500, 502, 503, 504}
KINDS = ("ticket", "reply", "inbound")


@dataclass
class HttpError:
    """One failed try as the client saw it: when (seconds since the start), what, and the answer."""

    at: float
    kind: str
    what: str


@dataclass
class Tally:
    """What the clients did: confirmed items per kind, the errors they saw, what they gave up on."""

    confirmed: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: list[HttpError] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    retried_ok: int = 0


class Load:
    """Steady traffic against the load balancer; `run(seconds)` returns the Tally."""

    def __init__(
        self,
        base_url: str,
        token: str,
        inbound_token: str,
        smtp_record: Path,
        rates: dict[str, float],
        tag: str,
        retry_for: float = 120.0,
    ) -> None:
        self.client = httpx.Client(
            base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=32)
        )
        self.token, self.inbound_token = token, inbound_token
        self.smtp_record, self.rates, self.tag, self.retry_for = smtp_record, rates, tag, retry_for
        self.tally = Tally()
        self._lock = threading.Lock()
        self._tickets: list[int] = []
        self._mails: list[dict] = []  # emails our customers received (to reply to)
        self._read_up_to = 0
        self._random = random.Random(18)
        self.started = time.monotonic()

    # -- the clock ---------------------------------------------------------------------------

    def run(self, seconds: float) -> Tally:
        """Send for `seconds`, then wait for the requests still retrying."""
        actions = {"ticket": self._ticket, "reply": self._reply, "inbound": self._inbound}
        due = {kind: 0.0 for kind, rate in self.rates.items() if rate > 0}
        counts = dict.fromkeys(due, 0)
        self.started = time.monotonic()
        with ThreadPoolExecutor(max_workers=48) as pool:
            while True:
                now = time.monotonic() - self.started
                if now >= seconds:
                    break
                self._read_mails()
                for kind in due:
                    while due[kind] <= now:
                        counts[kind] += 1
                        pool.submit(self._guarded, actions[kind], counts[kind])
                        due[kind] += 1.0 / self.rates[kind]
                time.sleep(max(0.0, min(due.values()) - (time.monotonic() - self.started)))
        self.client.close()
        return self.tally

    def _guarded(self, action, n: int) -> None:
        try:
            action(n)
        except Exception as exc:  # a bug in the drill itself must show, not vanish in the pool
            with self._lock:
                self.tally.refused.append(f"drill error: {exc!r}")

    # -- the three kinds of traffic ----------------------------------------------------------

    def _ticket(self, n: int) -> None:
        key = f"{self.tag}-t{n}"
        body = {
            "subject": f"Drill ticket {key}",
            "body": f"Order {n} did not arrive. ({key})",
            "customer_email": f"{self.tag}-c{n}@customers.example",
            "customer_name": f"Customer {n}",
        }
        answer = self._send("ticket", key, "POST", "/api/v1/tickets", json=body, headers=self._api)
        if answer is not None:
            with self._lock:
                self._tickets.append(answer.json()["number"])

    def _reply(self, n: int) -> None:
        with self._lock:
            if not self._tickets:
                return
            number = self._random.choice(self._tickets)
        key = f"{self.tag}-r{n}"
        body = {"body": f"We sent it again. ({key})"}
        path = f"/api/v1/tickets/{number}/messages"
        self._send("reply", key, "POST", path, json=body, headers=self._api)

    def _inbound(self, n: int) -> None:
        with self._lock:
            if not self._mails:
                return
            mail = self._random.choice(self._mails)
        key = f"<{self.tag}-i{n}@customers.example>"
        message = EmailMessage()
        message["From"] = mail["to"]
        message["To"] = mail["reply_to"]
        message["Subject"] = f"Re: {mail['subject']}"
        message["Message-ID"] = key
        message["In-Reply-To"] = message["References"] = mail["message_id"]
        message.set_content(f"Thanks, it arrived. ({self.tag}-i{n})")
        reply_to = parseaddr(mail["reply_to"])[1]
        self._send(
            "inbound",
            key,
            "POST",
            "/inbound/email",
            params={"to": reply_to},
            content=message.as_bytes(),
            headers={
                "Authorization": f"Bearer {self.inbound_token}",
                "Content-Type": "message/rfc822",
            },
        )

    @property
    def _api(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _read_mails(self) -> None:
        """Pick up the emails the SMTP sink accepted since last time (customers' copies only)."""
        if not self.smtp_record.exists():
            return
        with self.smtp_record.open(encoding="utf-8") as lines:
            lines.seek(self._read_up_to)
            text = lines.read()
        complete = text[: text.rfind("\n") + 1]
        self._read_up_to += len(complete.encode())
        fresh = [json.loads(line) for line in complete.splitlines() if line]
        fresh = [m for m in fresh if m["reply_to"] and "@customers.example" in m["to"]]
        with self._lock:
            self._mails.extend(fresh)

    # -- one request, retried ----------------------------------------------------------------

    def _send(
        self, kind: str, key: str, method: str, path: str, **request
    ) -> httpx.Response | None:
        """Send until an answer that is not a temporary failure; None when given up or refused."""
        deadline = time.monotonic() + self.retry_for
        failed_before = False
        while True:
            try:
                answer = self.client.request(method, path, **request)
                what = str(answer.status_code) if answer.status_code in RETRIED else ""
            except httpx.TransportError as exc:
                answer, what = None, type(exc).__name__
            if not what:
                break
            failed_before = True
            with self._lock:
                self.tally.errors.append(HttpError(time.monotonic() - self.started, kind, what))
            if time.monotonic() > deadline:
                with self._lock:
                    self.tally.gave_up.append(key)
                return None
            time.sleep(0.5)
        if answer.status_code >= 300:
            with self._lock:
                self.tally.refused.append(f"{key}: {answer.status_code} {answer.text[:200]}")
            return None
        with self._lock:
            self.tally.confirmed[kind].append(key)
            self.tally.retried_ok += failed_before
        return answer
