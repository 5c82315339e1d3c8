"""The conflict rule: per-field direction decides; a field changed on both sides since the last
sync keeps its configured master's value, and the other value is written in the sync log."""

from __future__ import annotations

import pytest

from supportdesk.crm import conflicts, inbound, service
from supportdesk.crm.models import SyncKind
from supportdesk.customers import service as customers
from supportdesk.customers.models import Tier
from supportdesk.extensions import db
from tests.crm.conftest import reload, run_crm_jobs, syncs
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("direction", "master", "ours", "theirs", "agreed", "expected"),
    [
        pytest.param("both", "crm", "a", "a", "x", conflicts.Outcome(False, "a"), id="agree"),
        pytest.param("pull", "supportdesk", "a", "b", "a", conflicts.Outcome(True, "b"), id="pull"),
        pytest.param("both", "crm", "a", "b", "a", conflicts.Outcome(True, "b"), id="crm-changed"),
        pytest.param(
            "both", "crm", "b", "a", "a", conflicts.Outcome(False, None, push=True), id="we-changed"
        ),
        pytest.param(
            "both",
            "crm",
            "ours",
            "theirs",
            "old",
            conflicts.Outcome(
                True, "theirs", note="Company: kept 'theirs' from HubSpot; supportdesk had 'ours'"
            ),
            id="both-changed-crm-master",
        ),
        pytest.param(
            "both",
            "supportdesk",
            "ours",
            "theirs",
            "old",
            conflicts.Outcome(
                False,
                "theirs",
                push=True,
                note="Company: kept 'ours' from supportdesk; HubSpot had 'theirs'",
            ),
            id="both-changed-supportdesk-master",
        ),
        pytest.param(
            "both",
            "supportdesk",
            "ours",
            "theirs",
            None,
            conflicts.Outcome(
                False,
                "theirs",
                push=True,
                note="Company: kept 'ours' from supportdesk; HubSpot had 'theirs'",
            ),
            id="never-synced-counts-as-both",
        ),
    ],
)
def test_the_rule_as_a_table(direction, master, ours, theirs, agreed, expected):
    outcome = conflicts.resolve(
        label="Company",
        direction=direction,
        master=master,
        ours=ours,
        theirs=theirs,
        agreed=agreed,
        crm="HubSpot",
    )
    assert outcome == expected


def _both_ways(admin, connection, master: str) -> None:
    field_map = {
        name: {**entry, "direction": "both", "master": master}
        for name, entry in connection.field_map.items()
    }
    service.save_connection(
        admin,
        provider=connection.provider.value,
        base_url=connection.base_url,
        client_id=connection.client_id,
        field_map=field_map,
    )
    db.session.commit()


@pytest.fixture(params=["hubspot", "salesforce"])
def crm(request, admin):
    """(provider label, fake, connection, edit(customer, **values) in the CRM, CRM value of)."""
    if request.param == "hubspot":
        fake = request.getfixturevalue("hubspot")
        connection = request.getfixturevalue("hubspot_connection")

        def edit(customer, company=None, tier=None):
            props = {}
            if company is not None:
                props["company"] = company
            if tier is not None:
                props["supportdesk_tier"] = tier
            fake.edit(customer.email, **props)

        def value(customer, field):
            prop = {"company": "company", "tier": "supportdesk_tier"}[field]
            return fake.contact(customer.email)["properties"].get(prop)

        return "HubSpot", fake, connection, edit, value
    fake = request.getfixturevalue("salesforce")
    connection = request.getfixturevalue("salesforce_connection")

    def edit(customer, company=None, tier=None):
        contact = fake.contact(str(customer.id))
        if company is not None:
            fake.records["Account"][contact["AccountId"]]["Name"] = company
        fake.edit(str(customer.id), **({"SupportDesk_Tier__c": tier} if tier else {}))

    def value(customer, field):
        contact = fake.contact(str(customer.id))
        if field == "company":
            return fake.records["Account"][contact["AccountId"]]["Name"]
        return contact.get("SupportDesk_Tier__c")

    return "Salesforce", fake, connection, edit, value


def _synced_customer(app, agent):
    customer = customers.create_customer(
        agent, email="ana@acme.example", name="Ana Lima", company="Acme", tier=Tier.BASIC
    )
    db.session.commit()
    run_crm_jobs(app)
    return reload(customer)


def _edit_here(agent, customer, **values):
    customers.update_customer(
        reload(agent),  # the worker's run ended the session that loaded it
        customer,
        email=customer.email,
        name=customer.name,
        tier=values.get("tier", customer.tier),
        company=values.get("company", customer.company),
    )
    db.session.commit()  # the push waits: the worker has not run yet


