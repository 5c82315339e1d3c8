"""The CRM pages and API: admins configure, everyone's role and organization checked, secrets
never rendered back, the customer page shows the sync and refreshes from the CRM."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Role
from supportdesk.crm import inbound, service
from supportdesk.crm.models import CrmConnection, Provider
from supportdesk.customers import service as customers
from supportdesk.customers.models import Tier
from supportdesk.extensions import db
from tests.crm.conftest import reload, run_crm_jobs, syncs
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _post(client, page_url, url, data=None):
    token = csrf_token(client.get(page_url))
    return client.post(url, data={"csrf_token": token, **(data or {})})


FORM = {
    "provider": "hubspot",
    "company_property": "company",
    "company_direction": "both",
    "company_master": "crm",
    "tier_property": "supportdesk_tier",
    "tier_direction": "pull",
    "tier_master": "crm",
    "timeline_events": ["ticket.created", "ticket.resolved"],
    "timeline_object": "Task",
    "enabled": "y",
}


def test_an_admin_connects_hubspot_and_the_token_is_never_shown_again(client, admin, hubspot):
    login_as(client, admin)

    response = _post(
        client,
        "/admin/crm",
        "/admin/crm",
        {**FORM, "base_url": hubspot.url, "access_token": hubspot.token},
    )

    assert response.status_code == 302
    connection = db.session.scalar(db.select(CrmConnection))
    assert connection.access_token == hubspot.token and connection.base_url == hubspot.url
    page = client.get("/admin/crm").get_data(as_text=True)
    assert hubspot.token not in page and "set — type to replace" in page
    response = _post(client, "/admin/crm", "/admin/crm/test")
    assert "HubSpot answered: the connection works." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "status", "field_error"),
    [
        pytest.param({}, 409, "Paste the private app&#39;s access token.", id="no-token"),
        pytest.param(
            {"access_token": "x", "tier_property": "bad name!"},
            422,
            "Use a CRM property&#39;s internal name",
            id="bad-property",
        ),
        pytest.param(
            {"access_token": "x", "base_url": "ftp://crm.example"},
            422,
            "Only http:// and https://",
            id="bad-url",
        ),
        pytest.param(
            {"provider": "salesforce", "client_id": "cid"},
            409,
            "Enter it once; it is stored encrypted",
            id="salesforce-no-secret",
        ),
    ],
)
def test_a_bad_connection_form_is_shown_again_with_the_field_error(
    client, admin, hubspot, data, status, field_error
):
    login_as(client, admin)

    response = _post(client, "/admin/crm", "/admin/crm", {**FORM, "base_url": hubspot.url, **data})

    assert response.status_code == status
    assert field_error in response.get_data(as_text=True)
    assert db.session.scalar(db.select(CrmConnection)) is None


def test_test_connection_tells_the_admin_what_is_wrong(client, admin, hubspot, hubspot_connection):
    hubspot.token = "pat-rotated"
    login_as(client, admin)

    response = _post(client, "/admin/crm", "/admin/crm/test")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The connection does not work: HubSpot refused the access token (401)" in html.unescape(
        page
    )


@pytest.mark.parametrize("role", ["agent", "senior_agent", "viewer"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/crm"),
        ("GET", "/admin/crm/log"),
        ("POST", "/admin/crm"),
        ("POST", "/admin/crm/test"),
        ("POST", "/admin/crm/full-sync"),
        ("POST", "/admin/crm/disconnect"),
        ("POST", "/admin/crm/log/{id}/resend"),
    ],
)
def test_only_admins_reach_the_crm_pages(
    client, request, hubspot_connection, agent, role, method, path
):
    customers.create_customer(agent, email="ana@acme.example")
    db.session.commit()
    sync_id = syncs()[0].id
    login_as(client, request.getfixturevalue(role))
    url = path.format(id=sync_id)
    if method == "GET":
        assert client.get(url).status_code == 403
    else:
        assert _post(client, "/", url).status_code == 403
    assert reload(hubspot_connection) is not None


def test_another_organizations_sync_entry_is_a_404(client, admin, other_org, hubspot):
    stranger = UserFactory(organization=other_org, role=Role.ADMIN)
    service.save_connection(stranger, provider="hubspot", base_url=hubspot.url, access_token="t")
    customers.create_customer(stranger, email="theirs@other.example")
    db.session.commit()
    theirs = syncs()[0].id
    login_as(client, admin)

    assert _post(client, "/", f"/admin/crm/log/{theirs}/resend").status_code == 404
    assert "theirs@other.example" not in client.get("/admin/crm").get_data(as_text=True)


def test_the_sync_log_shows_each_row_escaped(
    app, client, admin, agent, hubspot, hubspot_connection
):
    customers.create_customer(agent, email="ana@acme.example", name="<b>Ana</b>")
    db.session.commit()
    run_crm_jobs(app)
    login_as(client, reload(admin))

    page = client.get("/admin/crm/log").get_data(as_text=True)

    assert (
        "Contact upsert" in page and "&lt;b&gt;Ana&lt;/b&gt;" in page and "<b>Ana</b>" not in page
    )
    assert "POST /crm/v3/objects/contacts/batch/upsert → 200" in page


def test_a_full_sync_queues_every_customer_and_is_audited(
    app, client, admin, org, hubspot, hubspot_connection
):
    for n in range(3):
        CustomerFactory(organization=org, email=f"c{n}@example.com")
    db.session.commit()
    login_as(client, admin)

    response = _post(client, "/admin/crm", "/admin/crm/full-sync")

    assert "3 customers queued for the CRM." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    again = _post(client, "/admin/crm", "/admin/crm/full-sync")  # before the worker ran
    assert "0 customers queued" in client.get(again.headers["Location"]).get_data(as_text=True)
    run_crm_jobs(app)
    assert len(hubspot.contacts) == 3
    assert len(syncs()) == 3


def test_the_customer_page_shows_the_sync_and_refreshes_from_the_crm(
    app, client, agent, hubspot, hubspot_connection
):
    customer = customers.create_customer(agent, email="ana@acme.example", name="Ana")
    customer_id = customer.id
    db.session.commit()
    run_crm_jobs(app)
    hubspot.edit("ana@acme.example", supportdesk_tier="premium")
    login_as(client, reload(agent))

    page = client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "Synced" in page and hubspot.contact("ana@acme.example")["id"] in page
    response = _post(client, f"/customers/{customer_id}", f"/customers/{customer_id}/crm-refresh")

    assert "Updated from HubSpot: tier Free → Premium." in html.unescape(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )
    assert reload(customer).tier is Tier.PREMIUM


def test_a_failed_sync_shows_its_reason_on_the_customer_page(
    app, client, agent, hubspot, hubspot_connection
):
    hubspot.properties.discard("company")
    customer = customers.create_customer(agent, email="ana@acme.example", company="Acme")
    customer_id = customer.id
    db.session.commit()
    run_crm_jobs(app)
    login_as(client, reload(agent))

    page = html.unescape(client.get(f"/customers/{customer_id}").get_data(as_text=True))

    assert "Failed" in page and "HubSpot refused the data: Property values were not valid" in page


def test_viewers_cannot_refresh_a_customer(client, viewer, customer, hubspot_connection):
    login_as(client, viewer)
    assert "Refresh from CRM" not in client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert _post(client, "/", f"/customers/{customer.id}/crm-refresh").status_code == 403


# -- API -------------------------------------------------------------------------------------


def test_an_admin_connects_through_the_api_and_never_reads_the_secret_back(api_as, admin, hubspot):
    api = api_as(admin)

    response = api.request(
        "PUT",
        "/crm/connection",
        json={
            "provider": "hubspot",
            "base_url": hubspot.url,
            "access_token": hubspot.token,
            "field_map": {"tier": {"property": "plan", "direction": "both"}},
        },
    )

    assert response.status_code == 200, response.json
    assert response.json["access_token_set"] is True
    assert response.json["field_map"]["tier"] == {
        "property": "plan",
        "direction": "both",
        "master": "crm",
    }
    assert hubspot.token not in response.get_data(as_text=True)
    assert api.post("/crm/connection/test").json == {
        "ok": False,
        "message": (
            "HubSpot has no contact property named “plan”: create it in HubSpot, or map the field "
            "to another property."
        ),
    }


def test_the_master_of_a_field_is_set_through_the_api_and_kept_when_left_out(
    api_as, admin, hubspot
):
    api = api_as(admin)
    body = {"provider": "hubspot", "base_url": hubspot.url, "access_token": hubspot.token}
    field_map = {"company": {"property": "company", "direction": "both", "master": "supportdesk"}}

    first = api.request("PUT", "/crm/connection", json={**body, "field_map": field_map})
    del field_map["company"]["master"]
    second = api.request("PUT", "/crm/connection", json={**body, "field_map": field_map})

    assert first.json["field_map"]["company"]["master"] == "supportdesk"
    assert second.json["field_map"]["company"]["master"] == "supportdesk"
    assert second.json["field_map"]["tier"]["master"] == "crm"
    refused = api.request(
        "PUT",
        "/crm/connection",
        json={
            **body,
            "field_map": {"tier": {"property": "x", "direction": "both", "master": "me"}},
        },
    )
    assert refused.status_code == 422


def test_the_admin_page_saves_who_wins_a_conflict(client, admin, hubspot):
    login_as(client, admin)
    data = {**FORM, "base_url": hubspot.url, "access_token": hubspot.token}

    response = _post(client, "/admin/crm", "/admin/crm", {**data, "tier_master": "supportdesk"})

    assert response.status_code == 302
    connection = db.session.scalar(sa.select(CrmConnection))
    assert connection.field_map["tier"]["master"] == "supportdesk"
    page = client.get("/admin/crm").get_data(as_text=True)
    assert '<option selected value="supportdesk">' in page or (
        'value="supportdesk" selected' in page
    )


def test_the_api_names_the_field_it_refuses(api_as, admin, hubspot):
    response = api_as(admin).request(
        "PUT", "/crm/connection", json={"provider": "hubspot", "base_url": hubspot.url}
    )

    assert response.status_code == 409
    assert "access_token" in response.json["error"]["fields"]


@pytest.mark.parametrize("role", ["agent", "viewer"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/crm/connection"),
        ("PUT", "/crm/connection"),
        ("POST", "/crm/connection/test"),
        ("GET", "/crm/syncs"),
    ],
)
def test_only_admins_use_the_crm_api(request, api_as, hubspot_connection, role, method, path):
    api = api_as(request.getfixturevalue(role))
    response = api.request(method, path, json={"provider": "hubspot"} if method == "PUT" else None)
    assert response.status_code == 403


def test_refresh_through_the_api_and_another_organizations_customer_is_a_404(
    api_as, agent, other_org, hubspot, hubspot_connection
):
    customer = CustomerFactory(organization=agent.organization, email="ana@acme.example")
    theirs = CustomerFactory(organization=other_org, email="ana@acme.example")
    db.session.commit()
    hubspot.edit("ana@acme.example", supportdesk_tier="basic")
    api = api_as(agent)

    response = api.post(f"/customers/{customer.id}/crm-refresh")

    assert response.status_code == 200
    assert response.json["tier"] == "basic" and response.json["crm_sync_status"] == "synced"
    assert api.post(f"/customers/{theirs.id}/crm-refresh").status_code == 404
    assert reload(theirs).tier is Tier.FREE


def test_the_ticket_page_shows_the_crm_facts_next_to_a_synced_customer(
    app, client, org, agent, hubspot, hubspot_connection, query_counter
):
    synced = customers.create_customer(agent, email="ana@acme.example", name="Ana", company="Acme")
    db.session.commit()
    run_crm_jobs(app)
    hubspot.edit("ana@acme.example", supportdesk_tier="premium", hubspot_owner_id="41629779")
    inbound.refresh_customer(reload(hubspot_connection), reload(synced))  # tier pulled: Premium
    plain = CustomerFactory(organization=reload(org), email="bo@other.example")
    db.session.commit()
    ours = make_ticket(reload(org), customer=reload(synced)).number
    theirs = make_ticket(reload(org), customer=plain).number
    contact_id = hubspot.contact("ana@acme.example")["id"]
    db.session.commit()
    db.session.expunge_all()
    login_as(client, reload(agent))

    client.get(f"/tickets/{theirs}")  # the organization's menus and fields, cached once
    counts = []
    for number in (ours, theirs):
        with query_counter() as queries:
            response = client.get(f"/tickets/{number}")
        counts.append(queries.count)
        assert response.status_code == 200
    # The connection is read only for a customer the CRM took (one query, the first time), never
    # otherwise; then it comes from the organization's cache (accounts.orgcache).
    assert counts[0] == counts[1] + 1
    with query_counter() as queries:
        assert client.get(f"/tickets/{ours}").status_code == 200
    assert queries.count == counts[1]

    page = html.unescape(client.get(f"/tickets/{ours}").get_data(as_text=True))
    facts = page[page.index('id="crm-facts"') : page.index("</dl>", page.index('id="crm-facts"'))]
    assert "HubSpot" in facts and contact_id in facts
    assert "Acme" in facts and "Premium" in facts and "Synced" in facts
    assert 'Owner</dt><dd id="crm-facts-owner">Maria Rossi' in facts
    assert 'id="crm-facts"' not in client.get(f"/tickets/{theirs}").get_data(as_text=True)


def test_a_salesforce_customer_s_ticket_links_to_the_contact(
    app, client, org, agent, salesforce, salesforce_connection
):
    customer = customers.create_customer(agent, email="ana@acme.example", company="Acme")
    db.session.commit()
    run_crm_jobs(app)
    customer = reload(customer)
    number = make_ticket(reload(org), customer=customer).number
    url = f"{reload(salesforce_connection).instance_url.rstrip('/')}/{customer.crm_id}"
    db.session.commit()
    login_as(client, reload(agent))

    page = client.get(f"/tickets/{number}").get_data(as_text=True)

    assert customer.crm_id and f'href="{url}"' in page
    assert "Salesforce" in page


def test_no_crm_facts_once_the_connection_is_gone(client, org, admin, agent, hubspot_connection):
    customer = CustomerFactory(organization=org, email="cy@acme.example", crm_id="901")
    db.session.commit()
    number = make_ticket(org, customer=customer).number
    service.delete_connection(admin)
    db.session.commit()
    login_as(client, agent)

    assert 'id="crm-facts"' not in client.get(f"/tickets/{number}").get_data(as_text=True)


def test_the_pages_show_a_changed_or_removed_connection_at_once(
    client, org, other_org, admin, agent, hubspot_connection
):
    customer = CustomerFactory(organization=org, email="cy@acme.example", crm_id="901")
    theirs = CustomerFactory(organization=other_org, email="cy@other.example", crm_id="901")
    outsider = UserFactory(organization=other_org)
    db.session.commit()
    number = make_ticket(org, customer=customer).number
    their_number = make_ticket(other_org, customer=theirs).number
    db.session.commit()
    login_as(client, agent)
    assert 'id="crm-facts"' in client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "HubSpot" in client.get(f"/customers/{customer.id}").get_data(as_text=True)

    # Another organization never sees this one's cached connection.
    login_as(client, outsider)
    assert 'id="crm-facts"' not in client.get(f"/tickets/{their_number}").get_data(as_text=True)
    assert "HubSpot" not in client.get(f"/customers/{theirs.id}").get_data(as_text=True)

    # The organization switches to Salesforce: the next page links to the new instance.
    connection = reload(hubspot_connection)
    connection.provider = Provider.SALESFORCE
    connection.instance_url = "https://acme.my.salesforce.example"
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert 'href="https://acme.my.salesforce.example/901"' in page and "Salesforce" in page

    # Disconnected: the next page shows no CRM at all.
    service.delete_connection(reload(admin))
    db.session.commit()
    assert 'id="crm-facts"' not in client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "crm-card" not in client.get(f"/customers/{customer.id}").get_data(as_text=True)
