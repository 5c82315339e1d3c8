"""Saved views through their service: personal and shared, who edits what, order, tenancy."""

from __future__ import annotations

import pytest

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.errors import ValidationFailed
from supportdesk.fields import saved_views
from supportdesk.fields.saved_views import ViewNotFound
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def _save(user, name="Mine", **kwargs):
    return saved_views.create_view(user, name=name, filters={"queue": "open"}, **kwargs)


def test_a_personal_view_is_seen_by_its_owner_only(org, agent, senior_agent):
    view = _save(agent)
    assert saved_views.list_views(org.id, agent.id) == [view]
    assert saved_views.list_views(org.id, senior_agent.id) == []
    with pytest.raises(ViewNotFound):
        saved_views.get_view(org.id, senior_agent.id, view.id)


def test_a_shared_view_is_seen_by_everyone_after_their_own(org, agent, senior_agent):
    shared = _save(senior_agent, "Team", shared=True)
    mine = _save(agent)
    assert saved_views.list_views(org.id, agent.id) == [mine, shared]


def test_an_agent_cannot_share_a_view(agent):
    with pytest.raises(PermissionDenied):
        _save(agent, shared=True)


def test_an_agent_cannot_rename_or_delete_a_shared_view(org, agent, senior_agent):
    shared = _save(senior_agent, "Team", shared=True)
    with pytest.raises(PermissionDenied):
        saved_views.update_view(agent, shared, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_views.delete_view(agent, shared)


def test_nobody_edits_someone_elses_personal_view(agent, admin):
    view = _save(agent)
    with pytest.raises(ViewNotFound):
        saved_views.update_view(admin, view, name="Taken")


def test_another_organizations_view_is_not_found(other_org, agent):
    view = _save(agent)
    stranger = UserFactory(organization=other_org, role=agent.role)
    with pytest.raises(ViewNotFound):
        saved_views.get_view(other_org.id, stranger.id, view.id)


def test_rename_reorder_and_delete(org, agent):
    first, second = _save(agent, "First"), _save(agent, "Second")
    saved_views.update_view(agent, first, name="  Renamed  ")
    assert first.name == "Renamed"
    assert saved_views.move_view(agent, second, -1)
    assert [v.name for v in saved_views.list_views(org.id, agent.id)] == ["Second", "Renamed"]
    saved_views.delete_view(agent, second)
    assert [v.name for v in saved_views.list_views(org.id, agent.id)] == ["Renamed"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_name_is_required_and_short(agent, name):
    with pytest.raises(ValidationFailed) as refused:
        _save(agent, name)
    assert "name" in refused.value.fields
