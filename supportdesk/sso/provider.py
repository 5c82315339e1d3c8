"""The OpenID Connect relying party: discovery, the authorization request, the code exchange and
the ID token check. The only module of the package that speaks HTTP (to the identity provider).

Authlib's protocol pieces build the requests (PKCE S256, the grant URI, the token request) and
check the ID token's claims (`CodeIDToken`: iss, aud, exp, iat, nonce, azp, at_hash); joserfc,
on which Authlib builds, verifies the signature against the provider's published keys (JWKS).

Discovery documents and key sets are cached per process for CACHE_SECONDS. A token signed with a
key id the cached set lacks (the provider rotated its keys) makes one fresh fetch of the set
before it is refused, so a rotation needs no restart and a forged key id costs one request.
Every failure is an `SsoFailure`: a short reason for the audit log and a sentence for the admin.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from flask import current_app
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from supportdesk.errors import DomainError
from supportdesk.webhooks import guard

CACHE_SECONDS = 3600
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60  # clock skew tolerated on exp / iat
SCOPE = "openid email profile"
# Asymmetric algorithms only: a shared-secret (HS*) or unsigned ("none") ID token is refused.
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]

_cache: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


class SsoFailure(DomainError):
    """A single sign-on attempt refused: `reason` goes to the audit log, the message to the
    sign-in page (a sentence a support admin can act on; never a token or a secret)."""

    status = 400
    code = "sso_refused"

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Pending:
    """What the sign-in keeps (in the session) between the redirect and the callback."""

    organization_id: int
    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls, organization_id: int) -> Pending:
        return cls(organization_id, generate_token(32), generate_token(32), generate_token(64))


def forget_cached() -> None:
    """Drop every cached discovery document and key set (tests; an admin changing the issuer)."""
    with _lock:
        _cache.clear()


def _refuse_private(url: str) -> None:
    """Only public addresses are asked (an admin's issuer URL must not reach the installation's
    own network), unless WEBHOOKS_ALLOW_PRIVATE says otherwise (development and tests)."""
    try:
        guard.resolve(url, allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    except guard.UnsafeDestination as exc:
        raise SsoFailure(
            "identity_provider_unreachable",
            f"The identity provider at {url} cannot be asked. {exc.message.split(';')[0]}. "
            "Single sign-on only reaches identity providers on public addresses.",
        ) from None


def _get_json(url: str, what: str) -> dict:
    _refuse_private(url)
    try:
        response = httpx.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError):
        raise SsoFailure(
            f"{what}_unavailable",
            f"The identity provider's {what.replace('_', ' ')} could not be read from {url}. "
            "Check the issuer URL in the single sign-on settings, or try again later.",
        ) from None
    if not isinstance(data, dict):
        raise SsoFailure(
            f"{what}_unavailable", f"The identity provider's {what} at {url} is not JSON."
        )
    return data


def _cached(key: str, fetch, *, refresh: bool = False):
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and not refresh and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = fetch()
    with _lock:
        _cache[key] = (now, value)
    return value


def discover(issuer: str) -> dict:
    """The provider's discovery document; its `issuer` must be the one configured, exactly."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _cached(f"discovery|{url}", lambda: _get_json(url, "discovery_document"))
    if document.get("issuer") != issuer:
        raise SsoFailure(
            "issuer_mismatch",
            f"The identity provider calls itself “{document.get('issuer')}”, not “{issuer}”: "
            "copy the issuer URL exactly as the provider shows it.",
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(name):
            raise SsoFailure(
                "discovery_incomplete",
                f"The identity provider's discovery document names no {name}.",
            )
    return document


def _key_set(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    data = _cached(f"jwks|{jwks_uri}", lambda: _get_json(jwks_uri, "key_set"), refresh=refresh)
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, KeyError, TypeError):
        raise SsoFailure(
            "key_set_invalid", "The identity provider's key set (JWKS) cannot be read."
        ) from None


def authorization_url(
    settings, pending: Pending, *, redirect_uri: str, login_hint: str | None = None
) -> str:
    """Where to send the browser: the provider's authorization endpoint with state, nonce and a
    PKCE S256 challenge of the pending sign-in."""
    document = discover(settings.issuer)
    extra = {"login_hint": login_hint} if login_hint else {}
    return prepare_grant_uri(
        document["authorization_endpoint"],
        client_id=settings.client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.code_verifier),
        code_challenge_method="S256",
        **extra,
    )


