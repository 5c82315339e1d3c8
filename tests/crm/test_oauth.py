"""Connecting Salesforce by signing in (OAuth 2.0 web server flow with PKCE) against the fake
Salesforce's authorize and token endpoints: state checked, the code traded once with its
verifier, the refresh token stored encrypted and never shown, each refusal said in words."""

from __future__ import annotations

import base64
import hashlib
import html
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from supportdesk.audit.models import AuditEntry
from supportdesk.crm import service
from supportdesk.crm.models import ConnectionStatus, CrmConnection
from supportdesk.extensions import db
from tests.crm.conftest import reload
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

CALLBACK = "/admin/crm/salesforce/callback"


@pytest.fixture
def unsigned(admin, salesforce):
    """A Salesforce connection with the connected app's key and secret, not signed in yet."""
    connection = service.save_connection(
        admin,
        provider="salesforce",
        base_url=salesforce.url,
        client_id=salesforce.client_id,
        client_secret=salesforce.client_secret,
    )
    db.session.commit()
    return connection


def _connect(client) -> str:
    """Press "Connect Salesforce"; returns where the browser is sent."""
    token = csrf_token(client.get("/admin/crm"))
    response = client.post("/admin/crm/salesforce/connect", data={"csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def _authorize(url: str) -> dict[str, str]:
    """The browser at Salesforce's authorize page: what it sends back to our callback."""
    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert location.path == CALLBACK
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _flash(client, response) -> str:
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/crm")
    return html.unescape(client.get("/admin/crm").get_data(as_text=True))


def test_an_admin_connects_salesforce_by_signing_in(app, client, admin, salesforce, unsigned):
    login_as(client, admin)
    page = client.get("/admin/crm").get_data(as_text=True)
    assert "Not signed in to Salesforce yet" in page
    redirect_uri = app.config["BASE_URL"].rstrip("/") + CALLBACK
    assert redirect_uri in page  # the callback URL to register on the connected app

    url = _connect(client)

    sent = urlsplit(url)
    assert (
        f"{sent.scheme}://{sent.netloc}{sent.path}" == salesforce.url + "/services/oauth2/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(sent.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == salesforce.client_id
    assert query["redirect_uri"] == redirect_uri
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "api refresh_token"
    assert len(query["state"]) >= 32
    back = _authorize(url)
    assert back["state"] == query["state"]

    page = _flash(client, client.get(CALLBACK, query_string=back))

    assert f"Salesforce is connected ({salesforce.url}); the sync runs." in page
    (exchange,) = salesforce.calls("POST", "/services/oauth2/token")
    assert exchange.body["grant_type"] == "authorization_code"
    assert exchange.body["code"] == back["code"]
    assert exchange.body["redirect_uri"] == redirect_uri
    assert exchange.body["client_secret"] == salesforce.client_secret
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(exchange.body["code_verifier"].encode()).digest()
    ).rstrip(b"=")
    assert challenge.decode() == query["code_challenge"]
    connection = reload(unsigned)
    assert connection.refresh_token == salesforce.refresh_token
    assert connection.status is ConnectionStatus.OK and connection.instance_url == salesforce.url
    raw = db.session.execute(
        sa.text("SELECT refresh_token, session_token FROM crm_connections WHERE id = :id"),
        {"id": connection.id},
    ).one()
    assert salesforce.refresh_token not in raw[0] and salesforce.session not in raw[1]
    assert salesforce.refresh_token not in page and "Not signed in" not in page
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "crm.authorized"))
    assert entry is not None and salesforce.refresh_token not in str(entry.after)
    # The code was for one use only: a replayed callback changes nothing.
    replay = _flash(client, client.get(CALLBACK, query_string=back))
    assert "belongs to no sign-in you started here" in replay


def _deny(sf, back):
    sf.deny = True  # on Salesforce's allow page, before any code is issued


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        pytest.param(
            lambda sf, back: back.update(state="forged"),
            "This answer from Salesforce does not belong to the sign-in you started (state "
            "mismatch).",
            id="state-mismatch",
        ),
        pytest.param(
            _deny, "Salesforce did not connect: end-user denied authorization.", id="denied"
        ),
        pytest.param(
            lambda sf, back: sf.codes[back["code"]].update(challenge="not-the-challenge"),
            "Salesforce did not connect: Salesforce refused the sign-in (invalid_request: "
            "invalid code verifier): check the consumer key, secret and callback URL, then "
            "connect again.",
            id="wrong-verifier",
        ),
        pytest.param(
            lambda sf, back: setattr(sf, "client_secret", "rotated"),
            "Salesforce did not connect: Salesforce refused the sign-in (invalid_client: "
            "invalid client credentials)",
            id="bad-secret",
        ),
    ],
)
def test_a_refused_sign_in_is_said_in_words_and_stores_nothing(
    app, client, admin, salesforce, unsigned, tamper, expected
):
    login_as(client, admin)
    url = _connect(client)
    if tamper is _deny:
        _deny(salesforce, {})
    back = _authorize(url)
    if tamper is not _deny:
        tamper(salesforce, back)

    page = _flash(client, client.get(CALLBACK, query_string=back))

    assert expected in page
    connection = reload(unsigned)
    assert connection.refresh_token is None and connection.status is ConnectionStatus.UNTESTED


def test_connect_needs_the_consumer_secret_first(client, admin, salesforce):
    db.session.add(
        CrmConnection(
            organization_id=admin.organization_id,
            provider=service.Provider.SALESFORCE,
            base_url=salesforce.url,
            client_id=salesforce.client_id,
            field_map={},
        )
    )
    db.session.commit()
    login_as(client, admin)
    token = csrf_token(client.get("/admin/crm"))

    response = client.post("/admin/crm/salesforce/connect", data={"csrf_token": token})

    assert "Save the connected app&#39;s consumer key and secret first" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_only_admins_connect_salesforce(client, agent, unsigned):
    login_as(client, agent)
    assert client.post("/admin/crm/salesforce/connect").status_code in (400, 403)
    assert client.get(CALLBACK, query_string={"code": "x", "state": "y"}).status_code == 403
