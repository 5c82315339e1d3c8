"""HubSpot's webhooks into supportdesk: v3 signatures checked (bad, stale, missing refused), the
named contacts read back and their mapped fields taken."""

from __future__ import annotations

import json
import time

import pytest

from supportdesk.crm import service
from supportdesk.crm.webhooks import contact_ids, hubspot_signature, hubspot_valid
from supportdesk.customers.models import Tier
from supportdesk.extensions import db
from tests.crm.conftest import reload, run_crm_jobs
from tests.factories import CustomerFactory

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"  # noqa: S105 (a test value)
URI = "https://help.example.com/inbound/crm/7/hubspot"


def test_a_signature_is_checked_on_method_uri_body_and_a_fresh_timestamp():
    body = b'[{"objectId":1}]'
    stamp = "1764300000000"
    signature = hubspot_signature(SECRET, "POST", URI, body, stamp)

    assert hubspot_valid(SECRET, "POST", URI, body, stamp, signature, now_ms=1764300060000)
    assert not hubspot_valid(
        SECRET, "POST", URI, body + b" ", stamp, signature, now_ms=1764300060000
    )
    assert not hubspot_valid("other", "POST", URI, body, stamp, signature, now_ms=1764300060000)
    assert not hubspot_valid(
        SECRET, "POST", URI, body, stamp, signature, now_ms=1764300000000 + 301_000
    )
    assert not hubspot_valid(SECRET, "POST", URI, body, "", signature)


def test_only_contact_events_name_contacts_once_each():
    payload = [
        {"subscriptionType": "contact.propertyChange", "objectId": 501},
        {"subscriptionType": "contact.propertyChange", "objectId": 501},
        {"subscriptionType": "deal.creation", "objectId": 9},
        "junk",
    ]
    assert contact_ids(payload) == ["501"]
    assert contact_ids({"not": "a list"}) == []


@pytest.fixture
def signed_connection(admin, hubspot, hubspot_connection, app):
    service.save_connection(admin, provider="hubspot", base_url=hubspot.url, webhook_secret=SECRET)
    db.session.commit()
    return hubspot_connection


def _deliver(client, app, connection_id, payload, *, secret=SECRET, age_ms=0):
    body = json.dumps(payload).encode()
    path = f"/inbound/crm/{connection_id}/hubspot"
    stamp = str(int(time.time() * 1000) - age_ms)
    uri = app.config["BASE_URL"].rstrip("/") + path
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={
            "X-HubSpot-Request-Timestamp": stamp,
            "X-HubSpot-Signature-v3": hubspot_signature(secret, "POST", uri, body, stamp),
        },
    )


def test_a_signed_webhook_pulls_the_changed_contact(app, client, org, hubspot, signed_connection):
    customer = CustomerFactory(organization=org, email="ana@acme.example")
    db.session.commit()
    hubspot.edit("ana@acme.example", supportdesk_tier="enterprise")
    contact_id = hubspot.contact("ana@acme.example")["id"]

    response = _deliver(
        client,
        app,
        signed_connection.id,
        [
            {
                "eventId": 1,
                "subscriptionId": 3,
                "portalId": 62515,
                "occurredAt": 1764300000000,
                "subscriptionType": "contact.propertyChange",
                "attemptNumber": 0,
                "objectId": int(contact_id),
                "propertyName": "supportdesk_tier",
                "propertyValue": "enterprise",
                "changeSource": "CRM",
            }
        ],
    )
    run_crm_jobs(app)

    assert response.status_code == 200 and response.json == {"accepted": 1}
    assert reload(customer).tier is Tier.ENTERPRISE
    assert hubspot.calls("GET", f"/crm/v3/objects/contacts/{contact_id}")


@pytest.mark.parametrize(
    ("secret", "age_ms"),
    [
        pytest.param("wrong-secret", 0, id="bad-signature"),
        pytest.param(SECRET, 600_000, id="stale"),
    ],
)
def test_a_webhook_with_a_bad_or_stale_signature_is_refused(
    app, client, org, hubspot, signed_connection, secret, age_ms
):
    customer = CustomerFactory(organization=org, email="ana@acme.example")
    db.session.commit()
    hubspot.edit("ana@acme.example", supportdesk_tier="enterprise")

    response = _deliver(
        client,
        app,
        signed_connection.id,
        [{"subscriptionType": "contact.propertyChange", "objectId": 501}],
        secret=secret,
        age_ms=age_ms,
    )
    run_crm_jobs(app)

    assert response.status_code == 401
    assert reload(customer).tier is Tier.FREE
    assert not hubspot.calls("GET", "/crm/v3/objects/contacts/501")


def test_a_connection_without_a_secret_or_unknown_has_no_webhook(app, client, hubspot_connection):
    assert _deliver(client, app, hubspot_connection.id, []).status_code == 404
    assert _deliver(client, app, 987654, []).status_code == 404
