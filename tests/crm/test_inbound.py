"""Inbound: tier and company pulled from the fake CRMs by modified-since cursor and on demand; a
tier upgraded in the CRM gives the customer's open tickets the new tier's SLA; "Test connection"."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk.crm import inbound, service, sync
from supportdesk.crm.models import ConnectionStatus
from supportdesk.customers import service as customers
from supportdesk.customers.models import Customer, Tier
from supportdesk.extensions import db
from supportdesk.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from tests.crm.conftest import reload, run_crm_jobs
from tests.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.integration

ALWAYS = {str(d): [["00:00", "23:59"]] for d in range(7)}


@pytest.fixture
def policies(org):
    """A default SLA and a much faster one for premium customers."""
    calendar = BusinessCalendar(
        organization_id=org.id, name="Always", time_zone="UTC", weekly_hours=ALWAYS, holidays=[]
    )
    db.session.add(calendar)
    db.session.flush()
    db.session.add_all(
        [
            SlaPolicy(organization_id=org.id, name="Standard", calendar_id=calendar.id),
            SlaPolicy(
                organization_id=org.id,
                name="Premium",
                calendar_id=calendar.id,
                customer_tier="premium",
                first_response_minutes={"critical": 15, "high": 30, "medium": 60, "low": 120},
                resolution_minutes={"critical": 60, "high": 120, "medium": 240, "low": 480},
            ),
        ]
    )
    db.session.flush()


def _due(ticket_id: int) -> dt.datetime:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(TicketSla.resolution_due_at).where(TicketSla.ticket_id == ticket_id)
    )


def test_a_tier_upgraded_in_hubspot_is_pulled_and_recomputes_the_sla(
    app, org, policies, hubspot, hubspot_connection
):
    customer = CustomerFactory(organization=org, email="ana@acme.example", company="Acme")
    ticket = make_ticket(org, customer=customer)
    db.session.commit()
    before = _due(ticket.id)
    hubspot.edit("ana@acme.example", supportdesk_tier="Premium", company="Acme Corp")
    hubspot.edit("nobody@else.example", supportdesk_tier="enterprise")

    changed = inbound.pull(reload(hubspot_connection))

    assert changed == 1
    customer = reload(customer)
    assert customer.tier is Tier.PREMIUM and customer.company == "Acme Corp"
    assert customer.crm_id == hubspot.contact("ana@acme.example")["id"]
    assert _due(ticket.id) < before
    (search,) = hubspot.calls("POST", "/crm/v3/objects/contacts/search")
    assert search.body["filterGroups"][0]["filters"][0]["propertyName"] == "lastmodifieddate"
    assert search.body["filterGroups"][0]["filters"][0]["operator"] == "GTE"
    assert search.body["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    assert {"email", "supportdesk_tier", "company"} <= set(search.body["properties"])


def test_the_cursor_moves_so_the_next_pull_reads_only_newer_changes(
    app, org, hubspot, hubspot_connection
):
    CustomerFactory(organization=org, email="ana@acme.example")
    db.session.commit()
    hubspot.edit("ana@acme.example", supportdesk_tier="basic")
    inbound.pull(reload(hubspot_connection))
    cursor = reload(hubspot_connection).pull_cursor

    assert cursor is not None
    assert inbound.pull(reload(hubspot_connection)) == 0
    second = hubspot.calls("POST", "/crm/v3/objects/contacts/search")[-1]
    assert int(second.body["filterGroups"][0]["filters"][0]["value"]) == int(
        cursor.timestamp() * 1000
    )


def test_the_pull_reads_every_page(app, org, hubspot, hubspot_connection):
    for n in range(150):
        CustomerFactory(organization=org, email=f"c{n}@example.com")
        hubspot.edit(f"c{n}@example.com", supportdesk_tier="basic")
    db.session.commit()

    assert inbound.pull(reload(hubspot_connection)) == 150
    pages = hubspot.calls("POST", "/crm/v3/objects/contacts/search")
    assert [p.body.get("after") for p in pages] == [None, "100"]


def test_a_pull_never_touches_another_organizations_customer(
    app, org, other_org, hubspot, hubspot_connection
):
    theirs = CustomerFactory(organization=other_org, email="ana@acme.example")
    db.session.commit()
    hubspot.edit("ana@acme.example", supportdesk_tier="enterprise")

    inbound.pull(reload(hubspot_connection))

    assert reload(theirs).tier is Tier.FREE


def test_refresh_from_salesforce_reads_the_contact_and_its_account(
    app, org, agent, salesforce, salesforce_connection
):
    customer = customers.create_customer(
        agent, email="ana@acme.example", name="Ana", company="Acme"
    )
    customer_id = customer.id
    db.session.commit()
    run_crm_jobs(app)
    salesforce.edit(str(customer_id), SupportDesk_Tier__c="enterprise")

    message = inbound.refresh_customer(reload(salesforce_connection), reload(customer))

    assert message == "Updated from Salesforce: tier Free → Enterprise."
    assert reload(customer).tier is Tier.ENTERPRISE
    query = salesforce.calls("GET", "/services/data/v60.0/query")[-1]
    assert query.args["q"].startswith(
        "SELECT Id, Email, LastModifiedDate, Account.Name, SupportDesk_Tier__c, Owner.Name "
        "FROM Contact"
    )
    assert f"SupportDesk_Id__c = '{customer_id}' OR Email = 'ana@acme.example'" in query.args["q"]


def test_a_salesforce_pull_by_cursor_takes_the_account_name_as_company(
    app, org, agent, salesforce, salesforce_connection
):
    customer = customers.create_customer(agent, email="ana@acme.example", company="Acme")
    customer_id = customer.id
    db.session.commit()
    run_crm_jobs(app)
    contact = salesforce.contact(str(customer_id))
    salesforce.records["Account"][contact["AccountId"]]["Name"] = "Acme Holdings"
    salesforce.edit(str(customer_id), SupportDesk_Tier__c="basic")

    assert inbound.pull(reload(salesforce_connection)) == 1

    customer = reload(customer)
    assert (customer.tier, customer.company) == (Tier.BASIC, "Acme Holdings")


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(lambda hs: None, None, id="works"),
        pytest.param(
            lambda hs: setattr(hs, "token", "pat-other"),
            "HubSpot refused the access token (401): it was revoked or mistyped. "
            "Paste a current private-app token.",
            id="bad-token",
        ),
        pytest.param(
            lambda hs: hs.properties.discard("supportdesk_tier"),
            "HubSpot has no contact property named “supportdesk_tier”: create it in HubSpot, "
            "or map the field to another property.",
            id="missing-property",
        ),
        pytest.param(
            lambda hs: hs.fail_next("GET", "/crm/v3/objects/contacts", 503, {"message": "down"}),
            "HubSpot answered 503; the sync will try again.",
            id="down",
        ),
    ],
)
def test_test_connection_says_what_is_wrong_in_a_sentence(
    app, hubspot, hubspot_connection, setup, expected
):
    setup(hubspot)

    problem = sync.check_connection(reload(hubspot_connection))

    assert problem == expected
    connection = reload(hubspot_connection)
    assert connection.status is (
        ConnectionStatus.OK if expected is None else ConnectionStatus.BROKEN
    )


def test_test_connection_refreshes_salesforce_and_checks_the_contact_fields(
    app, salesforce, salesforce_connection
):
    assert sync.check_connection(reload(salesforce_connection)) is None
    salesforce.client_secret = "rotated"
    problem = sync.check_connection(reload(salesforce_connection))
    assert problem == (
        "Salesforce refused the refresh token (invalid_client: invalid client credentials): "
        "check the consumer key and secret, or connect again for a new refresh token."
    )


def test_secrets_are_stored_encrypted_and_never_audited(app, admin, hubspot, hubspot_connection):
    raw = db.session.execute(
        sa.text("SELECT access_token FROM crm_connections WHERE id = :id"),
        {"id": hubspot_connection.id},
    ).scalar()
    assert raw and hubspot.token not in raw
    from supportdesk.audit.models import AuditEntry

    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("crm.%"))).all()
    assert [e.action for e in entries] == ["crm.connected"]
    assert hubspot.token not in str(entries[0].after)
    service.save_connection(
        admin,
        provider="hubspot",
        base_url=hubspot.url,
        field_map={"tier": {"property": "plan", "direction": "both"}},
    )
    db.session.commit()
    (updated,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "crm.updated"))
    assert updated.after == {
        "field_map": {
            "company": {"property": "company", "direction": "both", "master": "crm"},
            "tier": {"property": "plan", "direction": "both", "master": "crm"},
        }
    }
    # The token left empty in the form stays as it was.
    assert reload(hubspot_connection).access_token == hubspot.token


def test_the_hubspot_contact_owner_is_named_through_the_owners_api_once_a_run(
    app, org, hubspot, hubspot_connection
):
    for email in ("ana@acme.example", "bo@acme.example"):
        CustomerFactory(organization=org, email=email)
        hubspot.edit(email, hubspot_owner_id="41629779")
    db.session.commit()

    inbound.pull(reload(hubspot_connection))

    owners = {c.crm_owner for c in db.session.scalars(sa.select(Customer))}
    assert owners == {"Maria Rossi"}
    (search,) = hubspot.calls("POST", "/crm/v3/objects/contacts/search")
    assert "hubspot_owner_id" in search.body["properties"]
    (owner,) = hubspot.calls("GET", "/crm/v3/owners/")
    assert owner.path == "/crm/v3/owners/41629779"
    assert owner.headers["Authorization"] == f"Bearer {hubspot.token}"


def test_without_the_owners_scope_the_owner_is_left_as_it_was_and_the_sync_goes_on(
    app, org, hubspot, hubspot_connection
):
    customer = CustomerFactory(organization=org, email="ana@acme.example", crm_owner="Old Owner")
    db.session.commit()
    hubspot.owners = None
    hubspot.edit("ana@acme.example", hubspot_owner_id="41629779", supportdesk_tier="basic")

    assert inbound.pull(reload(hubspot_connection)) == 1

    customer = reload(customer)
    assert (customer.crm_owner, customer.tier) == ("Old Owner", Tier.BASIC)
    assert reload(hubspot_connection).status is not ConnectionStatus.BROKEN


def test_the_salesforce_contact_owner_comes_from_owner_name(
    app, org, agent, salesforce, salesforce_connection
):
    customer = customers.create_customer(agent, email="ana@acme.example", company="Acme")
    customer_id = customer.id
    db.session.commit()
    run_crm_jobs(app)
    salesforce.edit(str(customer_id), OwnerId="0055g00000B")

    inbound.refresh_customer(reload(salesforce_connection), reload(customer))

    assert reload(customer).crm_owner == "Maria Rossi"
