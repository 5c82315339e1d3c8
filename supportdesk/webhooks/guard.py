"""The address guard: webhooks go only to public http(s) addresses, checked where we connect.

The host is resolved once; every address it resolves to must be public, and the request then
connects to that validated address (the original name travels in the Host header and TLS SNI),
so a resolver that answers differently a moment later (DNS rebinding) cannot redirect us.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from supportdesk.errors import ValidationFailed

# Networks `is_global` does not already refuse on every Python we support, named for the reader.
_REFUSED = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
]


class UnsafeDestination(ValidationFailed):
    """The URL is not http(s), does not resolve, or points at a private or reserved address."""

    code = "unsafe_destination"

    def __init__(self, message: str):
        super().__init__(message, {"url": message})


class RefusedDestination(UnsafeDestination):
    """A well-formed URL whose host does not resolve, or resolves to a private or reserved
    address: refused by policy (403), not for its form. Deliveries re-check it every time."""

    status = 403


@dataclass(frozen=True)
class Target:
    """Where to connect: the validated address, plus what the receiver expects to see."""

    scheme: str
    hostname: str
    port: int
    address: str
    host_header: str
    path: str

    @property
    def connect_url(self) -> str:
        """The URL with the validated address in place of the name."""
        ip = ipaddress.ip_address(self.address)
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        return f"{self.scheme}://{host}:{self.port}{self.path}"


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291 §2.5.5.1, deprecated


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which is where a packet to it ends up
    (IPv4-mapped ones aside: `is_public` judges those as the IPv4 alone).

    Python's `is_global` judges 6to4 (2002::/16), NAT64 (64:ff9b::/96) and IPv4-compatible
    (::a.b.c.d) addresses by their IPv6 prefix alone, so [2002:7f00:1::] (127.0.0.1 over 6to4)
    looks public. Teredo (2001::/32) carries the server and the client address, the client's
    obfuscated (XOR 0xffffffff); `ipaddress.teredo` undoes that.
    """
    found = []
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    return not any(ip in network for network in _REFUSED if network.version == ip.version)


def is_public(address: str) -> bool:
    """Whether `address` is a global unicast address, and so is every IPv4 address it embeds
    (an IPv4-mapped address is judged as its IPv4 alone)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return _is_public_ip(ip.ipv4_mapped)
    embedded = embedded_ipv4(ip) if ip.version == 6 else []
    return _is_public_ip(ip) and all(_is_public_ip(v4) for v4 in embedded)


def check_syntax(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an acceptable URL, or UnsafeDestination saying what is wrong."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(f"This URL cannot be used: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeDestination("The URL needs a host name.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("Credentials in the URL are not supported; verify the signature.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str, *, allow_private: bool = False) -> Target:
    """Resolve the URL's host once and validate every address; the target connects to the first."""
    scheme, hostname, port = check_syntax(url)
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedDestination(f"The host {hostname} could not be resolved.") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise RefusedDestination(f"The host {hostname} could not be resolved.")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise RefusedDestination(
                    f"The host {hostname} resolves to {address}, a private or reserved address; "
                    "webhooks are only sent to public addresses."
                )
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = 443 if scheme == "https" else 80
    host = f"[{hostname}]" if ":" in hostname else hostname
    host_header = host if port == default_port else f"{host}:{port}"
    return Target(scheme, hostname, port, addresses[0], host_header, path)
