"""Which addresses are ours, and which organization a mail-domain address belongs to.

The one rule, used both ways: outbound never sends to an address of ours (the mail would come
straight back: a loop), inbound refuses mail from one (a loop, or a forgery of our own sender).
An address is ours when it is in our mail domain or any subdomain of it (reply addresses,
`support@<slug>.<MAIL_DOMAIN>`), when it is our sender (MAIL_FROM), or when it is a *verified*
support address of any organization. An unverified address is not ours: registering someone
else's address must not stop mail to or from them.

The namespace `*@<slug>.<MAIL_DOMAIN>` belongs to the organization with that slug alone; the
bare mail domain and deeper subdomains belong to no organization.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from supportdesk.extensions import db
from supportdesk.mail.inbound.models import SupportAddress


def mail_domain() -> str:
    """MAIL_DOMAIN, lower-cased."""
    return current_app.config["MAIL_DOMAIN"].lower()


def sender_address() -> str:
    """Our sender (MAIL_FROM, default support@MAIL_DOMAIN), lower-cased."""
    return (current_app.config.get("MAIL_FROM") or f"support@{mail_domain()}").lower()


def namespace_host(slug: str) -> str:
    """The mail host of an organization's namespace: `<slug>.<MAIL_DOMAIN>`."""
    return f"{slug}.{mail_domain()}"


def _host(address: str) -> str:
    return address.strip().lower().rpartition("@")[2]


def in_mail_domain(address: str) -> bool:
    """Whether the address is in our mail domain or one of its subdomains."""
    host, domain = _host(address), mail_domain()
    return host == domain or host.endswith("." + domain)


def namespace_slug(address: str) -> str | None:
    """The slug whose namespace holds `address`; None outside it (or on the bare domain)."""
    host, domain = _host(address), mail_domain()
    if not host.endswith("." + domain):
        return None
    label = host[: -len(domain) - 1]
    return label if label and "." not in label else None


def is_ours(address: str) -> bool:
    """Whether mail to or from `address` is our own (see the module docstring)."""
    address = (address or "").strip().lower()
    if not address:
        return False
    if in_mail_domain(address) or address == sender_address():
        return True
    verified = db.session.scalar(
        sa.select(SupportAddress.id).where(
            SupportAddress.address == address, SupportAddress.verified_at.is_not(None)
        )
    )
    return verified is not None
