"""Our signatures verify with the reference `standardwebhooks` library; secrets look right."""

from __future__ import annotations

import base64
import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from supportdesk.webhooks import signing


def test_a_signed_body_verifies_with_the_standard_webhooks_library():
    secret = signing.new_secret()
    body = json.dumps({"type": "ticket.created", "data": {"id": 1}}).encode()
    headers = signing.headers(secret, "msg_abc", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "ticket.created", "data": {"id": 1}}


def test_a_tampered_body_does_not_verify():
    secret = signing.new_secret()
    headers = signing.headers(secret, "msg_abc", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)


def test_another_secret_does_not_verify():
    headers = signing.headers(signing.new_secret(), "msg_abc", int(time.time()), b"{}")
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(b"{}", headers)


def test_secrets_are_whsec_and_at_least_24_random_bytes():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert secret != signing.new_secret()


def test_headers_name_us_and_carry_the_id_and_timestamp():
    headers = signing.headers(signing.new_secret(), "msg_1", 1700000000, b"{}")
    assert headers["user-agent"] == "supportdesk-webhooks/1"
    assert headers["webhook-id"] == "msg_1" and headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"].startswith("v1,")


def test_event_ids_are_unique_msg_ids():
    ids = {signing.new_event_id() for _ in range(100)}
    assert len(ids) == 100 and all(i.startswith("msg_") for i in ids)
