"""The help center on an organization's own host name (help.example.com): the rules of the name,
and the public address of a help center or portal page.

An admin names the host in the organization settings. Requests whose Host is that name are
answered with the organization's help center and portal at the root path (supportdesk.help.hosts
routes them), and every public address (canonical links, the sitemap, portal sign-in and survey
links in emails, article links the composer inserts) uses it. The name is a DNS name of at least
two labels, stored lowercase without a trailing dot, unique among organizations, and never the
app's own host (whose console it would hide). Pointing DNS at the app and giving it a TLS
certificate is the installation's part (README: "The help center on its own host name").
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from supportdesk.accounts.models import Organization
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db

MAX_LENGTH = 253  # RFC 1035: a name of 255 octets on the wire is 253 characters written
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class PublicSite(Protocol):
    """What a public address needs of an organization (the row or a snapshot)."""

    slug: str
    help_host: str | None


def app_host() -> str:
    """The host name of the app itself (SUPPORTDESK_BASE_URL's), lowercase."""
    return (urlsplit(current_app.config["BASE_URL"]).hostname or "").lower()


def could_be_help_host(host: str) -> bool:
    """Whether a request's host name may name a help center: not the app's own, not an address,
    not a single label like `localhost` (no help host can be one of those, so no lookup)."""
    return "." in host and host != app_host() and not _is_address(host)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def normalized(value: str | None) -> str:
    """The name as stored: trimmed, lowercase, without a trailing dot; a pasted address
    (`https://help.example.com/`) gives its host. Internationalized names become ASCII (IDNA)."""
    value = (value or "").strip()
    if "://" in value:
        value = urlsplit(value).netloc
    value = value.rstrip("/").rstrip(".").lower()
    try:
        return value.encode("idna").decode("ascii") if value else ""
    except UnicodeError:
        return value  # refused by checked_help_host with a sentence


def checked_help_host(value: str | None, organization_id: int) -> str | None:
    """The normalized host name, or None for none; ValidationFailed with a sentence otherwise."""
    host = normalized(value)
    if not host:
        return None

    def refuse(message: str):
        return ValidationFailed(message, {"help_host": message})

    labels = host.split(".")
    if (
        len(host) > MAX_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise refuse(
            "Enter a host name like help.example.com: letters, digits and hyphens, with dots "
            "between the parts, and no port or path."
        )
    if host == app_host():
        raise refuse(
            f"{host} is this help desk's own address; choose a host name of your own, "
            "like help.example.com."
        )
    taken = db.session.scalar(
        sa.select(Organization.id).where(
            Organization.help_host == host, Organization.id != organization_id
        )
    )
    if taken is not None:
        raise refuse(f"{host} is already the help center address of another organization.")
    return host


def prefix(org_slug: str) -> str:
    """The path under which the app's own host serves the organization's help center."""
    return f"/help/{org_slug}"


def without_prefix(path: str, org_slug: str) -> str | None:
    """`path` as the help center's own host serves it (`/help/acme/articles/x` → `/articles/x`),
    or None when the path is not the organization's help center or portal."""
    start = prefix(org_slug)
    if path == start:
        return "/"
    if path.startswith(start + "/"):
        return path[len(start) :]
    return None


def public_url(org: PublicSite, endpoint: str, **values: Any) -> str:
    """The full address of a help center or portal page of `org`, for emails and search engines:
    on its own host name when it has one (SUPPORTDESK_HELP_HOST_SCHEME), else
    SUPPORTDESK_BASE_URL + /help/<slug>/…"""
    path = current_app.url_map.bind("").build(endpoint, {"org_slug": org.slug, **values})
    if org.help_host:
        own = without_prefix(path, org.slug)
        if own is not None:
            return f"{current_app.config['HELP_HOST_SCHEME']}://{org.help_host}{own}"
    return current_app.config["BASE_URL"].rstrip("/") + path
