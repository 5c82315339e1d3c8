"""What every CRM client shares: one logged HTTP call, and its failures sorted by what to do next.

A failure is one of four kinds, because each leads somewhere else: `RateLimited` (wait as the CRM
asks, then carry on), `Unavailable` (5xx or network: retry with backoff), `Rejected` (the CRM
refused this record: retrying cannot help, the admin reads why) and `AuthFailed` (the credentials
no longer work: the connection is broken until an admin fixes it). Messages are sentences for
admins; no secret is ever part of one, nor of the call log.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

EXCERPT = 300  # characters of an answer kept in the sync log


class CrmError(Exception):
    """A call to the CRM failed; `str(error)` says why in a sentence."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(CrmError):
    """The CRM asked us to slow down (429): wait `retry_after` seconds, then resume."""

    def __init__(self, message: str, retry_after: float, *, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class Unavailable(CrmError):
    """The CRM could not answer now (5xx, timeout, refused connection): retry later."""


class Rejected(CrmError):
    """The CRM refused what we sent (a 4xx other than auth and rate limits): do not retry."""


class AuthFailed(CrmError):
    """The credentials were refused: the connection needs an admin."""


@dataclass
class CallLog:
    """The calls of one run, for the sync log: 'POST /crm/v3/... → 200 in 12 ms'."""

    lines: list[str] = field(default_factory=list)
    last_excerpt: str = ""
    duration_ms: int = 0

    def summary(self) -> str:
        return "\n".join(self.lines)[-1000:]


def retry_after(response: httpx.Response, default: float = 10.0) -> float:
    """Seconds the CRM asked us to wait: Retry-After (seconds or a date), else `default`."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    # HubSpot's rolling window: wait for it to pass.
    interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "")
    if interval.isdigit():
        return int(interval) / 1000
    return default


class Http:
    """One client for one run: base URL, timeouts, no redirects, every call logged without secrets."""

    def __init__(self, base_url: str, *, timeout: float, provider: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.log = CallLog()
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, url: str, *, secret: bool = False, **kwargs: Any) -> httpx.Response:
        """Send one request (a path is joined to the base URL); network failures → Unavailable.

        `secret`: the answer carries credentials (a token endpoint): none of it is kept."""
        if url.startswith("/"):
            url = self.base_url + url
        started = time.perf_counter()
        shown = httpx.URL(url).copy_with(query=None)
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            self._note(method, shown, "timed out", started)
            raise Unavailable(f"{self.provider} did not answer in time ({shown.host}).") from exc
        except httpx.HTTPError as exc:
            self._note(method, shown, type(exc).__name__, started)
            raise Unavailable(
                f"{self.provider} could not be reached at {shown.host}: {exc.__class__.__name__}."
            ) from exc
        self._note(method, shown, str(response.status_code), started)
        self.log.last_excerpt = "" if secret else response.text[:EXCERPT]
        return response

    def _note(self, method: str, url: httpx.URL, outcome: str, started: float) -> None:
        ms = int((time.perf_counter() - started) * 1000)
        self.log.duration_ms += ms
        self.log.lines.append(f"{method} {url.path} → {outcome} in {ms} ms")


def json_or_empty(response: httpx.Response) -> Any:
    """The answer's JSON, or {} when it has none (or is not JSON)."""
    try:
        return response.json()
    except ValueError:
        return {}
