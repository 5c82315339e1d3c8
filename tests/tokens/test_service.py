"""API tokens: created with a secret shown once, stored hashed, revocable, found by secret."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine

from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.tokens import queries, service
from supportdesk.tokens.models import Scope
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def test_a_new_token_is_stored_hashed_with_a_display_prefix(agent):
    token, plain = service.create_token(agent, name="  CRM   sync ", scope=Scope.READ)

    assert plain.startswith("sdk_") and len(plain) > 40
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in (token.token_hash, token.prefix)
    assert plain.startswith(token.prefix)
    assert token.name == "CRM sync"
    assert token.scope is Scope.READ and not token.can_write
    assert "sdk_" in repr(token)


def test_the_secret_finds_its_token_and_agent(agent):
    token, plain = service.create_token(agent, name="Script", scope=Scope.READ_WRITE)

    found = queries.find_usable_token(plain)

    assert found is token and found.user is agent
    assert queries.find_usable_token(plain + "x") is None
    assert queries.find_usable_token("sdk_" + "a" * 300) is None


def test_revoked_tokens_and_tokens_of_deactivated_agents_are_unusable(agent, org):
    token, plain = service.create_token(agent, name="Script", scope=Scope.READ)
    other = UserFactory(organization=org)
    _, other_plain = service.create_token(other, name="Script", scope=Scope.READ)

    service.revoke_token(agent, token.id)
    service.revoke_token(agent, token.id)  # twice is harmless
    other.active = False

    assert token.revoked_at is not None and not token.active
    assert queries.find_usable_token(plain) is None
    assert queries.find_usable_token(other_plain) is None


def test_an_agent_cannot_revoke_a_colleagues_token(agent, org):
    colleague = UserFactory(organization=org)
    token, _ = service.create_token(colleague, name="Theirs", scope=Scope.READ)

    with pytest.raises(NotFound):
        service.revoke_token(agent, token.id)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("x" * 101, id="long"),
    ],
)
def test_a_token_needs_a_reasonable_name(agent, name):
    with pytest.raises(ValidationFailed) as raised:
        service.create_token(agent, name=name, scope=Scope.READ)

    assert "name" in raised.value.fields


def test_an_agent_holds_a_bounded_number_of_active_tokens(agent, monkeypatch):
    monkeypatch.setattr(service, "MAX_ACTIVE_TOKENS", 2)
    first, _ = service.create_token(agent, name="One", scope=Scope.READ)
    service.create_token(agent, name="Two", scope=Scope.READ)

    with pytest.raises(ValidationFailed):
        service.create_token(agent, name="Three", scope=Scope.READ)
    service.revoke_token(agent, first.id)
    service.create_token(agent, name="Three", scope=Scope.READ)


def test_tokens_are_listed_active_first_then_newest(agent):
    old, _ = service.create_token(agent, name="Old", scope=Scope.READ)
    new, _ = service.create_token(agent, name="New", scope=Scope.READ)
    service.revoke_token(agent, new.id)

    assert [t.name for t in queries.list_tokens(agent.organization_id, agent.id)] == ["Old", "New"]


# -- expiry ------------------------------------------------------------------------------------


def test_a_token_with_an_expiry_works_until_then_and_not_after(agent):
    token, plain = service.create_token(agent, name="Short", scope=Scope.READ, expires_in_days=7)

    assert token.expires_at == token.created_at + dt.timedelta(days=7)
    assert queries.find_usable_token(plain) is token
    with time_machine.travel(token.expires_at - dt.timedelta(seconds=1), tick=False):
        assert queries.find_usable_token(plain) is token and token.active
    with time_machine.travel(token.expires_at, tick=False):
        assert queries.find_usable_token(plain) is None
        assert token.expired and not token.active


def test_a_token_without_an_expiry_never_expires(agent):
    token, plain = service.create_token(agent, name="Forever", scope=Scope.READ)

    assert token.expires_at is None
    with time_machine.travel(utcnow() + dt.timedelta(days=3650), tick=False):
        assert queries.find_usable_token(plain) is token


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_an_expiry_out_of_range_is_refused(agent, days):
    with pytest.raises(ValidationFailed) as raised:
        service.create_token(agent, name="Odd", scope=Scope.READ, expires_in_days=days)

    assert "expires_in_days" in raised.value.fields


def test_expired_tokens_do_not_count_against_the_limit(agent, monkeypatch):
    monkeypatch.setattr(service, "MAX_ACTIVE_TOKENS", 1)
    token, _ = service.create_token(agent, name="Short", scope=Scope.READ, expires_in_days=1)

    with time_machine.travel(token.expires_at, tick=False):
        service.create_token(agent, name="Next", scope=Scope.READ)


# -- deactivation and admins -----------------------------------------------------------------


def test_deactivation_revokes_only_that_agents_tokens(admin, agent, org):
    token, _ = service.create_token(agent, name="Theirs", scope=Scope.READ)
    colleague = UserFactory(organization=org)
    kept, _ = service.create_token(colleague, name="Kept", scope=Scope.READ)

    assert service.revoke_agent_tokens(agent) == 1

    assert token.revoked_at is not None and kept.revoked_at is None


def test_an_admin_revokes_any_token_of_their_organization_only(admin, agent, other_org):
    token, plain = service.create_token(agent, name="Leaked", scope=Scope.READ)
    stranger = UserFactory(organization=other_org)
    foreign, _ = service.create_token(stranger, name="Foreign", scope=Scope.READ)

    service.revoke_any_token(admin, token.id)

    assert queries.find_usable_token(plain) is None
    with pytest.raises(NotFound):
        service.revoke_any_token(admin, foreign.id)
    assert foreign.revoked_at is None


def test_the_organization_list_shows_every_agent_and_no_stranger(admin, agent, other_org):
    service.create_token(agent, name="Agent's", scope=Scope.READ)
    service.create_token(admin, name="Admin's", scope=Scope.READ)
    service.create_token(UserFactory(organization=other_org), name="Foreign", scope=Scope.READ)

    tokens = queries.list_organization_tokens(agent.organization_id)

    assert sorted((t.name, t.user.name) for t in tokens) == sorted(
        [("Agent's", agent.name), ("Admin's", admin.name)]
    )
