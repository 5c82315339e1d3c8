"""Fixtures for single sign-on: the tests' own identity provider and an organization using it."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role
from supportdesk.sso import provider
from supportdesk.sso.service import save_settings
from tests.fixtures.oidc import CLIENT_ID, CLIENT_SECRET, TestIdentityProvider


@pytest.fixture
def idp(app, httpserver):
    """The identity provider on a real HTTP server; the app accepts its plain-http issuer."""
    provider.forget_cached()
    app.config["SSO_ALLOW_HTTP"] = True
    yield TestIdentityProvider(httpserver).serve()
    app.config["SSO_ALLOW_HTTP"] = False
    provider.forget_cached()


@pytest.fixture
def sso_settings(idp, admin):
    """`admin`'s organization signs in with `idp` for acme.example (no JIT, not SSO only)."""
    return configure(admin, idp)


def configure(admin, idp, **changes):
    """Save the organization's settings for `idp`, with `changes` over the defaults."""
    values = {
        "enabled": True,
        "provider_name": "Acme ID",
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": "acme.example",
        "jit_enabled": False,
        "jit_role": Role.AGENT,
        "sso_only": False,
    }
    return save_settings(admin, **{**values, **changes})
