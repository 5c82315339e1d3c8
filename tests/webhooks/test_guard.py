"""The address guard: only public http(s) destinations, checked on the address we connect to."""

from __future__ import annotations

import socket

import pytest

from supportdesk.extensions import db
from supportdesk.jobs.webhooks import deliver_webhook
from supportdesk.outbox import OutboxState
from supportdesk.webhooks import guard, service
from supportdesk.webhooks.models import WebhookAttempt
from tests.factories import make_ticket
from tests.fixtures.webhooks import deliveries, make_endpoint

_real_getaddrinfo = socket.getaddrinfo


def _fake_getaddrinfo(answers: dict[str, list[str]]):
    """The OS resolver, with some names answered from `answers` (a list is consumed in order,
    its last entry repeating) and `.invalid` names failing as RFC 6761 says they must."""
    calls: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        if isinstance(host, str) and host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host in answers:
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return _real_getaddrinfo(host, port, *args, **kwargs)

    getaddrinfo.calls = calls
    return getaddrinfo


@pytest.fixture
def resolver(monkeypatch):
    """A resolver where internal.example.test is a private (loopback) name."""
    fake = _fake_getaddrinfo({"internal.example.test": ["127.0.0.1"]})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def strict(app, monkeypatch):
    """The production setting: private destinations refused."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)


REFUSED = [
    pytest.param("http://10.0.0.1:{port}/hooks", "10.0.0.1", id="private-10"),
    pytest.param("http://127.0.0.1:{port}/hooks", "127.0.0.1", id="loopback"),
    pytest.param(
        "http://169.254.169.254/latest/meta-data/", "169.254.169.254", id="cloud-metadata"
    ),
    pytest.param("http://100.64.0.1:{port}/hooks", "100.64.0.1", id="carrier-grade-nat"),
    pytest.param("http://[::1]:{port}/hooks", "::1", id="ipv6-loopback"),
    pytest.param("http://[fc00::1]:{port}/hooks", "fc00::1", id="ipv6-unique-local"),
    pytest.param("http://[::ffff:127.0.0.1]:{port}/hooks", "::ffff:127.0.0.1", id="ipv4-mapped"),
    pytest.param("http://[2002:7f00:1::]:{port}/hooks", "2002:7f00:1::", id="6to4-loopback"),
    pytest.param("http://[64:ff9b::7f00:1]:{port}/hooks", "64:ff9b::7f00:1", id="nat64-loopback"),
    pytest.param("http://[::127.0.0.1]:{port}/hooks", "::127.0.0.1", id="v4-compatible-loopback"),
    pytest.param("http://0.0.0.0:{port}/hooks", "0.0.0.0", id="unspecified"),  # noqa: S104
    pytest.param("http://2130706433:{port}/hooks", "127.0.0.1", id="decimal-integer"),
    pytest.param("http://0x7f.1:{port}/hooks", "127.0.0.1", id="hex-short-form"),
    pytest.param("http://localhost:{port}/hooks", "private or reserved", id="localhost"),
    pytest.param("http://internal.example.test:{port}/hooks", "127.0.0.1", id="name-to-private"),
    pytest.param("http://does-not-exist.invalid/hooks", "could not be resolved", id="unresolvable"),
    pytest.param("ftp://127.0.0.1:{port}/hooks", "Only http:// and https://", id="ftp"),
    pytest.param("file:///etc/passwd", "Only http:// and https://", id="file"),
    pytest.param("http://user:pw@127.0.0.1:{port}/", "Credentials in the URL", id="credentials"),
    pytest.param("http:///hooks", "needs a host name", id="no-host"),
    pytest.param("http://127.0.0.1:99999/", "cannot be used", id="bad-port"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_an_admin_cannot_save_a_refused_destination(
    app, admin, httpserver, resolver, strict, url, reason
):
    with pytest.raises(guard.UnsafeDestination, match=reason.replace("+", r"\+")) as refused:
        service.create_endpoint(
            admin, url=url.format(port=httpserver.port), event_types=["ticket.created"]
        )
    assert "url" in refused.value.fields


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_delivery_to_a_refused_destination_sends_nothing(
    app, org, httpserver, resolver, strict, url, reason
):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    make_endpoint(org, url.format(port=httpserver.port), ["ticket.created"])
    make_ticket(org)
    db.session.commit()
    [delivery] = deliveries()
    assert deliver_webhook(delivery.id) is False
    attempt = db.session.scalar(db.select(WebhookAttempt))
    assert reason in attempt.error and attempt.status_code is None
    assert deliveries()[0].state is OutboxState.DEFERRED
    assert httpserver.log == []


def test_the_connection_goes_to_the_address_that_was_validated(app, org, httpserver, monkeypatch):
    # The resolver answers our receiver first, then (a rebinding attack) an unroutable address.
    fake = _fake_getaddrinfo({"rebind.example.test": ["127.0.0.1", "10.255.255.1"]})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    httpserver.expect_request("/hooks").respond_with_data("ok")
    make_endpoint(org, f"http://rebind.example.test:{httpserver.port}/hooks", ["ticket.created"])
    make_ticket(org)
    db.session.commit()
    assert deliver_webhook(deliveries()[0].id) is True
    [(request, _)] = httpserver.log
    assert request.headers["Host"] == f"rebind.example.test:{httpserver.port}"
    assert fake.calls.count("rebind.example.test") == 1  # resolved once, never again


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
        ],
    )
    with pytest.raises(guard.UnsafeDestination, match="10.0.0.5"):
        guard.resolve("https://mixed.example.test/hooks")


def test_a_public_target_connects_to_the_ip_and_keeps_the_name_for_host_and_sni(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:4700::1111", 443, 0, 0))
        ],
    )
    target = guard.resolve("https://hooks.example.com/in?x=1")
    assert target.connect_url == "https://[2606:4700::1111]:443/in?x=1"
    assert (target.hostname, target.host_header) == ("hooks.example.com", "hooks.example.com")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        pytest.param("8.8.8.8", True, id="public-v4"),
        pytest.param("2606:4700::1111", True, id="public-v6"),
        pytest.param("172.16.5.4", False, id="private-172"),
        pytest.param("192.168.1.1", False, id="private-192"),
        pytest.param("224.0.0.1", False, id="multicast"),
        pytest.param("240.0.0.1", False, id="reserved"),
        pytest.param("255.255.255.255", False, id="broadcast"),
        pytest.param("198.18.0.1", False, id="benchmarking"),
        pytest.param("fe80::1", False, id="link-local-v6"),
        pytest.param("ff02::1", False, id="multicast-v6"),
        pytest.param("::", False, id="unspecified-v6"),
        pytest.param("::ffff:10.0.0.1", False, id="mapped-private"),
        pytest.param("::ffff:8.8.8.8", True, id="mapped-public"),
        pytest.param("64:ff9b:1::a00:1", False, id="nat64-local"),
        # 6to4 (2002:AABB:CCDD::/48 carries AA.BB.CC.DD)
        pytest.param("2002:7f00:1::", False, id="6to4-loopback"),
        pytest.param("2002:a00:1::1", False, id="6to4-private-10"),
        pytest.param("2002:c0a8:101::1", False, id="6to4-private-192"),
        pytest.param("2002:a9fe:a9fe::", False, id="6to4-cloud-metadata"),
        pytest.param("2002:6440:1::", False, id="6to4-carrier-grade-nat"),
        pytest.param("2002::", False, id="6to4-unspecified"),
        pytest.param("2002:808:808::1", True, id="6to4-public"),
        # NAT64 well-known prefix (the last 32 bits)
        pytest.param("64:ff9b::7f00:1", False, id="nat64-loopback"),
        pytest.param("64:ff9b::a00:1", False, id="nat64-private-10"),
        pytest.param("64:ff9b::a9fe:a9fe", False, id="nat64-cloud-metadata"),
        # ::/8 is reserved: the whole NAT64 prefix stays refused, even with a public IPv4.
        pytest.param("64:ff9b::808:808", False, id="nat64-public-reserved"),
        pytest.param("64:ff9b:1::808:808", False, id="nat64-local-use-public-v4"),
        # IPv4-compatible (::a.b.c.d)
        pytest.param("::127.0.0.1", False, id="v4-compatible-loopback"),
        pytest.param("::10.0.0.1", False, id="v4-compatible-private"),
        pytest.param("::169.254.169.254", False, id="v4-compatible-metadata"),
        # Teredo: server 65.54.227.120, client obfuscated (XOR 0xffffffff)
        pytest.param("2001:0:4136:e378:8000:63bf:80ff:fffe", False, id="teredo-client-loopback"),
        pytest.param("2001:0:4136:e378:8000:63bf:f5ff:fffe", False, id="teredo-client-private"),
        pytest.param("2001:0:4136:e378:8000:63bf:f7f7:f7f7", False, id="teredo-client-public"),
        pytest.param("2001:0:7f00:1:8000:63bf:f7f7:f7f7", False, id="teredo-server-loopback"),
    ],
)
def test_is_public(address, public):
    assert guard.is_public(address) is public
