"""Outbound sync against the fake CRMs: contacts, companies, timeline entries, and every failure
the outbox must survive (429, 5xx, expired and revoked tokens, refused data, retries)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from supportdesk.crm import service, sync
from supportdesk.crm.models import ConnectionStatus
from supportdesk.customers import service as customers
from supportdesk.customers.models import Tier
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.outbox import OutboxState
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from tests.crm.conftest import make_due, reload, run_crm_jobs, syncs
from tests.crm.fakes import RATE_HEADERS
from tests.factories import make_ticket

pytestmark = pytest.mark.integration


def _new_customer(agent, email="ana@acme.example", **fields):
    customer = customers.create_customer(
        agent, email=email, name=fields.pop("name", "Ana Lima"), company="Acme", **fields
    )
    db.session.commit()
    return customer


# -- HubSpot ---------------------------------------------------------------------------------


def test_a_new_customer_becomes_a_hubspot_contact_with_its_company(
    app, agent, hubspot, hubspot_connection
):
    customer = _new_customer(agent, tier=Tier.PREMIUM)

    run_crm_jobs(app)

    upsert = hubspot.calls("POST", "/crm/v3/objects/contacts/batch/upsert")
    assert len(upsert) == 1
    assert upsert[0].headers["Authorization"] == f"Bearer {hubspot.token}"
    assert upsert[0].body == {
        "inputs": [
            {
                "idProperty": "email",
                "id": "ana@acme.example",
                "properties": {
                    "firstname": "Ana",
                    "lastname": "Lima",
                    "company": "Acme",
                    "email": "ana@acme.example",
                },
            }
        ]
    }
    contact = hubspot.contact("ana@acme.example")
    company_id = next(iter(hubspot.companies))
    assert hubspot.companies[company_id]["properties"] == {"name": "Acme"}
    assert (contact["id"], company_id) in hubspot.associations
    customer = reload(customer)
    assert customer.crm_id == contact["id"]
    assert customer.crm_sync_status == "synced" and customer.crm_synced_at is not None
    (row,) = syncs()
    assert row.state is OutboxState.SENT and row.crm_object_id == contact["id"]
    assert "POST /crm/v3/objects/contacts/batch/upsert → 200" in row.request_summary


def test_contacts_are_upserted_in_batches_of_at_most_100(app, agent, hubspot, hubspot_connection):
    for n in range(130):
        customers.create_customer(agent, email=f"c{n}@example.com", name=f"C {n}")
    db.session.commit()

    run_crm_jobs(app)

    sizes = [
        len(c.body["inputs"])
        for c in hubspot.calls("POST", "/crm/v3/objects/contacts/batch/upsert")
    ]
    assert sizes == [100, 30]
    assert len(hubspot.contacts) == 130
    assert {r.state for r in syncs()} == {OutboxState.SENT}


def test_an_edit_updates_the_same_contact_and_a_pushed_tier(
    app, agent, hubspot, hubspot_connection
):
    hubspot_connection.field_map = {
        **hubspot_connection.field_map,
        "tier": {"property": "supportdesk_tier", "direction": "push"},
    }
    db.session.commit()
    customer = _new_customer(agent)
    run_crm_jobs(app)

    customer = reload(customer)
    customers.update_customer(
        reload(agent),
        customer,
        email=customer.email,
        name="Ana Lima Souza",
        tier=Tier.ENTERPRISE,
        company="Acme",
    )
    db.session.commit()
    run_crm_jobs(app)

    assert len(hubspot.contacts) == 1
    props = hubspot.contact("ana@acme.example")["properties"]
    assert props["lastname"] == "Lima Souza" and props["supportdesk_tier"] == "enterprise"


def test_a_rate_limit_defers_without_counting_an_attempt_then_resumes(
    app, agent, hubspot, hubspot_connection
):
    hubspot.fail_next(
        "POST",
        "/crm/v3/objects/contacts/batch/upsert",
        429,
        {
            "status": "error",
            "message": "You have reached your secondly limit.",
            "errorType": "RATE_LIMIT",
            "policyName": "SECONDLY",
        },
        {**RATE_HEADERS, "Retry-After": "7"},
    )
    before = utcnow()
    customer = _new_customer(agent)

    run_crm_jobs(app)

    (row,) = syncs()
    assert row.state is OutboxState.DEFERRED and row.attempts == 0
    assert row.next_attempt_at >= before + dt.timedelta(seconds=7)
    assert "rate limit" in row.last_error
    make_due()
    sync.run()
    (row,) = syncs()
    assert row.state is OutboxState.SENT
    customer = reload(customer)
    assert customer.crm_sync_status == "synced"


def test_a_server_error_is_retried_with_backoff(app, agent, hubspot, hubspot_connection):
    hubspot.fail_next(
        "POST", "/crm/v3/objects/contacts/batch/upsert", 502, {"message": "Bad gateway"}
    )
    _new_customer(agent)

    run_crm_jobs(app)
    (row,) = syncs()
    assert row.state is OutboxState.DEFERRED and row.attempts == 1
    assert row.next_attempt_at > utcnow()

    make_due()
    sync.run()
    assert syncs()[0].state is OutboxState.SENT
    assert len(hubspot.contacts) == 1


def test_refused_data_fails_the_row_and_says_why_on_the_customer(
    app, agent, hubspot, hubspot_connection
):
    hubspot.properties.discard("company")
    customer = _new_customer(agent)

    run_crm_jobs(app)

    (row,) = syncs()
    assert row.state is OutboxState.FAILED
    customer = reload(customer)
    assert customer.crm_sync_status == "failed"
    assert customer.crm_sync_error.startswith(
        "HubSpot refused the data: Property values were not valid"
    )
    assert '"company\\" does not exist' in customer.crm_sync_error


def test_a_revoked_token_breaks_the_connection_and_holds_rows_until_fixed(
    app, admin, agent, hubspot, hubspot_connection
):
    hubspot.token = "pat-na1-new"
    _new_customer(agent)

    run_crm_jobs(app)

    hubspot_connection = reload(hubspot_connection)
    assert hubspot_connection.status is ConnectionStatus.BROKEN
    assert "HubSpot refused the access token (401)" in hubspot_connection.status_message
    (row,) = syncs()
    assert row.state is OutboxState.DEFERRED and row.next_attempt_at > utcnow() + dt.timedelta(
        hours=1
    )

    service.save_connection(
        reload(admin), provider="hubspot", base_url=hubspot.url, access_token="pat-na1-new"
    )
    db.session.commit()
    run_crm_jobs(app)

    assert syncs()[0].state is OutboxState.SENT


def test_ticket_events_become_notes_on_the_contact_once(
    app, org, agent, hubspot, hubspot_connection
):
    customer = _new_customer(agent)
    ticket = make_ticket(org, customer=customer, subject="Printer <on> fire")
    number = ticket.number
    db.session.commit()
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    admin = org_admin(org)
    db.session.commit()

    run_crm_jobs(app)

    contact = hubspot.contact("ana@acme.example")
    assert len(hubspot.notes) == 2
    bodies = sorted(n["properties"]["hs_note_body"] for n in hubspot.notes.values())
    assert f"Ticket #{number} opened: Printer &lt;on&gt; fire" in bodies[0] + bodies[1]
    assert f"Ticket #{number} resolved" in bodies[0] + bodies[1]
    for note in hubspot.notes.values():
        assert note["associations"] == [
            {
                "to": {"id": contact["id"]},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
            }
        ]
    # Run every row again (an admin's "Run again"): nothing new is written.
    for row in syncs():
        service.resend(reload(admin), row.id)
    db.session.commit()
    run_crm_jobs(app)
    assert len(hubspot.notes) == 2 and len(hubspot.contacts) == 1


def org_admin(org):
    from supportdesk.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(organization=org, role=Role.ADMIN)


def test_a_retry_after_a_lost_answer_finds_the_note_instead_of_writing_another(
    app, org, agent, hubspot, hubspot_connection
):
    customer = _new_customer(agent)
    run_crm_jobs(app)
    make_ticket(reload(org), customer=reload(customer))
    db.session.commit()
    # The note is written but the answer never arrives (the worker died before recording it).
    hubspot.fail_next("POST", "/crm/v3/objects/notes", 504, {"message": "Gateway timeout"})
    run_crm_jobs(app)
    timeline = [r for r in syncs() if r.kind.value == "timeline"][0]
    assert timeline.state is OutboxState.DEFERRED and timeline.attempts == 1
    # Simulate that the first attempt had in fact reached HubSpot: its note carries the marker.
    marker = (
        "sd"
        + __import__("hashlib")
        .sha256(f"{timeline.connection_id}:{timeline.event_key}".encode())
        .hexdigest()[:24]
    )
    hubspot.notes["999"] = {
        "id": "999",
        "properties": {
            "hs_note_body": f"<p>x</p> {marker}",
            "hs_timestamp": "2026-11-28T00:00:00.000Z",
        },
        "associations": [],
    }

    make_due()
    sync.run()

    timeline = [r for r in syncs() if r.kind.value == "timeline"][0]
    assert timeline.state is OutboxState.SENT and timeline.crm_object_id == "999"
    assert len(hubspot.notes) == 1
    assert hubspot.calls("POST", "/crm/v3/objects/notes/search")


def test_another_organizations_customers_never_reach_this_connection(
    app, other_org, hubspot, hubspot_connection
):
    from supportdesk.accounts.models import Role
    from tests.factories import UserFactory

    stranger = UserFactory(organization=other_org, role=Role.AGENT)
    customers.create_customer(stranger, email="bob@other.example")
    make_ticket(other_org, customer_email="carl@other.example")
    db.session.commit()

    run_crm_jobs(app)

    assert syncs() == [] and hubspot.requests == []


# -- Salesforce ------------------------------------------------------------------------------


def test_a_new_customer_becomes_a_salesforce_contact_under_its_account(
    app, agent, salesforce, salesforce_connection
):
    customer = _new_customer(agent)
    customer_id = customer.id

    run_crm_jobs(app)

    (token,) = salesforce.calls("POST", "/services/oauth2/token")
    assert token.body == {
        "grant_type": "refresh_token",
        "client_id": salesforce.client_id,
        "client_secret": salesforce.client_secret,
        "refresh_token": salesforce.refresh_token,
        "format": "json",
    }
    (composite,) = salesforce.calls("POST", "/services/data/v60.0/composite")
    assert composite.headers["Authorization"] == f"Bearer {salesforce.session}"
    assert composite.body["allOrNone"] is True
    account, contact = composite.body["compositeRequest"]
    assert account["method"] == "PATCH"
    assert account["url"] == "/services/data/v60.0/sobjects/Account/SupportDesk_Key__c/acme"
    assert (
        contact["url"] == f"/services/data/v60.0/sobjects/Contact/SupportDesk_Id__c/{customer_id}"
    )
    assert contact["body"] == {
        "FirstName": "Ana",
        "LastName": "Lima",
        "Email": "ana@acme.example",
        "AccountId": "@{account.id}",
    }
    customer = reload(customer)
    stored = salesforce.contact(str(customer.id))
    assert salesforce.records["Account"][stored["AccountId"]]["Name"] == "Acme"
    assert customer.crm_id == stored["Id"] and customer.crm_sync_status == "synced"


def test_an_expired_session_is_refreshed_once_and_the_write_retried(
    app, agent, salesforce, salesforce_connection
):
    _new_customer(agent)
    run_crm_jobs(app)
    salesforce.expire_session()

    customer = _new_customer(reload(agent), email="bea@acme.example", name="Bea Reis")
    run_crm_jobs(app)

    assert len(salesforce.calls("POST", "/services/oauth2/token")) == 2
    composites = salesforce.calls("POST", "/services/data/v60.0/composite")
    assert len(composites) == 3  # first customer, then 401 and the retry for the second
    customer = reload(customer)
    assert customer.crm_sync_status == "synced"


def test_a_revoked_refresh_token_breaks_the_connection_in_words(
    app, agent, salesforce, salesforce_connection
):
    salesforce.revoked = True
    _new_customer(agent)

    run_crm_jobs(app)

    salesforce_connection = reload(salesforce_connection)
    assert salesforce_connection.status is ConnectionStatus.BROKEN
    assert salesforce_connection.status_message.startswith(
        "Salesforce refused the refresh token (invalid_grant: expired access/refresh token)"
    )
    assert syncs()[0].state is OutboxState.DEFERRED


def test_a_salesforce_validation_rule_is_shown_in_words(
    app, agent, salesforce, salesforce_connection
):
    customer = _new_customer(agent, email="eve@blocked.example")

    run_crm_jobs(app)

    customer = reload(customer)
    assert customer.crm_sync_status == "failed"
    assert customer.crm_sync_error == (
        "Salesforce refused the contact: FIELD_CUSTOM_VALIDATION_EXCEPTION: "
        "Contacts from this domain are not accepted."
    )
    assert salesforce.records["Account"] == {}  # all or none


@pytest.mark.parametrize("sobject", ["Task", "Case"])
def test_ticket_events_are_upserted_by_event_id_so_a_rerun_writes_nothing_new(
    app, org, admin, agent, salesforce, salesforce_connection, sobject
):
    salesforce_connection.timeline_object = sobject
    db.session.commit()
    customer = _new_customer(agent)
    ticket = make_ticket(org, customer=customer, subject="Login fails")
    ticket_id, number, customer_id = ticket.id, ticket.number, customer.id
    db.session.commit()
    run_crm_jobs(app)

    for row in syncs():
        service.resend(reload(admin), row.id)
    db.session.commit()
    run_crm_jobs(app)

    (record,) = salesforce.records[sobject].values()
    assert record["SupportDesk_Event_Id__c"] == f"ticket-{ticket_id}-created"
    assert record["Subject"] == f"Ticket #{number} opened: Login fails"
    who = "WhoId" if sobject == "Task" else "ContactId"
    assert record[who] == salesforce.contact(str(customer_id))["Id"]


def test_a_successful_test_of_a_broken_connection_releases_its_held_writes(
    app, agent, hubspot, hubspot_connection
):
    hubspot.token = "pat-na1-revoked-for-a-while"
    _new_customer(agent)
    run_crm_jobs(app)
    assert syncs()[0].state is OutboxState.DEFERRED

    hubspot.token = "pat-na1-good"  # the admin restored the app in HubSpot
    assert sync.check_connection(reload(hubspot_connection)) is None
    run_crm_jobs(app)

    assert syncs()[0].state is OutboxState.SENT


def test_a_changed_email_updates_the_known_contact_instead_of_making_a_second(
    app, agent, hubspot, hubspot_connection
):
    customer = _new_customer(agent)
    run_crm_jobs(app)
    contact_id = hubspot.contact("ana@acme.example")["id"]

    customer = reload(customer)
    customers.update_customer(
        reload(agent),
        customer,
        email="ana@acme-corp.example",
        name="Ana Lima",
        tier=Tier.FREE,
        company="Acme",
    )
    db.session.commit()
    run_crm_jobs(app)

    assert len(hubspot.contacts) == 1
    assert hubspot.contacts[contact_id]["properties"]["email"] == "ana@acme-corp.example"
    (update,) = hubspot.calls("POST", "/crm/v3/objects/contacts/batch/update")
    assert update.body["inputs"][0]["id"] == contact_id


def test_a_contact_deleted_in_hubspot_is_made_again_by_email(
    app, agent, hubspot, hubspot_connection
):
    customer = _new_customer(agent)
    run_crm_jobs(app)
    hubspot.contacts.clear()

    customer = reload(customer)
    customers.update_customer(
        reload(agent),
        customer,
        email=customer.email,
        name="Ana L.",
        tier=Tier.FREE,
        company="Acme",
    )
    db.session.commit()
    run_crm_jobs(app)

    contact = hubspot.contact("ana@acme.example")
    assert contact is not None and reload(customer).crm_id == contact["id"]


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        pytest.param("hubspot", "There is no HubSpot API at", id="hubspot"),
        pytest.param("salesforce", "There is no Salesforce login at", id="salesforce"),
    ],
)
def test_a_wrong_address_is_said_so(app, admin, httpserver, provider, expected):
    from werkzeug import Response

    # A web server that is not the CRM: every path is a 404 page.
    httpserver.expect_request(re.compile(".*")).respond_with_response(
        Response("<h1>Not Found</h1>", 404, mimetype="text/html")
    )
    connection = service.save_connection(
        admin,
        provider=provider,
        base_url=httpserver.url_for("/elsewhere"),
        access_token="t",
        client_id="c",
        client_secret="s",
        refresh_token="r",
    )
    db.session.commit()

    assert sync.check_connection(connection).startswith(expected)


def test_the_sync_log_never_keeps_a_token_answer(app, agent, salesforce, salesforce_connection):
    salesforce.fail_next("POST", "/services/data/v60.0/composite", 503, {"message": "down"})
    _new_customer(agent)

    run_crm_jobs(app)

    (row,) = syncs()
    assert "POST /services/oauth2/token → 200" in row.request_summary
    assert salesforce.session not in row.response_summary
    assert "access_token" not in row.response_summary
