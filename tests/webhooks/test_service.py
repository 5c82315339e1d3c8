"""Endpoint writes and their rules: validation, organization scoping, secrets, redelivery."""

from __future__ import annotations

import pytest

from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.outbox import OutboxState
from supportdesk.webhooks import queries, service
from tests.factories import make_ticket
from tests.fixtures.webhooks import deliveries, make_endpoint

pytestmark = pytest.mark.integration

URL = "http://127.0.0.1:9/hooks"


def test_creating_an_endpoint_keeps_the_event_types_in_catalogue_order(app, admin):
    endpoint = service.create_endpoint(
        admin,
        url=f"  {URL}  ",
        description=" CRM ",
        event_types=["customer.created", "ticket.created"],
    )
    assert (endpoint.url, endpoint.description) == (URL, "CRM")
    assert endpoint.event_types == ["ticket.created", "customer.created"]
    assert endpoint.enabled and endpoint.secret.startswith("whsec_")


def test_a_too_long_url_is_refused(app, admin):
    with pytest.raises(ValidationFailed) as refused:
        service.create_endpoint(admin, url=URL + "x" * 2000, event_types=["ticket.created"])
    assert refused.value.fields == {"url": "Use at most 2,000 characters."}


def test_another_organizations_endpoint_cannot_be_changed(app, admin, other_org):
    theirs = make_endpoint(other_org, URL)
    with pytest.raises(NotFound):
        service.update_endpoint(
            admin, theirs.id, url=URL, description="", event_types=["ticket.created"]
        )
    with pytest.raises(NotFound):
        queries.get_endpoint(admin.organization_id, theirs.id)


def test_enabling_again_forgets_the_failures(app, admin, org):
    endpoint = make_endpoint(org, URL, enabled=False, disabled_reason="410", consecutive_failures=4)
    service.set_enabled(admin, endpoint.id, True)
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.consecutive_failures) == (
        True,
        "",
        0,
    )


def test_disabling_twice_keeps_the_first_reason(app, admin, org):
    endpoint = make_endpoint(
        org, URL, enabled=False, disabled_reason="The receiver answered 410 Gone."
    )
    service.set_enabled(admin, endpoint.id, False)
    assert endpoint.disabled_reason == "The receiver answered 410 Gone."


def test_redelivering_requeues_the_same_row_now(app, admin, org):
    endpoint = make_endpoint(org, URL, ["ticket.created"])
    make_ticket(org)
    db.session.commit()
    [delivery] = deliveries()
    delivery.state = OutboxState.FAILED
    again = service.redeliver(admin, endpoint.id, delivery.id)
    assert again.id == delivery.id and again.state is OutboxState.QUEUED


def test_redelivering_an_unknown_delivery_is_not_found(app, admin, org):
    endpoint = make_endpoint(org, URL)
    with pytest.raises(NotFound):
        service.redeliver(admin, endpoint.id, 0)
    with pytest.raises(NotFound):
        queries.get_delivery(org.id, endpoint.id, 0)


def test_redelivering_to_a_disabled_endpoint_is_refused(app, admin, org):
    endpoint = make_endpoint(org, URL, ["ticket.created"])
    make_ticket(org)
    db.session.commit()
    endpoint.enabled = False
    with pytest.raises(ValidationFailed, match="Enable the endpoint"):
        service.redeliver(admin, endpoint.id, deliveries()[0].id)


def test_the_retry_schedule_reads_a_list_or_a_comma_separated_string(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_RETRY_SCHEDULE", " 5, 60 ,")
    assert service.retry_schedule() == [5, 60]
    monkeypatch.setitem(app.config, "WEBHOOKS_RETRY_SCHEDULE", [1, "2"])
    assert service.retry_schedule() == [1, 2]


def test_the_delivery_log_costs_two_queries_however_many_deliveries(app, org, query_counter):
    endpoint = make_endpoint(org, URL, ["ticket.created", "message.created"])
    for _ in range(5):
        make_ticket(org)
    db.session.commit()
    org_id, endpoint_id = org.id, endpoint.id
    with query_counter() as counted:
        log = queries.list_deliveries(org_id, endpoint_id)
        assert [len(d.attempt_rows) for d in log] == [0] * 10
    assert counted.count == 2
