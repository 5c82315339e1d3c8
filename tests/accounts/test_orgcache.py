"""The per-organization cache of read-mostly rows: never stale after a commit, never shared
between organizations, and its values are read-only snapshots safe to share between requests."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Organization, User
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields import service as fields
from supportdesk.fields.models import FieldType, SavedView
from supportdesk.fields.queries import field_specs_cached, get_field
from supportdesk.macros import service as macros
from supportdesk.macros.queries import list_macros_cached
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import login_as


def _version(org_id: int) -> int:
    return db.session.execute(
        sa.select(Organization.cache_version).where(Organization.id == org_id)
    ).scalar_one()


def test_a_renamed_macro_shows_on_the_next_ticket_page(client, admin, org):
    ticket = make_ticket(org)
    macro = macros.create_macro(admin, name="Refund: first answer", status="pending")
    db.session.commit()
    login_as(client, admin)
    assert "Refund: first answer" in client.get(f"/tickets/{ticket.number}").get_data(True)

    macros.update_macro(admin, macro.id, name="Refund: polite answer", status="pending")
    db.session.commit()
    page = client.get(f"/tickets/{ticket.number}").get_data(True)
    assert "Refund: polite answer" in page
    assert "Refund: first answer" not in page


def test_a_relabelled_field_shows_on_the_next_queue_page(client, admin, org):
    make_ticket(org)
    field = fields.create_field(admin, key="plan", label="Plan", type=FieldType.TEXT)
    db.session.commit()
    login_as(client, admin)
    assert ">Plan<" in client.get("/?queue=all&col=plan").get_data(True)

    fields.update_field(admin, get_field(org.id, field.id), label="Billing plan")
    db.session.commit()
    page = client.get("/?queue=all&col=plan").get_data(True)
    assert ">Billing plan<" in page
    assert ">Plan<" not in page


def test_a_renamed_saved_view_shows_in_the_next_sidebar(client, agent, org):
    make_ticket(org)
    view = saved_views.create_view(agent, name="Waiting on billing", filters={"queue": "pending"})
    db.session.commit()
    login_as(client, agent)
    assert "Waiting on billing" in client.get("/").get_data(True)

    saved_views.update_view(agent, view, name="Billing backlog")
    db.session.commit()
    page = client.get("/").get_data(True)
    assert "Billing backlog" in page
    assert "Waiting on billing" not in page


@pytest.mark.parametrize(
    ("change", "present"),
    [
        pytest.param(lambda u: setattr(u, "name", "Zora Renamed"), "Zora Renamed", id="renamed"),
        pytest.param(lambda u: setattr(u, "active", False), None, id="deactivated"),
    ],
)
def test_an_agent_change_shows_in_the_next_assignee_menu(client, agent, org, change, present):
    colleague = UserFactory(organization=org, name="Zora Original")
    make_ticket(org)
    db.session.commit()
    login_as(client, agent)
    assert "Zora Original" in client.get("/").get_data(True)

    change(db.session.get(User, colleague.id))
    db.session.commit()
    page = client.get("/").get_data(True)
    assert "Zora Original" not in page
    assert present is None or present in page


def test_two_organizations_never_share_entries(client, admin, org, other_org):
    other_admin = UserFactory(organization=other_org, role=admin.role)
    macros.create_macro(admin, name="Ours only", status="pending")
    macros.create_macro(other_admin, name="Theirs only", status="pending")
    db.session.commit()
    ours, theirs = list_macros_cached(org.id), list_macros_cached(other_org.id)
    assert [m.name for m in ours] == ["Ours only"]
    assert [m.name for m in theirs] == ["Theirs only"]
    login_as(client, other_admin)
    page = client.get(f"/tickets/{make_ticket(other_org).number}").get_data(True)
    assert "Theirs only" in page and "Ours only" not in page


def test_the_version_moves_with_watched_changes_only(agent, org):
    db.session.commit()
    before = _version(org.id)
    agent.away = not agent.away  # a column changed by agents all day: not cached, no bump
    db.session.commit()
    assert _version(org.id) == before
    agent.name = "Another name"
    db.session.commit()
    assert _version(org.id) == before + 1


def test_a_change_not_yet_committed_is_never_stored(admin, org):
    fields.create_field(admin, key="plan", label="Plan", type=FieldType.TEXT)
    db.session.commit()
    assert list(field_specs_cached(org.id)) == ["plan"]
    fields.create_field(admin, key="seats", label="Seats", type=FieldType.NUMBER)
    db.session.flush()
    assert list(field_specs_cached(org.id)) == ["plan", "seats"]  # its own change, read through
    db.session.rollback()
    assert list(field_specs_cached(org.id)) == ["plan"]


def test_snapshots_are_read_only_copies_detached_from_any_session(admin, org):
    fields.create_field(admin, key="tier", label="Tier", type=FieldType.SELECT, options=["A", "B"])
    macros.create_macro(admin, name="Escalate", assignee_id=admin.id, priority="high")
    db.session.commit()
    name = admin.name
    spec = field_specs_cached(org.id)["tier"]
    macro = list_macros_cached(org.id)[0]
    with pytest.raises(sa.exc.NoInspectionAvailable):
        sa.inspect(spec)  # not an ORM instance: no session can expire or refresh it
    with pytest.raises(AttributeError):
        spec.label = "Changed"
    with pytest.raises(TypeError):
        field_specs_cached(org.id)["other"] = spec
    assert spec.options == ("A", "B") and spec.type is FieldType.SELECT and spec.active
    db.session.close()
    seen = []
    worker = threading.Thread(target=lambda: seen.append(macro.actions()))
    worker.start()
    worker.join()
    assert seen == [macro.actions()]
    assert f"assignee → {name}" in seen[0]


def test_a_bulk_delete_through_the_session_empties_the_cached_views(agent, org):
    saved_views.create_view(agent, name="Mine", filters={"queue": "open"})
    db.session.commit()
    assert [v.name for v in saved_views.list_views_cached(org.id, agent.id)] == ["Mine"]
    db.session.execute(sa.delete(SavedView).where(SavedView.organization_id == org.id))
    db.session.commit()
    assert saved_views.list_views_cached(org.id, agent.id) == ()
