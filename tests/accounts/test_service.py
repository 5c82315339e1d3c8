"""Account writes: organizations, agents, roles, deactivation, passwords and teams."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts import service
from supportdesk.accounts.models import Role
from supportdesk.accounts.passwords import verify_password
from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.sessions.queries import find_live_session
from supportdesk.sessions.service import start_session
from supportdesk.tokens.models import Scope
from supportdesk.tokens.queries import find_usable_token
from supportdesk.tokens.service import create_token
from tests.factories import PASSWORD, TeamFactory, UserFactory


def _session(user):
    return start_session(user, remember=False, ip_address="10.0.0.1", user_agent="")


# -- organizations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        pytest.param("Acme Support", "acme-support", id="words"),
        pytest.param("  Acme   Support  ", "acme-support", id="extra spaces"),
        pytest.param("Café & Co.", "caf-co", id="punctuation and accents"),
        pytest.param("!!!", "org", id="nothing usable"),
    ],
)
def test_create_organization_derives_a_slug_from_the_name(app, name, slug):
    org = service.create_organization(name)

    assert org.slug == slug
    assert org.name == " ".join(name.split())
    assert org.last_ticket_number == 0


def test_create_organization_keeps_slugs_unique(app):
    first = service.create_organization("Acme")
    second = service.create_organization("ACME")

    assert first.slug == "acme"
    assert second.slug.startswith("acme-") and second.slug != first.slug


@pytest.mark.parametrize("name", ["", "   ", None], ids=["empty", "blank", "none"])
def test_create_organization_needs_a_name(app, name):
    with pytest.raises(ValidationFailed):
        service.create_organization(name)


# -- agents ----------------------------------------------------------------------------------


def test_register_agent_stores_a_lower_case_email_and_a_hashed_password(org):
    user = service.register_agent(
        org, email=" Ada@Example.COM ", name="  Ada   Lovelace ", password=PASSWORD, role=Role.ADMIN
    )

    assert (user.email, user.name, user.role, user.active) == (
        "ada@example.com",
        "Ada Lovelace",
        Role.ADMIN,
        True,
    )
    assert user.password_hash != PASSWORD
    assert verify_password(user.password_hash, PASSWORD)


def test_register_agent_without_a_name_uses_the_email_local_part(org):
    user = service.register_agent(
        org, email="grace@example.com", name=" ", password=PASSWORD, role=Role.AGENT
    )

    assert user.name == "grace"


def test_agent_emails_are_unique_across_organizations_whatever_the_case(org, other_org):
    UserFactory(organization=other_org, email="taken@example.com")

    with pytest.raises(ValidationFailed) as raised:
        service.register_agent(
            org, email="TAKEN@example.com", name="X", password=PASSWORD, role=Role.AGENT
        )

    assert "email" in raised.value.fields


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b"], ids=["empty", "no at", "no dot"])
def test_register_agent_refuses_an_invalid_email(org, email):
    with pytest.raises(ValidationFailed) as raised:
        service.register_agent(org, email=email, name="X", password=PASSWORD, role=Role.AGENT)

    assert "email" in raised.value.fields


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        pytest.param("x" * 11, False, id="eleven characters"),
        pytest.param("", False, id="empty"),
        pytest.param("x" * 12, True, id="twelve characters"),
    ],
)
def test_passwords_need_twelve_characters(org, password, ok):
    def register():
        return service.register_agent(
            org, email="p@example.com", name="P", password=password, role=Role.AGENT
        )

    if ok:
        assert register().id
    else:
        with pytest.raises(ValidationFailed) as raised:
            register()
        assert raised.value.fields == {"password": "Use at least 12 characters."}


def test_admin_creates_an_agent_in_their_own_organization(org, admin):
    user = service.create_agent(
        admin, email="new@example.com", name="New", password=PASSWORD, role=Role.VIEWER
    )

    assert (user.organization_id, user.role) == (org.id, Role.VIEWER)


def test_update_agent_changes_name_email_and_role(admin, agent):
    service.update_agent(
        admin, agent.id, name=" Alex  Renamed ", email="ALEX@example.com", role=Role.SENIOR_AGENT
    )

    assert (agent.name, agent.email, agent.role) == (
        "Alex Renamed",
        "alex@example.com",
        Role.SENIOR_AGENT,
    )


def test_update_agent_may_keep_the_agents_own_email(admin, agent):
    service.update_agent(admin, agent.id, name="Alex", email=agent.email.upper(), role=Role.AGENT)

    assert agent.email == agent.email.lower()


def test_update_agent_refuses_another_agents_email(admin, agent, viewer):
    with pytest.raises(ValidationFailed):
        service.update_agent(admin, agent.id, name="Alex", email=viewer.email, role=Role.AGENT)


def test_the_last_active_admin_keeps_the_admin_role(admin):
    with pytest.raises(ValidationFailed) as raised:
        service.update_agent(admin, admin.id, name="Ada", email=admin.email, role=Role.AGENT)

    assert "role" in raised.value.fields
    assert admin.role is Role.ADMIN


def test_an_admin_can_step_down_when_another_active_admin_remains(org, admin):
    UserFactory(organization=org, role=Role.ADMIN)

    service.update_agent(admin, admin.id, name="Ada", email=admin.email, role=Role.AGENT)

    assert admin.role is Role.AGENT


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(org, admin):
    UserFactory(organization=org, role=Role.ADMIN, active=False)

    with pytest.raises(ValidationFailed):
        service.update_agent(admin, admin.id, name="Ada", email=admin.email, role=Role.AGENT)


def test_an_admin_of_another_organization_does_not_count_either(admin, other_org):
    UserFactory(organization=other_org, role=Role.ADMIN)

    with pytest.raises(ValidationFailed):
        service.update_agent(admin, admin.id, name="Ada", email=admin.email, role=Role.AGENT)


def test_deactivating_an_agent_revokes_their_sessions_and_api_tokens(admin, agent):
    sessions = [_session(agent) for _ in range(2)]
    token, _plain = create_token(agent, name="Script", scope=Scope.READ)
    admins_session = _session(admin)

    service.set_active(admin, agent.id, False)

    assert agent.active is False
    assert agent.can("ticket.reply") is False
    assert all(record.revoked_at is not None for record in sessions)
    assert token.revoked_at is not None
    assert admins_session.revoked_at is None


def test_reactivating_an_agent_revives_no_session_or_token(admin, agent):
    record = _session(agent)
    _token, plain = create_token(agent, name="Script", scope=Scope.READ)
    service.set_active(admin, agent.id, False)

    service.set_active(admin, agent.id, True)

    assert find_live_session(record.key, utcnow(), dt.timedelta(hours=12)) is None
    assert find_usable_token(plain) is None


def test_reactivating_an_agent_restores_their_access(admin, agent):
    service.set_active(admin, agent.id, False)
    service.set_active(admin, agent.id, True)

    assert agent.active is True
    assert agent.can("ticket.reply") is True


def test_an_admin_cannot_deactivate_themselves(org, admin):
    UserFactory(organization=org, role=Role.ADMIN)

    with pytest.raises(ValidationFailed, match="yourself"):
        service.set_active(admin, admin.id, False)


def test_an_admin_may_deactivate_another_admin_since_they_remain_one(org, admin):
    other_admin = UserFactory(organization=org, role=Role.ADMIN)

    service.set_active(admin, other_admin.id, False)

    assert other_admin.active is False


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda admin, agent_id: service.update_agent(
                admin, agent_id, name="X", email="x@example.com", role=Role.AGENT
            ),
            id="update_agent",
        ),
        pytest.param(lambda admin, agent_id: service.set_active(admin, agent_id, False),
                     id="set_active"),
    ],
)  # fmt: skip
def test_agents_of_another_organization_are_not_found(admin, other_org, call):
    stranger = UserFactory(organization=other_org)

    with pytest.raises(NotFound):
        call(admin, stranger.id)

    assert stranger.active is True


def test_set_password_replaces_the_hash_and_signs_out_other_sessions(agent):
    kept, other = _session(agent), _session(agent)

    service.set_password(agent, "a brand new passphrase", keep=kept)

    assert verify_password(agent.password_hash, "a brand new passphrase")
    assert not verify_password(agent.password_hash, PASSWORD)
    assert (kept.revoked_at, other.revoked_at is not None) == (None, True)


def test_set_password_refuses_a_short_one(agent):
    old = agent.password_hash

    with pytest.raises(ValidationFailed):
        service.set_password(agent, "short")

    assert agent.password_hash == old


# -- teams -----------------------------------------------------------------------------------


def test_create_team_with_members(org, senior_agent, agent, viewer):
    team = service.create_team(
        senior_agent,
        name="  Second   line ",
        description=" Hard cases ",
        member_ids=[agent.id, viewer.id],
    )

    assert (team.organization_id, team.name, team.description) == (
        org.id,
        "Second line",
        "Hard cases",
    )
    assert {m.id for m in team.members} == {agent.id, viewer.id}


def test_team_names_are_unique_within_an_organization_whatever_the_case(org, senior_agent):
    TeamFactory(organization=org, name="Billing")

    with pytest.raises(ValidationFailed) as raised:
        service.create_team(senior_agent, name="BILLING")

    assert "name" in raised.value.fields


@pytest.mark.parametrize("name", ["Über", "ÉQUIPE", "İstanbul"])
def test_a_taken_name_past_ascii_is_refused_not_a_500(org, senior_agent, name):
    """The check lowers both sides in the database: Python's lower() of "Über" is not what the
    database's lower() gives, so the same name slipped past it to the unique constraint."""
    service.create_team(senior_agent, name=name)

    with pytest.raises(ValidationFailed) as raised:
        service.create_team(senior_agent, name=name)

    assert "name" in raised.value.fields


