"""One webhook POST: to the validated address, no redirects, connect and total timeouts, capped read.

Connections are kept alive in one pool per (scheme, host name, validated address, port, CA
bundle), so a worker delivering many events to one receiver opens one connection per concurrent
request, not one per attempt. The address guard still runs on every attempt, before the pool is
chosen: a pooled connection only ever reaches an address validated for that host name, and a
host that now resolves to a private address is refused even when a pool for its old address is
warm. The host name is part of the key so a TLS connection verified for one name is never
reused for another name on the same address.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import ssl
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import certifi
import httpx

from supportdesk.webhooks.guard import Target, UnsafeDestination, resolve

READ_LIMIT = 64 * 1024  # read at most this much of an answer
EXCERPT_LIMIT = 4 * 1024  # and keep this much of it
POOLS_KEPT = 256  # hosts whose idle connections are kept; the least recently used goes first
CONNECTIONS_PER_HOST = 32  # above the per-endpoint concurrency, so it never waits on the pool
KEEPALIVE_SECONDS = 30.0  # an idle connection is closed after this


@functools.cache
def _tls(cafile: str | None) -> ssl.SSLContext:
    # Loading a CA bundle costs ~40 ms: once per process, not once per attempt.
    return ssl.create_default_context(cafile=cafile or certifi.where())


class _Pools:
    """Keep-alive clients, one per destination key, the least recently used closed past a bound."""

    def __init__(self, size: int = POOLS_KEPT) -> None:
        self._size = size
        self._clients: OrderedDict[tuple, httpx.Client] = OrderedDict()
        self._lock = threading.Lock()

    def client(self, target: Target, ca_bundle: str | None) -> httpx.Client:
        key = (target.scheme, target.hostname, target.address, target.port, ca_bundle)
        with self._lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
            client = httpx.Client(
                follow_redirects=False,
                trust_env=False,
                verify=_tls(ca_bundle),
                limits=httpx.Limits(
                    max_connections=CONNECTIONS_PER_HOST,
                    max_keepalive_connections=CONNECTIONS_PER_HOST,
                    keepalive_expiry=KEEPALIVE_SECONDS,
                ),
            )
            self._clients[key] = client
            evicted = []
            while len(self._clients) > self._size:
                evicted.append(self._clients.popitem(last=False)[1])
        for old in evicted:
            old.close()
        return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            client.close()


pools = _Pools()


@dataclass(frozen=True)
class Outcome:
    """What one attempt produced: a status code and the answer's start, or an error."""

    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float,
    total_timeout: float,
    allow_private: bool,
    ca_bundle: str | None = None,
) -> Outcome:
    """POST `body` to `url`; never raises for network trouble, which becomes the outcome's error.

    Safe to call from several threads at once (the pools are shared). https certificates are checked against the URL's host name (sent as SNI) with `ca_bundle`
    (default: certifi's bundle), although the connection goes to the validated address.
    """
    started = time.monotonic()
    try:
        target = resolve(url, allow_private=allow_private)
    except UnsafeDestination as exc:
        return Outcome(None, 0, error=exc.message)
    extensions = {"sni_hostname": target.hostname} if target.scheme == "https" else {}
    timeout = httpx.Timeout(total_timeout, connect=connect_timeout)
    deadline = started + total_timeout
    client = pools.client(target, ca_bundle)
    try:
        request = client.build_request(
            "POST",
            target.connect_url,
            content=body,
            # No compression: the read cap must bound what the receiver can make us inflate.
            headers={**headers, "host": target.host_header, "accept-encoding": "identity"},
            extensions=extensions,
            timeout=timeout,
        )
        response = client.send(request, stream=True)
        try:
            data = _read_capped(response, deadline, total_timeout)
        finally:
            response.close()
        return Outcome(
            response.status_code,
            _ms_since(started),
            excerpt=data[:EXCERPT_LIMIT].decode("utf-8", errors="replace"),
            error="" if response.is_success else _status_error(response),
            retry_after=_retry_after(response),
        )
    except httpx.TimeoutException:
        return Outcome(None, _ms_since(started), error=f"Timed out after {total_timeout:g} s.")
    except httpx.HTTPError as exc:
        return Outcome(None, _ms_since(started), error=f"Connection failed: {exc}"[:500])


def _read_capped(response: httpx.Response, deadline: float, total_timeout: float) -> bytes:
    data = b""
    for chunk in response.iter_raw():
        data += chunk
        if len(data) >= READ_LIMIT:
            break
        if time.monotonic() > deadline:
            # A receiver trickling bytes must not hold the worker past the total timeout.
            raise httpx.ReadTimeout(f"Timed out after {total_timeout:g} s.")
    return data[:READ_LIMIT]


def _status_error(response: httpx.Response) -> str:
    if response.is_redirect:
        return f"Redirects are not followed (HTTP {response.status_code})."
    return f"HTTP {response.status_code}"


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by Retry-After on 429/503 (a number or an HTTP date), else None."""
    if response.status_code not in (429, 503):
        return None
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
