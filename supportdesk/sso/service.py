"""Single sign-on rules: saving an organization's settings, which organization an address signs
in with, the agent a verified ID token stands for (just-in-time creation included), and what
"SSO only" does to password sign-in. Flushes only; callers commit.

Break-glass: with "SSO only" on, the organization's admins keep their password (and its second
factor) so that an identity provider outage or a wrong setting cannot lock everybody out; each
such sign-in is recorded in the audit log as `auth.break_glass`. Everybody else is refused a
password sign-in and sent to "Sign in with SSO".
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from supportdesk import audit
from supportdesk.accounts.models import Role, User
from supportdesk.accounts.permissions import require
from supportdesk.accounts.queries import find_by_email
from supportdesk.accounts.service import invalidate_open_resets, register_agent
from supportdesk.audit.service import agent_label
from supportdesk.db import touch_if_changed, utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.sessions.service import start_session
from supportdesk.sso.models import SsoSettings
from supportdesk.sso.provider import SsoFailure, forget_cached

log = logging.getLogger(__name__)

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
JIT_ROLES = (Role.VIEWER, Role.AGENT, Role.SENIOR_AGENT)  # never admin by default
AUDITED = (
    "enabled",
    "provider_name",
    "issuer",
    "client_id",
    "allowed_domains",
    "jit_enabled",
    "jit_role",
    "sso_only",
)
SSO_ONLY_MESSAGE = (
    "Your organization signs in with single sign-on: use “Sign in with SSO” below. "
    "If your identity provider is down, ask an admin of your help desk."
)


def settings_for(organization_id: int) -> SsoSettings | None:
    """The organization's saved settings, if any."""
    return db.session.scalar(
        sa.select(SsoSettings).where(SsoSettings.organization_id == organization_id)
    )


def parse_domains(text: str) -> list[str]:
    """The domains of a comma- or line-separated list, lower-cased, without '@', in order."""
    found: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        domain = part.strip().lower().lstrip("@").rstrip(".")
        if domain and domain not in found:
            found.append(domain)
    return found


def _checked(
    organization_id: int,
    *,
    enabled: bool,
    issuer: str,
    client_id: str,
    domains: list[str],
    jit_role: Role,
    sso_only: bool,
    secret_known: bool,
) -> None:
    fields: dict[str, str] = {}
    url = urlsplit(issuer)
    allow_http = bool(current_app.config.get("SSO_ALLOW_HTTP"))
    if issuer and (url.scheme not in ("https", "http") or not url.netloc or url.query):
        fields["issuer"] = "Enter the issuer URL, such as https://login.example.com."
    elif issuer and url.scheme == "http" and not allow_http:
        fields["issuer"] = "The issuer must use https://."
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad:
        fields["allowed_domains"] = f"Not a domain: {', '.join(bad)}."
    elif domains:
        taken = _claimed_elsewhere(organization_id, domains)
        if taken:
            fields["allowed_domains"] = (
                f"Another organization signs in with {', '.join(taken)} already."
            )
    if jit_role not in JIT_ROLES:
        fields["jit_role"] = "New agents start as viewer, agent or senior agent."
    if enabled:
        for name, value, message in (
            ("issuer", issuer, "Enter the issuer URL to turn single sign-on on."),
            ("client_id", client_id, "Enter the client id to turn single sign-on on."),
            ("allowed_domains", domains, "Allow at least one email domain."),
            ("client_secret", secret_known, "Enter the client secret to turn single sign-on on."),
        ):
            if not value:
                fields.setdefault(name, message)
    if sso_only and not enabled:
        fields["sso_only"] = "Turn single sign-on on before making it the only way in."
    if fields:
        raise ValidationFailed("The single sign-on settings were not saved.", fields)


def _claimed_elsewhere(organization_id: int, domains: list[str]) -> list[str]:
    others = db.session.scalars(
        sa.select(SsoSettings.allowed_domains).where(SsoSettings.organization_id != organization_id)
    )
    claimed = {d for row in others for d in (row or [])}
    return [d for d in domains if d in claimed]


def save_settings(
    actor: User,
    *,
    enabled: bool,
    provider_name: str,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    allowed_domains: str,
    jit_enabled: bool,
    jit_role: Role,
    sso_only: bool,
) -> SsoSettings:
    """Save the organization's settings (an empty `client_secret` keeps the stored one); the
    audit log gets what changed, the secret only as 'replaced'."""
    require(actor, "organization.manage")
    row = settings_for(actor.organization_id)
    before = audit.service.snapshot(row, AUDITED) if row is not None else None
    issuer = (issuer or "").strip()
    client_id = (client_id or "").strip()
    domains = parse_domains(allowed_domains)
    secret = (client_secret or "").strip() or None
    _checked(
        actor.organization_id,
        enabled=enabled,
        issuer=issuer,
        client_id=client_id,
        domains=domains,
        jit_role=jit_role,
        sso_only=sso_only,
        secret_known=bool(secret or (row is not None and row.client_secret)),
    )
    if row is None:
        row = SsoSettings(organization_id=actor.organization_id)
        db.session.add(row)
    row.enabled = enabled
    row.provider_name = " ".join((provider_name or "").split())[:80]
    row.issuer = issuer
    row.client_id = client_id
    row.allowed_domains = domains
    row.jit_enabled = jit_enabled
    row.jit_role = jit_role
    row.sso_only = sso_only
    if secret is not None:
        row.client_secret = secret
    touch_if_changed(row)  # an unchanged save leaves the row as it was
    db.session.flush()
    after = audit.service.snapshot(row, AUDITED)
    was, now = audit.service.changes(before or {}, after)
    if secret is not None:
        now["client_secret_replaced"] = True
    if now:
        audit.record(
            actor.organization_id,
            "sso.updated",
            actor=actor,
            target=("sso", row.id, row.provider_name or "Single sign-on"),
            before=was if before is not None else None,
            after=now,
        )
    forget_cached()
    return row