@pytest.mark.parametrize(
    ("master", "company", "tier", "note"),
    [
        pytest.param(
            "crm",
            "Acme Holdings",
            Tier.PREMIUM,
            "Company: kept 'Acme Holdings' from {crm}; supportdesk had 'Acme Europe'\n"
            "Tier: kept 'premium' from {crm}; supportdesk had 'enterprise'",
            id="crm-is-master",
        ),
        pytest.param(
            "supportdesk",
            "Acme Europe",
            Tier.ENTERPRISE,
            "Company: kept 'Acme Europe' from supportdesk; {crm} had 'Acme Holdings'\n"
            "Tier: kept 'enterprise' from supportdesk; {crm} had 'premium'",
            id="supportdesk-is-master",
        ),
    ],
)
def test_a_field_changed_on_both_sides_keeps_the_master_and_logs_the_other(
    app, admin, agent, crm, master, company, tier, note
):
    label, fake, connection, edit_there, value_there = crm
    _both_ways(admin, reload(connection), master)
    customer = _synced_customer(app, agent)
    _edit_here(agent, customer, company="Acme Europe", tier=Tier.ENTERPRISE)
    edit_there(reload(customer), company="Acme Holdings", tier="premium")

    inbound.pull(reload(connection))
    run_crm_jobs(app)  # the push that was waiting, and the one our win queued

    customer = reload(customer)
    assert (customer.company, customer.tier) == (company, tier)
    assert value_there(customer, "company") == company
    assert value_there(customer, "tier") == tier.value
    (read,) = [r for r in syncs() if r.kind is SyncKind.PULL]
    assert read.note == note.format(crm=label)
    assert customer.crm_synced_values == {"company": company, "tier": tier.value}


def test_a_field_changed_only_in_the_crm_is_taken_without_a_conflict(app, admin, agent, crm):
    label, fake, connection, edit_there, value_there = crm
    _both_ways(admin, reload(connection), "supportdesk")
    customer = _synced_customer(app, agent)
    edit_there(customer, company="Acme Holdings")

    inbound.pull(reload(connection))

    assert reload(customer).company == "Acme Holdings"
    (read,) = [r for r in syncs() if r.kind is SyncKind.PULL]
    assert read.note == "" and "Acme Holdings" in read.response_summary


def test_a_field_changed_only_here_is_kept_and_pushed(app, admin, agent, crm):
    label, fake, connection, edit_there, value_there = crm
    _both_ways(admin, reload(connection), "crm")
    customer = _synced_customer(app, agent)
    _edit_here(agent, customer, company="Acme Europe")
    edit_there(reload(customer), tier="basic")  # the contact changed, not its company

    inbound.pull(reload(connection))
    run_crm_jobs(app)

    customer = reload(customer)
    assert customer.company == "Acme Europe"
    assert value_there(customer, "company") == "Acme Europe"
    assert [r for r in syncs() if r.kind is SyncKind.PULL] == []


def test_an_unrelated_edit_does_not_overwrite_a_crm_change_the_pull_has_not_read(
    app, admin, agent, hubspot, hubspot_connection
):
    _both_ways(admin, reload(hubspot_connection), "crm")
    customer = _synced_customer(app, agent)
    hubspot.edit(customer.email, company="Acme Holdings")
    customers.update_customer(
        reload(agent),
        customer,
        email=customer.email,
        name="Ana Lima-Costa",
        tier=customer.tier,
        company=customer.company,
    )
    db.session.commit()

    run_crm_jobs(app)

    contact = hubspot.contact("ana@acme.example")["properties"]
    assert (contact["lastname"], contact["company"]) == ("Lima-Costa", "Acme Holdings")
    inbound.pull(reload(hubspot_connection))
    assert reload(customer).company == "Acme Holdings"


@pytest.mark.parametrize(
    ("master", "company", "note"),
    [
        pytest.param(
            "crm",
            "Acme Holdings",
            "Company: kept 'Acme Holdings' from {crm}; supportdesk had 'Acme Europe'",
            id="crm-is-master",
        ),
        pytest.param(
            "supportdesk",
            "Acme Europe",
            "Company: kept 'Acme Europe' from supportdesk; {crm} had 'Acme Holdings'",
            id="supportdesk-is-master",
        ),
    ],
)
def test_a_push_that_comes_before_the_pull_reads_the_crm_first(
    app, admin, agent, crm, master, company, note
):
    label, fake, connection, edit_there, value_there = crm
    _both_ways(admin, reload(connection), master)
    customer = _synced_customer(app, agent)
    edit_there(customer, company="Acme Holdings")  # not pulled yet
    _edit_here(agent, reload(customer), company="Acme Europe")

    run_crm_jobs(app)  # the push of our edit

    customer = reload(customer)
    assert customer.company == company
    assert value_there(customer, "company") == company
    (read,) = [r for r in syncs() if r.kind is SyncKind.PULL]
    assert read.note == note.format(crm=label)
    assert read.request_summary == "Read before a push"


def test_the_sync_log_shows_the_conflict_and_no_run_again_button_for_a_read(
    app, client, admin, agent, hubspot, hubspot_connection
):
    _both_ways(admin, reload(hubspot_connection), "crm")
    customer = _synced_customer(app, agent)
    _edit_here(agent, customer, company="Acme <Europe>")
    hubspot.edit("ana@acme.example", company="Acme Holdings")
    inbound.pull(reload(hubspot_connection))
    (read,) = [r for r in syncs() if r.kind is SyncKind.PULL]
    login_as(client, reload(admin))

    page = client.get("/admin/crm/log").get_data(as_text=True)

    assert "Contact read from the CRM" in page
    assert (
        "Company: kept &#39;Acme Holdings&#39; from HubSpot; supportdesk had &#39;Acme &lt;Europe&gt;&#39;"
        in page
    )
    assert f"/admin/crm/log/{read.id}/resend" not in page
    token = csrf_token(client.get("/admin/crm/log"))
    refused = client.post(f"/admin/crm/log/{read.id}/resend", data={"csrf_token": token})
    assert refused.status_code in (302, 409)
    assert reload(read).state.value == "sent"