def test_another_organization_may_use_the_same_team_name(other_org, senior_agent):
    TeamFactory(organization=other_org, name="Billing")

    assert service.create_team(senior_agent, name="Billing").name == "Billing"


@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "blank"])
def test_a_team_needs_a_name(senior_agent, name):
    with pytest.raises(ValidationFailed):
        service.create_team(senior_agent, name=name)


def test_team_members_must_be_agents_of_the_organization(senior_agent, agent, other_org):
    stranger = UserFactory(organization=other_org)

    with pytest.raises(ValidationFailed) as raised:
        service.create_team(senior_agent, name="Mixed", member_ids=[agent.id, stranger.id])

    assert "members" in raised.value.fields


def test_update_team_renames_and_replaces_members(org, senior_agent, agent, viewer):
    team = TeamFactory(organization=org, name="Old", members=[agent])

    service.update_team(
        senior_agent, team.id, name="New", description="Now", member_ids=[viewer.id]
    )

    assert (team.name, team.description) == ("New", "Now")
    assert [m.id for m in team.members] == [viewer.id]


def test_update_team_may_keep_its_own_name(org, senior_agent):
    team = TeamFactory(organization=org, name="Billing")

    service.update_team(senior_agent, team.id, name="billing", description="", member_ids=[])

    assert team.name == "billing"