def settings_for_email(email: str) -> SsoSettings | None:
    """The usable settings an address signs in with: its agent's organization's, else those of
    the organization that allows its domain (for just-in-time agents)."""
    email = (email or "").strip().lower()
    user = find_by_email(email)
    if user is not None:
        row = settings_for(user.organization_id)
        return row if row is not None and row.usable else None
    domain = email.rpartition("@")[2]
    for row in db.session.scalars(sa.select(SsoSettings).where(SsoSettings.enabled.is_(True))):
        if row.usable and domain in (row.allowed_domains or []):
            return row
    return None


def settings_for_slug(slug: str) -> SsoSettings | None:
    """The usable settings of the organization with this slug (its direct sign-in link)."""
    from supportdesk.accounts.models import Organization

    row = db.session.scalar(
        sa.select(SsoSettings).join(Organization).where(Organization.slug == slug)
    )
    return row if row is not None and row.usable else None


def password_refused(user: User) -> bool:
    """Whether 'SSO only' refuses this agent a password sign-in (admins keep it: break-glass)."""
    row = settings_for(user.organization_id)
    return bool(row and row.usable and row.sso_only and user.role is not Role.ADMIN)


def record_break_glass(user: User) -> None:
    """An admin's password sign-in while 'SSO only' is on gets its own audit entry."""
    row = settings_for(user.organization_id)
    if row is not None and row.usable and row.sso_only and user.role is Role.ADMIN:
        audit.record(
            user.organization_id,
            "auth.break_glass",
            actor=user,
            target=("agent", user.id, agent_label(user)),
            after={"sso_only": True},
        )


def agent_for(settings: SsoSettings, claims: dict) -> tuple[User, bool]:
    """The agent a verified ID token stands for, and whether it was just created.

    The address must be verified by the provider (`email_verified`), of an allowed domain, and
    either an active agent of this organization or, with just-in-time creation on, nobody's.
    """
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise SsoFailure(
            "no_email",
            "The identity provider sent no email address: allow the “email” scope for this "
            "application at the provider.",
        )
    if claims.get("email_verified") is not True:
        raise SsoFailure(
            "email_not_verified",
            f"The identity provider has not verified the address {email}, so it cannot sign "
            "in. Verify it at the provider first.",
        )
    if email.rpartition("@")[2] not in (settings.allowed_domains or []):
        raise SsoFailure(
            "domain_not_allowed",
            f"The address {email} is not in a domain allowed to sign in with single sign-on "
            f"({', '.join(settings.allowed_domains)}).",
        )
    user = find_by_email(email)
    if user is not None and user.organization_id != settings.organization_id:
        raise SsoFailure(
            "other_organization",
            f"The address {email} belongs to an agent of another organization.",
        )
    if user is not None and not user.active:
        raise SsoFailure(
            "deactivated",
            f"The agent {email} is deactivated. An admin can reactivate them under Agents.",
        )
    if user is not None:
        return user, False
    if not settings.jit_enabled:
        raise SsoFailure(
            "no_agent",
            f"There is no agent with the address {email}. Ask an admin to invite you, or to "
            "turn on automatic agent creation in the single sign-on settings.",
        )
    name = str(claims.get("name") or "").strip() or email.split("@")[0]
    user = register_agent(
        settings.organization,
        email=email,
        name=name,
        password=secrets.token_urlsafe(32),  # nobody knows it: a password reset sets one
        role=settings.jit_role,
    )
    audit.record(
        settings.organization_id,
        "agent.created",
        target=("agent", user.id, agent_label(user)),
        after={"email": user.email, "role": user.role, "via": "single sign-on"},
    )
    return user, True


def sign_in(settings: SsoSettings, claims: dict, *, address: str, user_agent: str) -> User:
    """Start a session for the agent of these verified claims and record the sign-in."""
    user, created = agent_for(settings, claims)
    user.last_login_at = utcnow()
    user.web_session = start_session(
        user, remember=False, ip_address=address, user_agent=user_agent
    )
    invalidate_open_resets(user)
    audit.record(
        user.organization_id,
        "auth.sign_in",
        actor=user,
        target=("agent", user.id, agent_label(user)),
        after={
            "method": "single sign-on",
            "issuer": settings.issuer,
            "subject": str(claims.get("sub", ""))[:200],
            "created": created,
            "session_id": user.web_session.id,
        },
    )
    return user


def record_failure(
    organization_id: int, failure: SsoFailure, *, email: str | None, address: str
) -> None:
    """Put a refused single sign-on in the organization's audit log (its own transaction: the
    caller commits after rolling the attempt back), and in the app log without secrets."""
    log.info(
        "Single sign-on refused for organization %s from %s: %s",
        organization_id,
        address,
        failure.reason,
    )
    user = find_by_email(email) if email else None
    if user is not None and user.organization_id == organization_id:
        target = ("agent", user.id, agent_label(user))
    else:
        target = ("agent", None, (email or "unknown address")[:200])
    audit.record(
        organization_id,
        "auth.sign_in_failed",
        target=target,
        after={"method": "single sign-on", "reason": failure.reason, "detail": failure.message},
        ip_address=address,
    )
