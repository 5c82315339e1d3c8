"""Every two-factor action done in the console, then its audit entry: actor, target, before ->
after, client address (the table of tests/audit/test_actions.py, for this feature)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk.audit.models import AuditEntry
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.twofactor import service
from tests import factories
from tests.fixtures.audit import Case, World, admin_world, assert_audited
from tests.fixtures.web import csrf_token, login_as
from tests.twofactor.helpers import code_at, enrol

pytestmark = pytest.mark.integration


def _now_code(secret: str) -> str:
    return code_at(secret, utcnow())


def _enrolled(w: World) -> str:
    secret, _ = enrol(w.agent, now=utcnow() - dt.timedelta(minutes=2))
    login_as(w.client, w.agent)
    return secret


def _enable(w: World):
    login_as(w.client, w.agent)
    page = w.client.get("/account/two-factor/setup")
    secret = service.factor_of(w.agent).pending_secret
    w.client.post(
        "/account/two-factor/setup",
        data={"csrf_token": csrf_token(page), "code": _now_code(secret)},
    )
    return w.agent.id


def _disable(w: World):
    secret = _enrolled(w)
    w.post("/account/two-factor/disable", {"disable-code": _now_code(secret)})
    return w.agent.id


def _regenerate(w: World):
    secret = _enrolled(w)
    w.post("/account/two-factor/recovery-codes", {"regenerate-code": _now_code(secret)})
    return w.agent.id


def _password_step(w: World):
    w.client.post("/logout", data={"csrf_token": csrf_token(w.client.get("/account"))})
    token = csrf_token(w.client.get("/login"))
    w.client.post(
        "/login",
        data={"csrf_token": token, "email": w.agent.email, "password": factories.PASSWORD},
    )


def _use_recovery_code(w: World):
    _, codes = enrol(w.agent)
    _password_step(w)
    token = csrf_token(w.client.get("/login/code"))
    w.client.post("/login/code", data={"csrf_token": token, "code": codes[0]})
    return w.agent.id


def _wrong_code(w: World):
    enrol(w.agent)
    _password_step(w)
    token = csrf_token(w.client.get("/login/code"))
    w.client.post("/login/code", data={"csrf_token": token, "code": "000000"})
    return w.agent.id


def _admin_reset(w: World):
    enrol(w.agent)
    w.post(f"/admin/agents/{w.agent.id}/two-factor/reset")
    return w.agent.id


def _policy(w: World):
    w.post(
        "/admin/organization",
        {
            "time_zone": w.org.time_zone,
            "audit_retention_days": "365",
            "two_factor_policy": "everyone",
        },
    )
    return w.org.id


CASES = [
    pytest.param(
        Case(
            _enable,
            "two_factor.enabled",
            "agent",
            after={"recovery_codes_issued": 10},
            actor="agent",
        ),
        id="enabled",
    ),
    pytest.param(
        Case(_disable, "two_factor.disabled", "agent", after={"enabled": False}, actor="agent"),
        id="disabled",
    ),
    pytest.param(
        Case(
            _regenerate,
            "two_factor.recovery_codes_regenerated",
            "agent",
            after={"issued": 10},
            actor="agent",
        ),
        id="recovery-codes-regenerated",
    ),
    pytest.param(
        Case(
            _use_recovery_code,
            "two_factor.recovery_code_used",
            "agent",
            after={"purpose": "sign_in", "left": 9},
            actor="agent",
        ),
        id="recovery-code-used",
    ),
    pytest.param(
        Case(
            _wrong_code,
            "two_factor.code_failed",
            "agent",
            after={"purpose": "sign_in", "reason": "wrong_code"},
            actor="system",
        ),
        id="code-failed",
    ),
    pytest.param(
        Case(
            _admin_reset,
            "two_factor.reset",
            "agent",
            before={"enabled": True},
            after={"enabled": False},
        ),
        id="admin-reset",
    ),
    pytest.param(
        Case(
            _policy,
            "two_factor.policy_changed",
            "organization",
            before={"two_factor_policy": "nobody"},
            after={"two_factor_policy": "everyone"},
        ),
        id="requirement-changed",
    ),
]


@pytest.fixture
def world(app, org, admin, agent):
    return admin_world(app, org, admin, agent)


@pytest.mark.parametrize("case", CASES)
def test_a_two_factor_action_is_in_the_audit_log(world, case: Case):
    assert_audited(world, case)


def test_no_code_or_secret_reaches_the_log(world):
    secret = _enrolled(world)
    code = _now_code(secret)
    page = world.client.post(
        "/account/two-factor/recovery-codes",
        data={
            "csrf_token": csrf_token(world.client.get("/account/two-factor")),
            "regenerate-code": code,
        },
    )
    shown = page.get_data(as_text=True).split("<code>")[1:]
    recovery = shown[0].split("</code>")[0]
    stored = repr(
        db.session.execute(
            sa.select(AuditEntry.before, AuditEntry.after).where(
                AuditEntry.action.like("two_factor.%")
            )
        ).all()
    )
    assert "'issued': 10" in stored  # the regeneration's entry is there
    for plain in (secret, code, recovery, recovery.replace("-", "")):
        assert plain not in stored
