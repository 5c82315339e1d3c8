"""Single sign-on end to end against the tests' own identity provider (real HTTP, real RS256
tokens): what is accepted, every way a token or an answer is refused, and what each leaves in
the audit log and on the sign-in page."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Role, User
from supportdesk.audit.models import AuditEntry
from supportdesk.extensions import db
from tests import factories
from tests.fixtures.oidc import CLIENT_ID
from tests.fixtures.web import csrf_token
from tests.sso.conftest import configure

pytestmark = pytest.mark.integration


@pytest.fixture
def alex(org):
    """An agent of the organization whose address the provider vouches for."""
    return factories.UserFactory(organization=org, email="alex@acme.example", name="Alex Agent")


def start(client, email="alex@acme.example"):
    """Submit the SSO entry form; the redirect to the provider's authorization endpoint."""
    token = csrf_token(client.get("/login/sso"))
    response = client.post("/login/sso", data={"csrf_token": token, "email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in_with_sso(client, idp, email="alex@acme.example"):
    """The whole round trip; the callback's response."""
    return client.get(idp.approve(start(client, email)))


def entries(action):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def page_after(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(
    client, idp, sso_settings, alex
):
    params = parse_qs(urlsplit(start(client)).query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["response_type"] == ["code"]
    assert params["code_challenge_method"] == ["S256"]
    assert set(params["scope"][0].split()) >= {"openid", "email"}
    assert len(params["state"][0]) >= 32 and len(params["nonce"][0]) >= 32
    assert params["login_hint"] == ["alex@acme.example"]
    assert params["redirect_uri"][0].endswith("/login/sso/callback")


def test_an_agent_signs_in_with_the_provider_and_the_sign_in_is_recorded(
    client, idp, sso_settings, alex
):
    response = sign_in_with_sso(client, idp)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(client)
    # the code was traded with the PKCE verifier and the registered redirect URI
    (request,) = idp.token_requests
    assert request["code_verifier"] and request["redirect_uri"].endswith("/login/sso/callback")
    (entry,) = entries("auth.sign_in")
    assert entry.target_id == alex.id and entry.actor_user_id == alex.id
    assert entry.after["method"] == "single sign-on" and entry.after["created"] is False
    assert "secret" not in str(entry.after).lower().replace("[redacted]", "")


def _expired(idp):
    now = int(time.time())
    idp.claims.update(iat=now - 3600, exp=now - 600)


def _wrong_audience(idp):
    idp.claims["aud"] = "another-application"


def _wrong_issuer(idp):
    idp.claims["iss"] = "https://evil.example"


def _bad_signature(idp):
    idp.signing_kid, idp.header_kid = "forger", "key-1"  # another key, claiming to be key-1


def _unverified_email(idp):
    idp.claims["email_verified"] = False


def _unpublished_key(idp):
    idp.signing_kid = "never-published"


def _no_nonce(idp):
    idp.claims["nonce"] = None


@pytest.mark.parametrize(
    ("bend", "reason", "sentence"),
    [
        pytest.param(
            _wrong_audience,
            "invalid_claim:aud",
            "issued for another application",
            id="wrong-audience",
        ),
        pytest.param(
            _wrong_issuer,
            "invalid_claim:iss",
            "issued by another identity provider",
            id="wrong-issuer",
        ),
        pytest.param(_expired, "expired_token", "has expired", id="expired"),
        pytest.param(_bad_signature, "bad_signature", "signature is not valid", id="bad-signature"),
        pytest.param(_unpublished_key, "unknown_signing_key", "does not publish", id="unknown-key"),
        pytest.param(
            _unverified_email,
            "email_not_verified",
            "has not verified the address",
            id="email-not-verified",
        ),
        pytest.param(
            _no_nonce, "invalid_claim:nonce", "does not belong to this sign-in", id="no-nonce"
        ),
    ],
)
def test_a_bad_id_token_is_refused_with_a_sentence_and_an_audit_entry(
    client, idp, sso_settings, alex, bend, reason, sentence
):
    bend(idp)

    response = sign_in_with_sso(client, idp)

    assert sentence in page_after(client, response)
    assert not signed_in(client)
    (entry,) = entries("auth.sign_in_failed")
    assert entry.after["reason"] == reason and entry.after["method"] == "single sign-on"
    assert entry.organization_id == sso_settings.organization_id
    assert entries("auth.sign_in") == []


def test_a_replayed_nonce_from_an_earlier_sign_in_is_refused(client, idp, sso_settings, alex):
    first = parse_qs(urlsplit(start(client)).query)
    old_nonce = first["nonce"][0]
    second = parse_qs(urlsplit(start(client)).query)  # a new attempt, a new nonce
    assert second["nonce"][0] != old_nonce
    idp.claims["nonce"] = old_nonce  # the provider hands back a token of the first attempt
    code = idp.grant({k: v[0] for k, v in second.items()})

    response = client.get(f"/login/sso/callback?code={code}&state={second['state'][0]}")

    assert "does not belong to this sign-in attempt" in page_after(client, response)
    assert not signed_in(client)
    assert entries("auth.sign_in_failed")[0].after["reason"] == "invalid_claim:nonce"


def test_a_callback_used_twice_finds_no_pending_sign_in(client, idp, sso_settings, alex):
    callback = idp.approve(start(client))
    assert client.get(callback).status_code == 302 and signed_in(client)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account"))})

    again = client.get(callback)

    assert "unknown or was already used" in page_after(client, again)
    assert not signed_in(client)


def test_a_state_that_does_not_match_is_refused_before_the_code_is_used(
    client, idp, sso_settings, alex
):
    location = start(client)
    callback = idp.approve(location).replace("state=", "state=forged")

    response = client.get(callback)

    assert "state mismatch" in page_after(client, response)
    assert idp.token_requests == []
    assert entries("auth.sign_in_failed")[0].after["reason"] == "state_mismatch"


def test_a_rotated_key_is_fetched_once_and_accepted(client, idp, sso_settings, alex):
    assert sign_in_with_sso(client, idp).headers["Location"] == "/"
    assert idp.jwks_fetches == 1
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account"))})
    idp.published, idp.signing_kid = ["key-1", "key-2"], "key-2"  # rotation: a new kid

    response = sign_in_with_sso(client, idp)

    assert response.headers["Location"] == "/" and signed_in(client)
    assert idp.jwks_fetches == 2  # exactly one refetch for the unknown kid
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account"))})
    assert sign_in_with_sso(client, idp).headers["Location"] == "/"
    assert idp.jwks_fetches == 2  # the new set is cached


def test_an_address_outside_the_allowed_domains_is_refused(client, idp, sso_settings, alex):
    location = start(client, "alex@acme.example")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    code = idp.grant(params, email="alex@elsewhere.example")

    response = client.get(f"/login/sso/callback?code={code}&state={params['state']}")

    assert "not in a domain allowed" in page_after(client, response)
    (entry,) = entries("auth.sign_in_failed")
    assert entry.after["reason"] == "domain_not_allowed"
    assert entry.target_label == "alex@elsewhere.example"


def test_the_entry_form_names_an_address_no_organization_signs_in_with(client, sso_settings):
    token = csrf_token(client.get("/login/sso"))
    response = client.post("/login/sso", data={"csrf_token": token, "email": "x@nowhere.example"})
    assert response.status_code == 422
    assert "No organization signs in with single sign-on" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("jit", "created"),
    [pytest.param(True, True, id="jit-on"), pytest.param(False, False, id="jit-off")],
)
def test_an_unknown_address_becomes_an_agent_only_with_just_in_time_creation(
    client, idp, admin, jit, created
):
    configure(admin, idp, jit_enabled=jit, jit_role=Role.VIEWER)

    response = sign_in_with_sso(client, idp, "newcomer@acme.example")

    user = db.session.scalar(sa.select(User).where(User.email == "newcomer@acme.example"))
    assert (user is not None) is created
    assert signed_in(client) is created
    if created:
        assert user.role is Role.VIEWER and user.organization_id == admin.organization_id
        (entry,) = entries("agent.created")
        assert entry.after["via"] == "single sign-on"
        assert entries("auth.sign_in")[0].after["created"] is True
    else:
        assert "There is no agent with the address" in page_after(client, response)
        assert entries("auth.sign_in_failed")[0].after["reason"] == "no_agent"


def test_a_deactivated_agent_is_refused(client, idp, sso_settings, alex):
    alex.active = False
    db.session.flush()

    response = sign_in_with_sso(client, idp)

    assert "is deactivated" in page_after(client, response)
    assert entries("auth.sign_in_failed")[0].after["reason"] == "deactivated"


def test_an_agent_of_another_organization_is_refused(client, idp, sso_settings, org, other_org):
    factories.UserFactory(organization=other_org, email="alex@acme.example")
    token = csrf_token(client.get("/login/sso"))
    entry_form = client.post("/login/sso", data={"csrf_token": token, "email": "alex@acme.example"})
    assert entry_form.status_code == 422  # the address leads to the other tenant: no SSO there

    # through this organization's direct link, the provider vouches for the other's agent
    response = client.get(idp.approve(client.get(f"/login/sso/{org.slug}").headers["Location"]))

    assert "belongs to an agent of another organization" in page_after(client, response)
    assert not signed_in(client)
    (entry,) = entries("auth.sign_in_failed")
    assert entry.organization_id == org.id and entry.target_id is None


def test_the_providers_error_is_shown_and_recorded(client, idp, sso_settings, alex):
    params = {k: v[0] for k, v in parse_qs(urlsplit(start(client)).query).items()}

    response = client.get(
        f"/login/sso/callback?error=access_denied&error_description=User+cancelled"
        f"&state={params['state']}"
    )

    assert "did not sign you in (User cancelled)" in page_after(client, response)
    assert entries("auth.sign_in_failed")[0].after["reason"] == "provider_error:access_denied"


def _password_sign_in(client, user):
    token = csrf_token(client.get("/login"))
    return client.post(
        "/login",
        data={"csrf_token": token, "email": user.email, "password": factories.PASSWORD},
    )


@pytest.mark.parametrize(
    ("role", "sso_only", "allowed"),
    [
        pytest.param(Role.AGENT, True, False, id="agent-sso-only"),
        pytest.param(Role.VIEWER, True, False, id="viewer-sso-only"),
        pytest.param(Role.SENIOR_AGENT, True, False, id="senior-sso-only"),
        pytest.param(Role.ADMIN, True, True, id="admin-break-glass"),
        pytest.param(Role.AGENT, False, True, id="agent-password-allowed"),
    ],
)
def test_sso_only_refuses_password_sign_in_except_the_admins_break_glass(
    client, idp, admin, org, role, sso_only, allowed
):
    configure(admin, idp, sso_only=sso_only)
    user = factories.UserFactory(organization=org, role=role, email=f"{role.value}@acme.example")

    response = _password_sign_in(client, user)

    assert signed_in(client) is allowed
    if not allowed:
        assert "signs in with single sign-on" in response.get_data(as_text=True)
        assert entries("auth.sign_in_failed")[-1].after["reason"] == "sso_only"
    assert bool(entries("auth.break_glass")) is (allowed and sso_only)


def test_sso_only_does_not_touch_another_organizations_password_sign_in(
    client, idp, admin, other_org
):
    configure(admin, idp, sso_only=True)
    stranger = factories.UserFactory(organization=other_org)

    _password_sign_in(client, stranger)

    assert signed_in(client)


def test_the_direct_link_of_an_organization_goes_to_its_provider(client, idp, sso_settings, org):
    response = client.get(f"/login/sso/{org.slug}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{idp.issuer}/authorize?")
    assert client.get("/login/sso/no-such-org").headers["Location"] == "/login"


def test_the_sign_in_page_offers_the_provider_this_browser_signed_in_with_before(
    client, idp, sso_settings, alex, org
):
    assert "Sign in with Acme ID" not in client.get("/login").get_data(as_text=True)
    sign_in_with_sso(client, idp)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account"))})

    page = client.get("/login").get_data(as_text=True)

    assert "Sign in with Acme ID" in page and f'href="/login/sso/{org.slug}"' in page
    sso_settings.enabled = False
    db.session.flush()
    assert "Sign in with Acme ID" not in client.get("/login").get_data(as_text=True)


def test_a_wrong_client_secret_is_named_as_the_thing_to_check(client, idp, admin, alex):
    configure(admin, idp, client_secret="not the registered secret")

    response = sign_in_with_sso(client, idp)

    assert "refused to complete the sign-in (invalid_client)" in page_after(client, response)
    assert "not the registered secret" not in str(entries("auth.sign_in_failed")[0].after)
    assert entries("auth.sign_in_failed")[0].after["reason"] == "token_refused:invalid_client"


def test_an_unreachable_provider_is_reported_before_the_browser_leaves(
    client, idp, sso_settings, alex, httpserver
):
    sso_settings.issuer = httpserver.url_for("/nowhere")
    db.session.flush()
    token = csrf_token(client.get("/login/sso"))

    response = client.post("/login/sso", data={"csrf_token": token, "email": alex.email})

    assert response.headers["Location"] == "/login"
    assert "discovery document could not be read" in page_after(client, response)
    assert entries("auth.sign_in_failed")[0].after["reason"] == "discovery_document_unavailable"


def test_a_provider_on_a_private_address_is_never_asked(
    app, client, idp, sso_settings, alex, httpserver, monkeypatch
):
    # As in production (the tests' identity provider is on the loopback address).
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    token = csrf_token(client.get("/login/sso"))

    response = client.post("/login/sso", data={"csrf_token": token, "email": alex.email})

    assert response.headers["Location"] == "/login"
    said = page_after(client, response)
    assert "resolves to 127.0.0.1, a private or reserved address" in said
    assert "only reaches identity providers on public addresses" in said
    assert entries("auth.sign_in_failed")[0].after["reason"] == "identity_provider_unreachable"
    assert httpserver.log == []  # no request left the installation


def _issuer_mismatch(idp):
    idp.discovery["issuer"] = "https://somebody-else.example"


def _no_jwks_uri(idp):
    idp.discovery["jwks_uri"] = None


def _unreadable_key_set(idp):
    idp.jwks_body = '{"keys": [{"kty": "RSA", "n": "not-a-key"}]}'


def _no_id_token(idp):
    idp.token_response["id_token"] = None


def _shared_secret_signature(idp):
    idp.algorithm = "HS256"


def _no_email(idp):
    idp.claims["email"] = None


@pytest.mark.parametrize(
    ("bend", "reason", "sentence"),
    [
        pytest.param(_issuer_mismatch, "issuer_mismatch", "copy the issuer URL exactly", id="issuer-mismatch"),
        pytest.param(_no_jwks_uri, "discovery_incomplete", "names no jwks_uri", id="no-jwks-uri"),
        pytest.param(_unreadable_key_set, "key_set_invalid", "key set (JWKS) cannot be read", id="bad-jwks"),
        pytest.param(_no_id_token, "no_id_token", "without an ID token", id="no-id-token"),
        pytest.param(_shared_secret_signature, "token_unreadable:unsupported_algorithm", "algorithm that is not allowed", id="hs256"),
        pytest.param(_no_email, "no_email", "sent no email address", id="no-email"),
    ],
)  # fmt: skip
def test_a_provider_that_misbehaves_is_refused_with_what_to_fix(
    client, idp, sso_settings, alex, bend, reason, sentence
):
    bend(idp)
    token = csrf_token(client.get("/login/sso"))
    started = client.post("/login/sso", data={"csrf_token": token, "email": alex.email})
    location = started.headers["Location"]
    response = started if location == "/login" else client.get(idp.approve(location))

    assert sentence in page_after(client, response)
    assert not signed_in(client)
    assert entries("auth.sign_in_failed")[0].after["reason"] == reason


def test_a_callback_after_sso_was_turned_off_is_refused(client, idp, sso_settings, alex):
    callback = idp.approve(start(client))
    sso_settings.enabled = False
    db.session.flush()

    response = client.get(callback)

    assert "turned off for this organization" in page_after(client, response)
    assert idp.token_requests == []


@pytest.mark.parametrize("role, covered", [(Role.AGENT, False), (Role.ADMIN, True)])
def test_sso_only_agents_are_not_asked_for_our_second_factor(org, admin, idp, role, covered):
    """They sign in only through the identity provider (its own second factor applies); admins
    keep a password (break-glass), so the organization's requirement still covers them."""
    from supportdesk.accounts.models import TwoFactorPolicy
    from supportdesk.twofactor import service as two_factor

    org.two_factor_policy = TwoFactorPolicy.EVERYONE
    user = admin if role is Role.ADMIN else factories.UserFactory(organization=org, role=role)
    assert two_factor.must_enrol(user) is True
    configure(admin, idp, sso_only=True)
    assert two_factor.must_enrol(user) is covered