def test_update_team_refuses_another_teams_name(org, senior_agent):
    TeamFactory(organization=org, name="Billing")
    team = TeamFactory(organization=org, name="Sales")

    with pytest.raises(ValidationFailed):
        service.update_team(senior_agent, team.id, name="Billing", description="", member_ids=[])


def test_teams_of_another_organization_are_not_found(senior_agent, other_org):
    foreign = TeamFactory(organization=other_org, name="Theirs")

    with pytest.raises(NotFound):
        service.update_team(senior_agent, foreign.id, name="Ours", description="", member_ids=[])

    assert foreign.name == "Theirs"


# -- time zones ------------------------------------------------------------------------------


def test_a_new_organization_shows_utc_and_its_agents_follow_it(org, agent):
    assert org.time_zone == "UTC"
    assert agent.time_zone is None
    org.time_zone = "Asia/Tokyo"

    assert agent.shown_time_zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("chosen", "stored", "shown"),
    [
        pytest.param("Europe/Berlin", "Europe/Berlin", "Europe/Berlin", id="own zone"),
        pytest.param("", None, "America/Chicago", id="empty follows the organization"),
        pytest.param(None, None, "America/Chicago", id="none follows the organization"),
    ],
)
def test_an_agent_sets_their_own_time_zone(org, agent, chosen, stored, shown):
    org.time_zone = "America/Chicago"
    service.set_own_time_zone(agent, chosen)

    assert agent.time_zone == stored
    assert agent.shown_time_zone == shown


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/berlin", "US/Eastern", " UTC"])
def test_an_unknown_time_zone_is_refused_for_agent_and_organization(admin, zone):
    with pytest.raises(ValidationFailed) as own:
        service.set_own_time_zone(admin, zone)
    with pytest.raises(ValidationFailed) as org_wide:
        service.set_organization_time_zone(admin, zone)

    assert set(own.value.fields) == set(org_wide.value.fields) == {"time_zone"}
    assert (admin.time_zone, admin.organization.time_zone) == (None, "UTC")


def test_an_admin_sets_the_organization_time_zone(admin):
    org = service.set_organization_time_zone(admin, "Europe/Lisbon")

    assert org is admin.organization
    assert org.time_zone == "Europe/Lisbon"