def exchange_code(settings, pending: Pending, *, code: str, redirect_uri: str) -> dict:
    """Trade the authorization code (and the PKCE verifier) for tokens at the token endpoint."""
    document = discover(settings.issuer)
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=pending.code_verifier,
        client_id=settings.client_id,
    )
    _refuse_private(document["token_endpoint"])
    try:
        response = httpx.post(
            document["token_endpoint"],
            content=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            auth=(settings.client_id, settings.client_secret or ""),
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
        token = response.json()
    except (httpx.HTTPError, ValueError):
        raise SsoFailure(
            "token_endpoint_unavailable",
            "The identity provider's token endpoint did not answer. Try again in a moment.",
        ) from None
    if not isinstance(token, dict) or response.status_code != 200 or "error" in token:
        error = token.get("error") if isinstance(token, dict) else None
        error = re.sub(r"[^A-Za-z0-9_.-]", "", str(error))[:40] if error else None
        raise SsoFailure(
            f"token_refused:{error or response.status_code}"[:60],
            "The identity provider refused to complete the sign-in"
            + (f" ({error})" if error else "")
            + ". Check the client id and client secret in the single sign-on settings.",
        )
    if not token.get("id_token"):
        raise SsoFailure(
            "no_id_token", "The identity provider answered without an ID token (scope openid)."
        )
    return token


# joserfc's claim errors, by claim: what the admin reads.
_CLAIM_SENTENCES = {
    "iss": "The sign-in token was issued by another identity provider than the one configured.",
    "aud": "The sign-in token was issued for another application (its audience is not this "
    "client id). Check the client id in the single sign-on settings.",
    "azp": "The sign-in token was issued for another application (authorized party).",
    "nonce": "The sign-in token does not belong to this sign-in attempt (it was replayed or "
    "came from an earlier attempt). Start again.",
    "exp": "The sign-in token has expired. Check that this server's clock is right, and start "
    "again.",
    "iat": "The sign-in token's issue time is not valid.",
    "at_hash": "The sign-in token does not match its access token.",
}


def verify_id_token(settings, pending: Pending, token: dict, *, now: int | None = None) -> dict:
    """The ID token's claims after checking its signature (the provider's JWKS, one refetch for
    an unknown key id) and its claims: issuer, audience, expiry, issue time and nonce."""
    document = discover(settings.issuer)
    supported = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in supported if alg in SIGNING_ALGORITHMS]
    try:
        try:
            decoded = jwt.decode(
                token["id_token"], _key_set(document["jwks_uri"]), algorithms=algorithms
            )
        except InvalidKeyIdError:
            keys = _key_set(document["jwks_uri"], refresh=True)
            decoded = jwt.decode(token["id_token"], keys, algorithms=algorithms)
    except InvalidKeyIdError:
        raise SsoFailure(
            "unknown_signing_key",
            "The sign-in token is signed with a key the identity provider does not publish.",
        ) from None
    except BadSignatureError:
        raise SsoFailure(
            "bad_signature",
            "The sign-in token's signature is not valid: it was not signed by "
            "the identity provider.",
        ) from None
    except JoseError as error:
        raise SsoFailure(
            f"token_unreadable:{error.error}"[:60],
            "The sign-in token cannot be read or uses an algorithm that is not allowed.",
        ) from None
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": settings.issuer},
            "aud": {"essential": True, "value": settings.client_id},
            "exp": {"essential": True},
        },
        {
            "nonce": pending.nonce,
            "client_id": settings.client_id,
            "access_token": token.get("access_token"),
        },
    )
    try:
        if "nonce" not in claims:
            raise MissingClaimError("nonce")
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
    except ExpiredTokenError:
        raise SsoFailure("expired_token", _CLAIM_SENTENCES["exp"]) from None
    except (InvalidClaimError, MissingClaimError) as error:
        sentence = _CLAIM_SENTENCES.get(
            error.claim, f"The sign-in token's “{error.claim}” claim is missing or not valid."
        )
        raise SsoFailure(f"invalid_claim:{error.claim}", sentence) from None
    return dict(claims)
