"""Connecting Salesforce by signing in: the OAuth 2.0 web server flow (authorization code with a
PKCE S256 challenge, as Salesforce recommends for it).

The admin saves the connected app's consumer key and secret, then presses "Connect Salesforce":
the browser goes to the login host's authorize endpoint with a random `state` and the challenge;
Salesforce sends it back to our callback with a code, which we trade (with the verifier) for a
session and a refresh token, stored encrypted. What the flow keeps between the two requests
(`Pending`) lives in the admin's signed session; the callback checks its state and that the same
admin of the same organization comes back. No secret is logged, audited or shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from supportdesk import audit
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.crm import service
from supportdesk.crm.models import CrmConnection, Provider
from supportdesk.crm.sync import client
from supportdesk.db import touch_if_changed
from supportdesk.errors import Conflict
from supportdesk.extensions import db

# "api": REST calls; "refresh_token": a refresh token for the background sync.
SCOPE = "api refresh_token"


@dataclass(frozen=True)
class Pending:
    """A started sign-in: kept in the session until Salesforce sends the browser back."""

    organization_id: int
    user_id: int
    state: str
    code_verifier: str

    @classmethod
    def new(cls, actor: User) -> Pending:
        return cls(actor.organization_id, actor.id, generate_token(32), generate_token(64))


def _salesforce(actor: User) -> CrmConnection:
    require(actor, "crm.manage")
    connection = service.require_connection(actor.organization_id)
    if connection.provider is not Provider.SALESFORCE:
        raise Conflict("The CRM connection is not Salesforce.")
    if not (connection.client_id and connection.client_secret):
        raise Conflict(
            "Save the connected app's consumer key and secret first, then connect Salesforce.",
            {"client_secret": "Enter it once; it is stored encrypted and never shown again."},
        )
    return connection


def authorize_url(actor: User, pending: Pending, *, redirect_uri: str) -> str:
    """Where the admin's browser goes to sign in to Salesforce and allow the connected app."""
    connection = _salesforce(actor)
    return prepare_grant_uri(
        connection.base_url + "/services/oauth2/authorize",
        client_id=connection.client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=pending.state,
        code_challenge=create_s256_code_challenge(pending.code_verifier),
        code_challenge_method="S256",
    )


def complete(actor: User, pending: Pending, *, code: str, redirect_uri: str) -> CrmConnection:
    """Trade the code for tokens and keep them (encrypted); the connection works from now on.
    Raises CrmError in words when Salesforce refuses. Flushes; the caller commits."""
    connection = _salesforce(actor)
    crm = client(connection)
    try:
        refresh_token = crm.exchange_code(
            code, redirect_uri=redirect_uri, code_verifier=pending.code_verifier
        )
    finally:
        crm.http.close()
    connection.refresh_token = refresh_token
    touch_if_changed(connection)
    service.record_check(connection, None)
    audit.record(
        actor.organization_id,
        "crm.authorized",
        actor=actor,
        target=("crm", connection.id, connection.provider.label),
    )
    service.resume(connection)
    db.session.flush()
    return connection
