"""Custom fields and saved views in the console: admin page, ticket page, queue, sidebar."""

from __future__ import annotations

import re

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields import service as fields
from supportdesk.fields.models import CustomField, FieldType, SavedView
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _numbers(response) -> list[int]:
    html = response.get_data(as_text=True)
    return [int(n) for n in re.findall(r'<td class="col-number"><a href="/tickets/(\d+)">', html)]


@pytest.fixture
def plan(admin):
    """A single select `plan`."""
    return fields.create_field(
        admin, key="plan", label="Plan", type=FieldType.SELECT, options=["Free", "Pro"]
    )


@pytest.fixture
def order(admin):
    """A text field `order_number`, required to resolve."""
    return fields.create_field(
        admin, key="order_number", label="Order number", type=FieldType.TEXT,
        required_on_resolve=True,
    )  # fmt: skip


def _properties(ticket, **changes):
    data = {
        "version": str(ticket.version),
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "assignee_id": str(ticket.assignee_id or 0),
        "team_id": str(ticket.team_id or 0),
        "tags": ", ".join(ticket.tags),
        "fields_shown": "1",
    }
    data.update(changes)
    return data


def test_an_admin_creates_a_select_field_on_the_admin_page(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/fields/new"))
    response = client.post(
        "/admin/fields/new",
        data={"csrf_token": token, "label": "Plan", "key": "plan", "type": "select",
              "options": "Free\nPro\n", "required_on_resolve": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    field = db.session.scalar(db.select(CustomField).where(CustomField.key == "plan"))
    assert (field.type, field.options, field.required_on_resolve) == (
        FieldType.SELECT, ["Free", "Pro"], True
    )  # fmt: skip
    html = client.get("/admin/fields").get_data(as_text=True)
    assert "Plan" in html and "Single select" in html


def test_a_bad_definition_re_renders_with_the_field_error_and_keeps_the_input(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/fields/new"))
    response = client.post(
        "/admin/fields/new",
        data={"csrf_token": token, "label": "Plan <b>", "key": "Bad Key", "type": "select"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use 1–40 lower-case letters" in html
    assert 'value="Plan &lt;b&gt;"' in html


def test_agents_cannot_open_the_admin_page(client, agent):
    login_as(client, agent)
    assert client.get("/admin/fields").status_code == 403


def test_an_agent_sets_a_field_on_the_ticket_page_and_history_says_old_to_new(
    client, agent, org, plan
):
    ticket = make_ticket(org)
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}")
    assert 'name="custom_fields.plan"' in page.get_data(as_text=True)
    response = client.post(
        f"/tickets/{ticket.number}",
        data={
            "csrf_token": csrf_token(page),
            **_properties(ticket, **{"custom_fields.plan": "Pro"}),
        },
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.custom_fields == {"plan": "Pro"}
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "changed <em>Plan</em> from <em>none</em> to <em>Pro</em>" in html


def test_a_post_without_the_field_inputs_keeps_the_values(client, agent, org, plan):
    ticket = make_ticket(org)
    tickets.set_custom_fields(agent, ticket, {"plan": "Pro"})
    db.session.flush()
    data = _properties(ticket, priority="high")
    del data["fields_shown"]
    db.session.commit()
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    assert (
        client.post(f"/tickets/{ticket.number}", data={"csrf_token": token, **data}).status_code
        == 302
    )
    db.session.refresh(ticket)
    assert ticket.custom_fields == {"plan": "Pro"}


def test_resolving_without_a_required_field_is_refused_beside_the_field(client, agent, org, order):
    ticket = make_ticket(org)
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    response = client.post(
        f"/tickets/{ticket.number}",
        data={"csrf_token": token, **_properties(ticket, status="resolved", priority="high")},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Fill in this field before resolving the ticket: “Order number”." in html
    assert "Required to resolve the ticket." in html
    db.session.refresh(ticket)
    assert ticket.status is Status.OPEN and ticket.priority.value == "medium"


def test_the_queue_filters_by_a_field_and_shows_it_as_a_column(client, agent, org, plan):
    pro = make_ticket(org)
    make_ticket(org)
    tickets.set_custom_fields(agent, pro, {"plan": "Pro"})
    db.session.commit()
    login_as(client, agent)
    response = client.get("/?queue=open&cf.plan=Pro&col=plan")
    assert _numbers(response) == [pro.number]
    html = response.get_data(as_text=True)
    assert '<th class="col-field">Plan</th>' in html
    assert '<td class="col-field">Pro</td>' in html
    assert "1 ticket in this queue" in html


@pytest.mark.parametrize(
    ("kind", "stored", "query", "found"),
    [
        pytest.param(FieldType.NUMBER, [5, 50, None], "cf.f.min=10", [1], id="number-min"),
        pytest.param(FieldType.NUMBER, [5, 50, None], "cf.f.max=10", [0], id="number-max"),
        pytest.param(FieldType.DATE, ["2026-01-02", "2026-03-01", None],
                     "cf.f.min=2026-02-01&cf.f.max=2026-12-31", [1], id="date-range"),
        pytest.param(FieldType.CHECKBOX, [True, None, None], "cf.f=yes", [0], id="checkbox-yes"),
        pytest.param(FieldType.CHECKBOX, [True, None, None], "cf.f=no", [1, 2], id="checkbox-no"),
        pytest.param(FieldType.MULTISELECT, [["a", "b"], ["b"], None], "cf.f=a", [0], id="multi-has"),
        pytest.param(FieldType.TEXT, ["x", "y", None], "cf.f=y", [1], id="text-equals"),
        pytest.param(FieldType.NUMBER, [5, 50, None], "cf.f.min=oops", [0, 1, 2], id="malformed-ignored"),
    ],
)  # fmt: skip
def test_queue_filters_for_each_type(client, admin, agent, org, kind, stored, query, found):
    options = ["a", "b"] if kind is FieldType.MULTISELECT else []
    fields.create_field(admin, key="f", label="F", type=kind, options=options)
    made = []
    for value in stored:
        ticket = make_ticket(org)
        if value is not None:
            tickets.set_custom_fields(agent, ticket, {"f": value})
        made.append(ticket.number)
    db.session.commit()
    login_as(client, agent)
    shown = _numbers(client.get(f"/?queue=all&sort=number&dir=asc&{query}"))
    assert shown == [made[i] for i in found]


def test_another_organizations_fields_do_not_filter_here(client, agent, org, other_org):
    other_admin = UserFactory(organization=other_org, role=Role.ADMIN)
    fields.create_field(other_admin, key="plan", label="Plan", type=FieldType.TEXT)
    make_ticket(org)
    db.session.commit()
    login_as(client, agent)
    # Not a field of this organization: the argument is ignored, the column is not shown.
    response = client.get("/?queue=open&cf.plan=x&col=plan")
    assert len(_numbers(response)) == 1
    assert "col-field" not in response.get_data(as_text=True)


def test_the_queue_query_count_is_constant_with_columns_and_saved_views(
    client, admin, agent, org, app, query_counter
):
    keys = []
    for i in range(4):
        fields.create_field(admin, key=f"f{i}", label=f"F{i}", type=FieldType.TEXT)
        keys.append(f"f{i}")
    for i in range(60):
        ticket = make_ticket(org)
        tickets.set_custom_fields(agent, ticket, dict.fromkeys(keys, f"v{i}"))
    db.session.commit()
    agent_id = agent.id
    db.session.expunge_all()
    agent = db.session.get(User, agent_id)
    login_as(client, agent)
    columns = "&".join(f"col={k}" for k in keys)

    def count(url: str, size: int) -> int:
        saved = app.config["PAGE_SIZE"]
        app.config["PAGE_SIZE"] = size
        try:
            client.get(url)  # fills the organization's cache (accounts.orgcache)
            with query_counter() as queries:
                response = client.get(url)
        finally:
            app.config["PAGE_SIZE"] = saved
        assert response.status_code == 200
        return queries.count

    plain = {size: count("/?queue=all", size) for size in (10, 50)}
    with_columns = {size: count(f"/?queue=all&{columns}", size) for size in (10, 50)}
    # Session (with the bell's count), rows, tags, sidebar counts; fields, menus, saved views
    # and the bulk toolbar's macros come from the organization's cache.
    assert plain == with_columns == {10: 4, 50: 4}

    def save_views(n: int) -> None:
        for i in range(n):
            saved_views.create_view(
                agent, name=f"V{i}", filters={"queue": "open", f"cf.f{i % 4}": f"v{i}"},
                columns=keys,
            )  # fmt: skip
            saved_views.create_view(agent, name=f"Plain {i}", filters={"queue": "pending"})
        db.session.commit()

    save_views(1)
    one = count("/?queue=all", 10)
    save_views(5)
    six = count("/?queue=all", 10)
    assert one == six == 5  # and one query counts every narrowed view


def test_the_sidebar_lists_views_with_their_live_counts(client, agent, senior_agent, org, plan):
    for _ in range(3):
        tickets.set_custom_fields(agent, make_ticket(org), {"plan": "Pro"})
    make_ticket(org)
    saved_views.create_view(
        agent, name="Pro customers", filters={"queue": "open", "cf.plan": "Pro"}
    )
    saved_views.create_view(senior_agent, name="Everything", filters={"queue": "all"}, shared=True)
    saved_views.create_view(senior_agent, name="Sam's own", filters={"queue": "all"})
    db.session.commit()
    login_as(client, agent)
    html = client.get("/").get_data(as_text=True)
    names = re.findall(
        r'<span>([^<]+?)(?:<span class="chip"[^>]*>shared</span>)?</span>'
        r'<span class="count">([\d,+]+)</span>',
        html,
    )
    assert ("Pro customers", "3") in names and ("Everything", "4") in names
    assert "Sam&#39;s own" not in html and "Sam's own" not in html


def test_saving_the_queue_as_a_view_keeps_filters_sort_and_columns(client, agent, plan):
    login_as(client, agent)
    page = client.get("/?queue=open&cf.plan=Pro&sort=created&col=plan")
    response = client.post(
        "/views",
        data={"csrf_token": csrf_token(page), "name": "Pro first",
              "query": "queue=open&cf.plan=Pro&sort=created&col=plan&junk=1&cf.plan.min=3"},
    )  # fmt: skip
    assert response.status_code == 302
    view = db.session.scalar(db.select(SavedView).where(SavedView.name == "Pro first"))
    assert view.filters == {"queue": "open", "cf.plan": "Pro", "sort": "created"}
    assert view.columns == ["plan"] and view.shared is False
    assert f"view={view.id}" in response.headers["Location"]


def test_an_agent_cannot_save_a_shared_view(client, agent):
    login_as(client, agent)
    page = client.get("/")
    response = client.post(
        "/views", data={"csrf_token": csrf_token(page), "name": "All", "shared": "y", "query": ""}
    )
    assert response.status_code == 403
    assert db.session.scalar(db.select(SavedView)) is None


def test_views_are_renamed_reordered_and_deleted(client, agent, org):
    first = saved_views.create_view(agent, name="First", filters={})
    second = saved_views.create_view(agent, name="Second", filters={})
    db.session.commit()
    login_as(client, agent)
    token = csrf_token(client.get("/views"))
    assert (
        client.post(f"/views/{first.id}", data={"csrf_token": token, "name": "Renamed"}).status_code
        == 302
    )
    assert (
        client.post(
            f"/views/{second.id}/move", data={"csrf_token": token, "direction": "up"}
        ).status_code
        == 302
    )
    html = client.get("/views").get_data(as_text=True)
    assert html.index("Second") < html.index("Renamed")
    assert client.post(f"/views/{second.id}/delete", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert [v.name for v in saved_views.list_views(org.id, agent.id)] == ["Renamed"]


def test_an_empty_name_re_renders_the_views_page_with_the_error(client, agent):
    view = saved_views.create_view(agent, name="Mine", filters={})
    db.session.commit()
    login_as(client, agent)
    token = csrf_token(client.get("/views"))
    response = client.post(f"/views/{view.id}", data={"csrf_token": token, "name": " "})
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


def test_someone_elses_view_is_a_404(client, agent, senior_agent, other_org):
    theirs = saved_views.create_view(senior_agent, name="Theirs", filters={})
    db.session.commit()
    login_as(client, agent)
    token = csrf_token(client.get("/views"))
    for path in (f"/views/{theirs.id}", f"/views/{theirs.id}/move", f"/views/{theirs.id}/delete"):
        assert client.post(path, data={"csrf_token": token, "name": "x"}).status_code == 404


def test_another_organizations_field_is_a_404_on_every_admin_route(client, admin, other_org):
    other_admin = UserFactory(organization=other_org, role=Role.ADMIN)
    theirs = fields.create_field(other_admin, key="plan", label="Plan", type=FieldType.TEXT)
    db.session.commit()
    login_as(client, admin)
    token = csrf_token(client.get("/admin/fields"))
    assert client.get(f"/admin/fields/{theirs.id}").status_code == 404
    for path in (f"/admin/fields/{theirs.id}", f"/admin/fields/{theirs.id}/archive",
                 f"/admin/fields/{theirs.id}/move"):  # fmt: skip
        response = client.post(path, data={"csrf_token": token, "label": "Mine", "archived": "1"})
        assert response.status_code == 404
    db.session.expire_all()
    assert (theirs.label, theirs.archived) == ("Plan", False)


def test_archiving_and_reordering_fields_from_the_admin_page(client, admin, plan, order):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/fields"))
    response = client.post(
        f"/admin/fields/{order.id}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert response.status_code == 302
    client.post(f"/admin/fields/{plan.id}/archive", data={"csrf_token": token, "archived": "1"})
    db.session.expire_all()
    assert order.position < plan.position and plan.archived
    html = client.get("/admin/fields").get_data(as_text=True)
    assert "Restore" in html


def test_a_stale_save_keeps_a_colleagues_newer_value_of_a_field_this_agent_left(
    client, admin, agent, senior_agent, org
):
    fields.create_field(admin, key="amount", label="Amount", type=FieldType.NUMBER)
    ticket = make_ticket(org)
    tickets.set_custom_fields(agent, ticket, {"amount": 12.5})
    db.session.flush()
    seen = _properties(ticket, **{"custom_fields.amount": "12.5", "priority": "high"})
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}")
    tickets.update_ticket(
        senior_agent, ticket, expected_version=ticket.version, custom_fields={"amount": 99}
    )
    db.session.commit()
    response = client.post(
        f"/tickets/{ticket.number}", data={"csrf_token": csrf_token(page), **seen}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    # The form comes back with the colleague's 99 (untouched here) and this agent's priority.
    assert re.search(r'name="custom_fields.amount"[^>]*value="99"', html)
    assert re.search(r'<option selected value="high">|<option value="high" selected>', html)
