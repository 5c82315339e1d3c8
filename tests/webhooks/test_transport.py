"""The HTTP side of an attempt: Retry-After parsing and the total deadline, on a real server."""

from __future__ import annotations

import datetime as dt
import email.utils
import socket
import ssl
import subprocess
import threading
import time

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from supportdesk.webhooks import transport
from tests.fixtures.webhooks import KeepAliveReceiver


def _response(status: int, retry_after: str | None) -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return httpx.Response(status, headers=headers)


@pytest.mark.parametrize(
    ("status", "value", "expected"),
    [
        pytest.param(429, "30", 30.0, id="seconds"),
        pytest.param(429, "", None, id="empty"),
        pytest.param(429, None, None, id="absent"),
        pytest.param(503, "soon", None, id="garbage"),
        pytest.param(503, "Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="date-in-the-past"),
        pytest.param(503, "Wed, 21 Oct 2015 07:28:00", 0.0, id="date-without-zone"),
        pytest.param(500, "30", None, id="not-429-or-503"),
    ],
)
def test_retry_after(status, value, expected):
    assert transport._retry_after(_response(status, value)) == expected


def test_retry_after_as_a_future_date():
    when = email.utils.format_datetime(
        dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10), usegmt=True
    )
    assert 590 <= transport._retry_after(_response(429, when)) <= 600


def test_a_receiver_that_trickles_its_answer_is_cut_at_the_total_timeout(httpserver):
    release = threading.Event()

    def trickle():
        yield b"x"
        release.wait(5)
        yield b"y"

    httpserver.expect_request("/hooks").respond_with_handler(lambda request: Response(trickle()))
    try:
        outcome = transport.post(
            httpserver.url_for("/hooks"),
            b"{}",
            {},
            connect_timeout=1,
            total_timeout=0.3,
            allow_private=True,
        )
    finally:
        release.set()
    assert outcome.status_code is None and outcome.error == "Timed out after 0.3 s."
    for _ in range(100):  # let the receiver finish inside this test
        if httpserver.log:
            break
        time.sleep(0.02)


@pytest.fixture
def tls_receiver(tmp_path):
    """An https receiver on 127.0.0.1 with a self-signed certificate for hooks.example.test,
    recording the SNI name each connection asked for."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=hooks.example.test",
            "-addext",
            "subjectAltName=DNS:hooks.example.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    names: list[str] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = HTTPServer(host="127.0.0.1", ssl_context=context)
    server.expect_request("/hooks").respond_with_data("secure ok")
    server.start()
    try:
        yield server, str(cert), names
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def hooks_example_test(monkeypatch):
    """hooks.example.test resolves to 127.0.0.1 (the OS resolver, faked for one name)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_https_connects_to_the_address_with_the_name_in_sni_and_checks_the_certificate(
    tls_receiver, hooks_example_test
):
    server, cert, names = tls_receiver
    outcome = transport.post(
        f"https://hooks.example.test:{server.port}/hooks",
        b"{}",
        {},
        connect_timeout=2,
        total_timeout=5,
        allow_private=True,
        ca_bundle=cert,
    )
    assert (outcome.status_code, outcome.excerpt) == (200, "secure ok")
    assert names == ["hooks.example.test"]
    [(request, _)] = server.log
    assert request.headers["Host"] == f"hooks.example.test:{server.port}"


def test_https_refuses_a_certificate_we_do_not_trust(tls_receiver, hooks_example_test):
    server, _, names = tls_receiver
    outcome = transport.post(
        f"https://hooks.example.test:{server.port}/hooks",
        b"{}",
        {},
        connect_timeout=2,
        total_timeout=5,
        allow_private=True,
    )
    assert outcome.status_code is None and "CERTIFICATE_VERIFY_FAILED" in outcome.error
    assert server.log == []


@pytest.fixture
def receiver():
    """A keep-alive receiver; the process's pools are closed afterwards."""
    with KeepAliveReceiver() as server:
        yield server
    transport.pools.close()


def _post(url: str, *, allow_private: bool) -> transport.Outcome:
    return transport.post(
        url, b"{}", {}, connect_timeout=2, total_timeout=5, allow_private=allow_private
    )


def test_attempts_to_one_host_reuse_a_kept_alive_connection(receiver):
    outcomes = [_post(receiver.url("/hooks"), allow_private=True) for _ in range(3)]
    assert [o.status_code for o in outcomes] == [200, 200, 200]
    assert len(receiver.ports()) == 3 and len(set(receiver.ports())) == 1


def test_a_host_resolving_to_a_private_address_is_refused_even_with_a_warm_pool(
    receiver, hooks_example_test
):
    assert _post(receiver.url("/hooks"), allow_private=True).status_code == 200
    # A pool to 127.0.0.1 is open; a name that resolves there is still checked, and refused.
    outcome = _post(f"http://hooks.example.test:{receiver.port}/hooks", allow_private=False)
    assert outcome.status_code is None
    assert outcome.error.startswith("The host hooks.example.test resolves to 127.0.0.1")
    assert len(receiver.requests) == 1


def test_each_host_name_has_its_own_pool_even_on_one_address(receiver, hooks_example_test):
    for url in (receiver.url("/hooks"), f"http://hooks.example.test:{receiver.port}/hooks") * 2:
        assert _post(url, allow_private=True).status_code == 200
    ports = receiver.ports()
    assert len(set(ports)) == 2  # one connection per name (TLS is verified per name)
    assert ports[0] == ports[2] and ports[1] == ports[3]


def test_the_least_recently_used_pool_is_closed_past_the_bound(receiver, monkeypatch):
    pools = transport._Pools(size=1)
    monkeypatch.setattr(transport, "pools", pools)
    urls = [
        receiver.url("/hooks"),
        f"http://localhost:{receiver.port}/hooks",
        receiver.url("/hooks"),
    ]
    assert [_post(url, allow_private=True).status_code for url in urls] == [200, 200, 200]
    assert len(set(receiver.ports())) == 3  # the first pool was closed when the second was made
    pools.close()
