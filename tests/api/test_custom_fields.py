"""The API of custom fields and saved views, and custom field values on tickets."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields import service as fields
from supportdesk.fields.models import FieldType
from supportdesk.tickets import service as tickets
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.integration

PLAN = {"key": "plan", "label": "Plan", "type": "select", "options": ["Free", "Pro"]}


@pytest.fixture
def api_admin(api_as, admin):
    return api_as(admin)


@pytest.fixture
def order(admin):
    field = fields.create_field(
        admin, key="order_number", label="Order number", type=FieldType.TEXT,
        required_on_resolve=True,
    )  # fmt: skip
    db.session.commit()
    return field


def test_an_admin_creates_reads_updates_and_archives_a_field(api_admin, api):
    created = api_admin.post("/custom-fields", json=PLAN)
    assert created.status_code == 201, created.json
    field = created.json
    assert created.headers["Location"].endswith(f"/custom-fields/{field['id']}")
    assert (field["key"], field["type"], field["options"]) == ("plan", "select", ["Free", "Pro"])
    changed = api_admin.patch(
        f"/custom-fields/{field['id']}", json={"options": ["Free", "Pro", "Team"]}
    )
    assert changed.json["options"] == ["Free", "Pro", "Team"]
    assert api_admin.delete(f"/custom-fields/{field['id']}").status_code == 204
    listed = api.get("/custom-fields").json["data"]
    assert [(f["key"], f["archived"]) for f in listed] == [("plan", True)]


def test_agents_read_fields_but_cannot_define_them(api):
    response = api.post("/custom-fields", json=PLAN)
    assert response.status_code == 403
    assert api.get("/custom-fields").status_code == 200


def test_a_taken_key_is_a_409_and_a_bad_one_a_422(api_admin):
    assert api_admin.post("/custom-fields", json=PLAN).status_code == 201
    assert api_admin.post("/custom-fields", json=PLAN).status_code == 409
    bad = api_admin.post("/custom-fields", json={**PLAN, "key": "Bad Key"})
    assert bad.status_code == 422 and "key" in bad.json["error"]["fields"]
    long_option = api_admin.post(
        "/custom-fields", json={**PLAN, "key": "p2", "options": ["x" * 101]}
    )
    assert long_option.status_code == 422 and "options.0" in long_option.json["error"]["fields"]


def test_another_organizations_field_is_a_404(api_admin, other_org):
    other_admin = UserFactory(organization=other_org, role=Role.ADMIN)
    theirs = fields.create_field(other_admin, key="x", label="X", type=FieldType.TEXT)
    db.session.commit()
    assert api_admin.get(f"/custom-fields/{theirs.id}").status_code == 404
    assert api_admin.patch(f"/custom-fields/{theirs.id}", json={"label": "Y"}).status_code == 404


def test_a_ticket_is_created_and_updated_with_values_and_shows_them(api, order):
    created = api.post(
        "/tickets",
        json={"subject": "Refund", "body": "Please", "customer_email": "c@example.com",
              "custom_fields": {"order_number": "A-1"}},
    )  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["custom_fields"] == {"order_number": "A-1"}
    number = created.json["number"]
    updated = api.patch(f"/tickets/{number}", json={"custom_fields": {"order_number": "A-2"}})
    assert updated.json["custom_fields"] == {"order_number": "A-2"}
    events = api.get(f"/tickets/{number}/events").json["data"]
    assert [e["kind"] for e in events][-1] == "custom_field"


@pytest.mark.parametrize(
    ("values", "field", "message", "status"),
    [
        pytest.param({"order_number": 12}, "custom_fields.order_number", "Enter text.", 422,
                     id="type"),
        pytest.param({"nope": "x"}, "custom_fields.nope", "No such field.", 404, id="unknown"),
    ],
)  # fmt: skip
def test_an_invalid_value_is_refused_naming_the_field(api, order, values, field, message, status):
    ticket = make_ticket(_org(order))
    db.session.commit()
    response = api.patch(f"/tickets/{ticket.number}", json={"custom_fields": values})
    assert response.status_code == status
    assert response.json["error"]["fields"] == {field: message}


def _org(field):
    from supportdesk.accounts.models import Organization

    return db.session.get(Organization, field.organization_id)


def test_resolving_without_a_required_field_is_a_422_naming_it(api, order):
    ticket = make_ticket(_org(order))
    db.session.commit()
    response = api.patch(f"/tickets/{ticket.number}", json={"status": "resolved"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "custom_fields.order_number": "Required to resolve the ticket."
    }
    assert "“Order number”" in response.json["error"]["message"]
    both = api.patch(
        f"/tickets/{ticket.number}",
        json={"status": "resolved", "custom_fields": {"order_number": "A-3"}},
    )
    assert both.status_code == 200 and both.json["status"] == "resolved"


def test_views_are_created_listed_updated_and_list_their_tickets(api, agent, order):
    pro = make_ticket(_org(order))
    make_ticket(_org(order))
    tickets.set_custom_fields(agent, pro, {"order_number": "A-7"})
    db.session.commit()
    created = api.post(
        "/views",
        json={"name": "A-7", "filters": {"queue": "open", "cf.order_number": "A-7", "junk": "1"},
              "columns": ["order_number", "missing"]},
    )  # fmt: skip
    assert created.status_code == 201, created.json
    view = created.json
    assert view["filters"] == {"queue": "open", "cf.order_number": "A-7"}
    assert view["columns"] == ["order_number"]
    found = api.get(f"/views/{view['id']}/tickets").json["data"]
    assert [t["number"] for t in found] == [pro.number]
    renamed = api.patch(f"/views/{view['id']}", json={"name": "Order A-7"})
    assert renamed.json["name"] == "Order A-7"
    assert [v["name"] for v in api.get("/views").json["data"]] == ["Order A-7"]
    assert api.delete(f"/views/{view['id']}").status_code == 204
    assert api.get(f"/views/{view['id']}").status_code == 404


def test_sharing_a_view_needs_a_senior_agent(api, api_as, senior_agent):
    assert api.post("/views", json={"name": "All", "shared": True}).status_code == 403
    assert (
        api_as(senior_agent).post("/views", json={"name": "All", "shared": True}).status_code == 201
    )


def test_another_agents_personal_view_is_a_404(api, senior_agent):
    theirs = saved_views.create_view(senior_agent, name="Theirs", filters={})
    db.session.commit()
    assert api.get(f"/views/{theirs.id}").status_code == 404
    assert api.get(f"/views/{theirs.id}/tickets").status_code == 404
    assert api.delete(f"/views/{theirs.id}").status_code == 404
