"""Two-factor rules through the service, on a frozen clock: set-up, codes at sign-in (drift,
reuse, throttle), recovery codes, turning off, admin reset and the organization's requirement."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.accounts.models import Role, TwoFactorPolicy
from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.audit.models import AuditEntry
from supportdesk.errors import Conflict, DomainError, NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.twofactor import service
from supportdesk.twofactor.models import RecoveryCode, TotpFactor
from supportdesk.twofactor.service import CodeRefused, CodesThrottled
from tests.factories import UserFactory
from tests.twofactor.helpers import code_at, enrol

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def throttle(app):
    return app.extensions["login_throttle"]


def _entries(org, action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.organization_id == org.id, AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
    )


def _at(seconds: int) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


# Set-up -------------------------------------------------------------------------------------


def test_set_up_is_off_until_a_right_code_confirms_it(agent, throttle):
    factor = service.start_enrolment(agent)
    assert not service.is_enabled(agent)

    codes = service.confirm_enrolment(throttle, agent, code_at(factor.pending_secret, NOW))

    assert service.is_enabled(agent)
    assert len(codes) == service.RECOVERY_CODE_COUNT == len(set(codes))
    assert factor.last_step == int(NOW.timestamp()) // 30
    assert [e.after for e in _entries(agent.organization, "two_factor.enabled")] == [
        {"recovery_codes_issued": 10}
    ]


def test_a_wrong_confirmation_code_leaves_it_off_and_is_recorded(agent, throttle):
    factor = service.start_enrolment(agent)
    wrong = f"{(int(code_at(factor.pending_secret, NOW)) + 1) % 1_000_000:06d}"

    with pytest.raises(CodeRefused) as refused:
        service.confirm_enrolment(throttle, agent, wrong)

    assert refused.value.fields == {"code": service.WRONG_CODE}
    assert not service.is_enabled(agent)
    (entry,) = _entries(agent.organization, "two_factor.code_failed")
    assert entry.after == {"purpose": "enrolment", "reason": "wrong_code"}
    assert entry.actor_user_id is None


def test_reloading_the_set_up_page_keeps_the_same_secret(agent):
    first = service.start_enrolment(agent).pending_secret
    assert service.start_enrolment(agent).pending_secret == first


def test_setting_up_twice_is_refused(agent):
    enrol(agent)
    with pytest.raises(Conflict):
        service.start_enrolment(agent)


def test_secrets_are_stored_encrypted_and_recovery_codes_hashed(agent):
    secret, codes = enrol(agent)
    raw = db.session.execute(
        sa.text("SELECT secret FROM totp_factors WHERE user_id = :id"), {"id": agent.id}
    ).scalar_one()
    assert secret not in raw
    hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not {c.replace("-", "") for c in codes} & set(hashes)


def test_the_set_up_page_shows_a_qr_code_of_the_pending_secret(agent):
    factor = service.start_enrolment(agent)
    shown = service.enrolment(agent, factor)
    assert shown.secret == factor.pending_secret
    assert f"secret={factor.pending_secret}" in shown.uri
    assert str(shown.qr_svg).startswith("<svg")


# Codes at sign-in ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, accepted",
    [
        pytest.param(0, True, id="now"),
        pytest.param(-30, True, id="phone-30s-behind"),
        pytest.param(30, True, id="phone-30s-ahead"),
        pytest.param(-60, False, id="phone-60s-behind"),
        pytest.param(60, False, id="phone-60s-ahead"),
    ],
)
def test_one_step_of_clock_drift_is_accepted(agent, throttle, seconds, accepted):
    secret, _ = enrol(agent, now=_at(-120))
    code = code_at(secret, _at(seconds))
    if accepted:
        assert service.check_code(throttle, agent, code, purpose="sign_in") == "totp"
    else:
        with pytest.raises(CodeRefused):
            service.check_code(throttle, agent, code, purpose="sign_in")


def test_a_code_used_once_is_refused_the_second_time(agent, throttle):
    secret, _ = enrol(agent, now=_at(-120))
    code = code_at(secret, NOW)
    assert service.check_code(throttle, agent, code, purpose="sign_in") == "totp"

    with pytest.raises(CodeRefused) as refused:
        service.check_code(throttle, agent, code, purpose="sign_in")

    assert refused.value.reason == "reused"
    assert _entries(agent.organization, "two_factor.code_failed")[-1].after["reason"] == "reused"


def test_after_a_code_the_earlier_steps_are_spent_and_the_next_one_works(agent, throttle):
    secret, _ = enrol(agent, now=_at(-120))
    service.check_code(throttle, agent, code_at(secret, NOW), purpose="sign_in")
    with pytest.raises(CodeRefused):
        service.check_code(throttle, agent, code_at(secret, _at(-30)), purpose="sign_in")
    assert service.check_code(throttle, agent, code_at(secret, _at(30)), purpose="sign_in")


def test_too_many_wrong_codes_block_even_the_right_one(agent, throttle):
    secret, _ = enrol(agent, now=_at(-120))
    for _ in range(throttle.codes_per_agent):
        with pytest.raises(CodeRefused):
            service.check_code(throttle, agent, "000000", purpose="sign_in")

    with pytest.raises(CodesThrottled) as blocked:
        service.check_code(throttle, agent, code_at(secret, NOW), purpose="sign_in")

    assert blocked.value.status == 429
    assert "Too many wrong codes" in blocked.value.message
    reasons = [e.after["reason"] for e in _entries(agent.organization, "two_factor.code_failed")]
    assert reasons == ["wrong_code"] * throttle.codes_per_agent + ["throttled"]


def test_a_right_code_clears_the_failures_counted_so_far(agent, throttle):
    secret, _ = enrol(agent, now=_at(-120))
    for _ in range(throttle.codes_per_agent - 1):
        with pytest.raises(CodeRefused):
            service.check_code(throttle, agent, "000000", purpose="sign_in")
    service.check_code(throttle, agent, code_at(secret, NOW), purpose="sign_in")
    assert not throttle.code_blocked(agent.id)


def test_the_throttle_counts_per_agent(org, agent, throttle):
    colleague = UserFactory(organization=org)
    enrol(agent, now=_at(-120))
    colleague_secret, _ = enrol(colleague, now=_at(-120))
    for _ in range(throttle.codes_per_agent):
        with pytest.raises(CodeRefused):
            service.check_code(throttle, agent, "000000", purpose="sign_in")
    code = code_at(colleague_secret, NOW)
    assert service.check_code(throttle, colleague, code, purpose="sign_in")


# Recovery codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda c: c, id="as-shown"),
        pytest.param(lambda c: c.upper(), id="upper-case"),
        pytest.param(lambda c: c.replace("-", ""), id="without-the-hyphen"),
        pytest.param(lambda c: f" {c[:5]} {c[6:]} ", id="with-spaces"),
    ],
)
def test_a_recovery_code_signs_in_once(agent, throttle, typed):
    _, codes = enrol(agent)

    assert service.check_code(throttle, agent, typed(codes[3]), purpose="sign_in") == (
        "recovery_code"
    )
    with pytest.raises(CodeRefused):
        service.check_code(throttle, agent, codes[3], purpose="sign_in")

    assert service.status(agent).recovery_codes_left == 9
    (used,) = _entries(agent.organization, "two_factor.recovery_code_used")
    assert used.after == {"purpose": "sign_in", "left": 9}
    assert used.actor_user_id == agent.id


def test_new_recovery_codes_replace_every_old_one(agent, throttle):
    secret, old = enrol(agent, now=_at(-120))

    new = service.regenerate_recovery_codes(throttle, agent, code_at(secret, NOW))

    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(CodeRefused):
        service.check_code(throttle, agent, old[0], purpose="sign_in")
    assert service.check_code(throttle, agent, new[0], purpose="sign_in") == "recovery_code"
    assert _entries(agent.organization, "two_factor.recovery_codes_regenerated")


def test_regenerating_needs_an_app_code_not_a_recovery_code(agent, throttle):
    _, codes = enrol(agent)
    with pytest.raises(CodeRefused):
        service.regenerate_recovery_codes(throttle, agent, codes[0])
    assert service.status(agent).recovery_codes_left == 10


# Turning off, admin reset ---------------------------------------------------------------------


def test_an_agent_turns_it_off_with_a_code(agent, throttle):
    secret, _ = enrol(agent, now=_at(-120))
    service.disable(throttle, agent, code_at(secret, NOW))
    assert not service.is_enabled(agent)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert _entries(agent.organization, "two_factor.disabled")


def test_turning_off_needs_a_right_code(agent, throttle):
    enrol(agent)
    with pytest.raises(CodeRefused):
        service.disable(throttle, agent, "123456")
    assert service.is_enabled(agent)


def test_an_agent_the_organization_requires_it_of_cannot_turn_it_off(org, agent, throttle):
    secret, _ = enrol(agent, now=_at(-120))
    org.two_factor_policy = TwoFactorPolicy.EVERYONE
    with pytest.raises(DomainError, match="requires two-factor"):
        service.disable(throttle, agent, code_at(secret, NOW))
    assert service.is_enabled(agent)


def test_an_admin_resets_an_agent_s_two_factor(admin, agent):
    enrol(agent)
    service.admin_reset(admin, agent.id)

    assert not service.is_enabled(agent)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TotpFactor)) == 0
    (entry,) = _entries(agent.organization, "two_factor.reset")
    assert (entry.actor_user_id, entry.target_id) == (admin.id, agent.id)
    assert (entry.before, entry.after) == ({"enabled": True}, {"enabled": False})


@pytest.mark.parametrize("role", [Role.SENIOR_AGENT, Role.AGENT, Role.VIEWER])
def test_only_admins_reset_two_factor(org, agent, role):
    enrol(agent)
    with pytest.raises(PermissionDenied):
        service.admin_reset(UserFactory(organization=org, role=role), agent.id)
    assert service.is_enabled(agent)


def test_an_agent_of_another_organization_cannot_be_reset(admin, other_org):
    stranger = UserFactory(organization=other_org)
    enrol(stranger)
    with pytest.raises(NotFound):
        service.admin_reset(admin, stranger.id)
    assert service.is_enabled(stranger)


def test_resetting_an_agent_without_two_factor_says_so(admin, agent):
    with pytest.raises(DomainError, match="no two-factor"):
        service.admin_reset(admin, agent.id)


# The organization's requirement -------------------------------------------------------------


@pytest.mark.parametrize(
    "policy, role, covered",
    [
        pytest.param(policy, role, covered, id=f"{policy.value}-{role.value}")
        for policy, covered_roles in [
            (TwoFactorPolicy.NOBODY, set()),
            (TwoFactorPolicy.ADMINS, {Role.ADMIN}),
            (TwoFactorPolicy.EVERYONE, set(Role)),
        ]
        for role in Role
        for covered in [role in covered_roles]
    ],
)
def test_the_requirement_covers_the_roles_it_names(org, policy, role, covered):
    org.two_factor_policy = policy
    user = UserFactory(organization=org, role=role)
    assert service.is_required(user) is covered
    assert service.must_enrol(user) is covered
    enrol(user)
    assert service.must_enrol(user) is False


def test_an_admin_changes_the_requirement_and_it_is_recorded(org, admin):
    assert service.set_policy(admin, "admins") is True
    assert service.set_policy(admin, "admins") is False
    assert org.two_factor_policy is TwoFactorPolicy.ADMINS
    (entry,) = _entries(org, "two_factor.policy_changed")
    assert entry.before == {"two_factor_policy": "nobody"}
    assert entry.after == {"two_factor_policy": "admins"}


def test_an_unknown_requirement_is_a_field_error(admin):
    with pytest.raises(ValidationFailed) as refused:
        service.set_policy(admin, "owners")
    assert "two_factor_policy" in refused.value.fields


@pytest.mark.parametrize("role", [Role.SENIOR_AGENT, Role.AGENT, Role.VIEWER])
def test_only_admins_change_the_requirement(org, role):
    with pytest.raises(PermissionDenied):
        service.set_policy(UserFactory(organization=org, role=role), "everyone")
    assert org.two_factor_policy is TwoFactorPolicy.NOBODY


def test_enrolled_ids_are_the_organization_s_own(org, other_org, agent):
    enrol(agent)
    enrol(UserFactory(organization=other_org))
    UserFactory(organization=org)
    assert service.enrolled_user_ids(org.id) == {agent.id}
