"""Who may do what: the role × action matrix, checked on the table and through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from supportdesk.accounts import service as accounts
from supportdesk.accounts.models import Role
from supportdesk.accounts.permissions import REQUIRED_ROLE, PermissionDenied, allowed, require
from supportdesk.audit import queries as audit_queries
from supportdesk.audit.queries import AuditFilters
from supportdesk.bulk_actions import service as bulk
from supportdesk.crm import service as crm
from supportdesk.customers import service as customers
from supportdesk.exports import service as exports
from supportdesk.fields import saved_views
from supportdesk.fields import service as field_service
from supportdesk.fields.models import FieldType
from supportdesk.kb import categories as kb_categories
from supportdesk.kb import service as kb_service
from supportdesk.macros import service as macros
from supportdesk.mail.identity import support_addresses
from supportdesk.mail.outbound import service as notifications
from supportdesk.privacy import export as privacy_export
from supportdesk.privacy import retention
from supportdesk.reports import params as report_params
from supportdesk.reports.queries import Params as ReportParams
from supportdesk.sla import settings as sla_settings
from supportdesk.sla.models import EscalationTrigger
from supportdesk.tickets import merge as merging
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority, Status
from supportdesk.tokens import service as api_tokens
from supportdesk.tokens.models import Scope
from supportdesk.webhooks import service as webhooks
from tests.factories import PASSWORD, Staff, UserFactory, make_staff, make_ticket

# Who may do each action, written out by hand (not derived from the code under test).
V, A, S, AD = Role.VIEWER, Role.AGENT, Role.SENIOR_AGENT, Role.ADMIN
EXPECTED: dict[str, set[Role]] = {
    "ticket.create": {A, S, AD},
    "ticket.reply": {A, S, AD},
    "ticket.note": {A, S, AD},
    "ticket.status": {A, S, AD},
    "ticket.priority": {A, S, AD},
    "ticket.assign": {A, S, AD},
    "ticket.edit": {A, S, AD},
    "ticket.merge": {A, S, AD},
    "ticket.split": {A, S, AD},
    "ticket.reopen_closed": {S, AD},
    "ticket.delete": {AD},
    "customer.edit": {A, S, AD},
    "team.manage": {S, AD},
    "sla.manage": {S, AD},
    "agent.manage": {AD},
    "mail.manage": {AD},
    "webhook.manage": {AD},
    "crm.manage": {AD},
    "notifications.manage": {AD},
    "organization.manage": {AD},
    "audit_log.view": {AD},
    "canned_reply.manage_own": {A, S, AD},
    "canned_reply.manage_shared": {S, AD},
    "macro.manage": {S, AD},
    "macro.apply": {A, S, AD},
    "ticket.bulk": {A, S, AD},
    "field.manage": {AD},
    "report.view_team": {S, AD},
    "export.manage_any": {AD},
    "export.customers": {S, AD},
    "view.save": {V, A, S, AD},
    "view.share": {S, AD},
    "api_token.manage": {V, A, S, AD},
    "api_token.revoke_any": {AD},
    "kb.write": {A, S, AD},
    "kb.manage": {S, AD},
    "customer.data_rights": {AD},
    "retention.manage": {AD},
}

MATRIX = [
    pytest.param(
        role,
        action,
        role in EXPECTED[action],
        id=f"{role.value} {'may' if role in EXPECTED[action] else 'may not'} {action}",
    )
    for action in EXPECTED
    for role in Role
]


# Each action done for real by `user` (of staff.org) through the service that guards it.
def _ticket_for(staff: Staff, status: Status = Status.OPEN):
    return make_ticket(staff.org, status=status)


def _split(staff: Staff, user):
    ticket = _ticket_for(staff)
    message = tickets.customer_reply(ticket, ticket.customer, "Another matter")
    return merging.split(user, ticket, message.id)


ATTEMPTS: dict[str, Callable] = {
    "ticket.create": lambda staff, user: tickets.open_ticket(
        staff.org.id, actor=user, customer_email="c@example.com", subject="S", body="B"
    ),
    "ticket.reply": lambda staff, user: tickets.reply(user, _ticket_for(staff), "Hello"),
    "ticket.note": lambda staff, user: tickets.add_note(user, _ticket_for(staff), "Psst"),
    "ticket.status": lambda staff, user: tickets.change_status(
        user, _ticket_for(staff), Status.PENDING
    ),
    "ticket.priority": lambda staff, user: tickets.change_priority(
        user, _ticket_for(staff), Priority.HIGH
    ),
    "ticket.assign": lambda staff, user: tickets.assign(
        user, _ticket_for(staff), assignee_id=staff.agent.id, team_id=None
    ),
    "ticket.edit": lambda staff, user: tickets.edit(user, _ticket_for(staff), subject="New"),
    "ticket.reopen_closed": lambda staff, user: tickets.change_status(
        user, _ticket_for(staff, Status.CLOSED), Status.OPEN
    ),
    "ticket.delete": lambda staff, user: tickets.delete_ticket(user, _ticket_for(staff)),
    "ticket.merge": lambda staff, user: merging.merge(user, _ticket_for(staff), _ticket_for(staff)),
    "ticket.split": lambda staff, user: _split(staff, user),
    "customer.edit": lambda staff, user: customers.create_customer(user, email="new@example.com"),
    "team.manage": lambda staff, user: accounts.create_team(user, name="Night shift"),
    "sla.manage": lambda staff, user: sla_settings.save_rule(
        user,
        None,
        name="Late",
        trigger=EscalationTrigger.UNASSIGNED_FOR,
        threshold_minutes=5,
        raise_priority=True,
        reassign_to_senior=False,
        active=True,
    ),
    "agent.manage": lambda staff, user: accounts.create_agent(
        user, email="new.agent@example.com", name="New", password=PASSWORD, role=Role.AGENT
    ),
    "mail.manage": lambda staff, user: support_addresses.add_address(user, "help@new.example"),
    "webhook.manage": lambda staff, user: webhooks.create_endpoint(
        user, url="http://127.0.0.1:9/hooks", event_types=["ticket.created"]
    ),
    "crm.manage": lambda staff, user: crm.save_connection(
        user, provider="hubspot", base_url="http://127.0.0.1:9", access_token="pat-test"
    ),
    "notifications.manage": lambda staff, user: notifications.update_settings(
        user, accent_color="#123456"
    ),
    "organization.manage": lambda staff, user: accounts.set_organization_time_zone(
        user, "Europe/Berlin"
    ),
    "audit_log.view": lambda staff, user: audit_queries.browse(user, AuditFilters()),
    "canned_reply.manage_own": lambda staff, user: macros.create_reply(
        user, title="Thanks", body="Thank you!"
    ),
    "canned_reply.manage_shared": lambda staff, user: macros.create_reply(
        user, title="Thanks", body="Thank you!", shared=True
    ),
    "ticket.bulk": lambda staff, user: bulk.apply_now(
        user, staff.org.id, [_ticket_for(staff).id], "priority", {"priority": "high"}
    ),
    "kb.write": lambda staff, user: kb_service.create_article(user, title="Refunds", body="x"),
    "kb.manage": lambda staff, user: kb_categories.create_category(user, name="Billing"),
    "customer.data_rights": lambda staff, user: privacy_export.request_export(
        user, _ticket_for(staff).customer
    ),
    "retention.manage": lambda staff, user: retention.save_policy(
        user, {"closed_ticket_days": "365", "export_days": "7"}
    ),
    "field.manage": lambda staff, user: field_service.create_field(
        user, key="plan", label="Plan", type=FieldType.TEXT
    ),
    "view.save": lambda staff, user: saved_views.create_view(
        user, name="Mine", filters={"queue": "open"}
    ),
    "view.share": lambda staff, user: saved_views.create_view(
        user, name="Ours", filters={"queue": "open"}, shared=True
    ),
    "macro.manage": lambda staff, user: macros.create_macro(user, name="Urgent", priority="high"),
    "export.manage_any": lambda staff, user: exports.get_export(
        user,
        exports.request_export(
            UserFactory(organization=staff.org, role=Role.ADMIN), "tickets", "csv", {}
        ).id,
    ),
    "export.customers": lambda staff, user: exports.request_export(user, "customers", "csv", {}),
    "report.view_team": lambda staff, user: report_params.scoped(
        user, ReportParams(dt.date(2026, 11, 1), dt.date(2026, 11, 28), assignee_id=staff.admin.id)
    ),
    "macro.apply": lambda staff, user: macros.apply_macro(
        _ticket_for(staff), macros.create_macro(staff.admin, name="Urgent", priority="high"), user
    ),
    "api_token.manage": lambda staff, user: api_tokens.create_token(
        user, name="Script", scope=Scope.READ
    ),
    "api_token.revoke_any": lambda staff, user: api_tokens.revoke_any_token(
        user, api_tokens.create_token(staff.by_role(Role.VIEWER), name="X", scope=Scope.READ)[0].id
    ),
}


def test_the_matrix_covers_every_action_the_code_knows():
    assert set(EXPECTED) == set(REQUIRED_ROLE) == set(ATTEMPTS)


@pytest.mark.parametrize(("role", "action", "permitted"), MATRIX)
def test_allowed_follows_the_matrix(role, action, permitted):
    assert allowed(role, action) is permitted


@pytest.mark.parametrize(("role", "action", "permitted"), MATRIX)
def test_services_enforce_the_matrix(app, role, action, permitted):
    staff = make_staff()
    user = staff.by_role(role)

    if permitted:
        ATTEMPTS[action](staff, user)
    else:
        with pytest.raises(PermissionDenied):
            ATTEMPTS[action](staff, user)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_a_deactivated_admin_may_do_nothing(app, action):
    staff = make_staff()
    staff.admin.active = False

    assert staff.admin.can(action) is False
    with pytest.raises(PermissionDenied):
        ATTEMPTS[action](staff, staff.admin)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_unknown_actions_are_refused_to_everyone(role):
    assert allowed(role, "ticket.teleport") is False


def test_permission_denied_names_the_role_and_the_one_needed(app):
    viewer = UserFactory(role=Role.VIEWER)

    with pytest.raises(PermissionDenied) as raised:
        require(viewer, "team.manage")

    assert raised.value.message == (
        "Your role (viewer) cannot do this; it needs senior agent or above."
    )
    assert (raised.value.status, raised.value.code) == (403, "forbidden")
    assert (raised.value.action, raised.value.role) == ("team.manage", Role.VIEWER)


@pytest.mark.parametrize(
    ("role", "other", "at_least"),
    [
        pytest.param(Role.ADMIN, Role.VIEWER, True, id="admin is at least viewer"),
        pytest.param(Role.AGENT, Role.AGENT, True, id="agent is at least agent"),
        pytest.param(Role.AGENT, Role.SENIOR_AGENT, False, id="agent is not senior agent"),
        pytest.param(Role.VIEWER, Role.AGENT, False, id="viewer is not agent"),
        pytest.param(Role.SENIOR_AGENT, Role.ADMIN, False, id="senior agent is not admin"),
    ],
)
def test_roles_are_ordered(role, other, at_least):
    assert role.at_least(other) is at_least


def test_role_labels_read_as_words():
    assert [r.label for r in Role] == ["Admin", "Senior agent", "Agent", "Viewer"]
