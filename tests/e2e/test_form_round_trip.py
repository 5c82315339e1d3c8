"""Every edit form, opened in a real browser on a fully populated record and saved unchanged,
changes nothing: not a column of the row or of its association rows, and no history line.

Hand-written POST data never shows a select that pre-selects nothing (the browser then submits
the first option) or a textarea whose line breaks come back as CRLF; a browser does. The route
table test below makes a new form without a round-trip case fail the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from supportdesk.accounts.models import AssignmentStrategy, Role
from supportdesk.crm import service as crm
from supportdesk.customers.models import Tier
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields import service as field_service
from supportdesk.fields.models import FieldType
from supportdesk.macros import service as macros
from supportdesk.mail.outbound.service import settings_for
from supportdesk.notifications import preferences
from supportdesk.notifications.models import NotificationKind
from supportdesk.notifications.preferences import Choice
from supportdesk.sla import settings as sla_settings
from supportdesk.sla.models import EscalationTrigger
from supportdesk.tickets.models import Priority, Status
from supportdesk.webhooks import service as webhooks
from tests import factories
from tests.e2e.conftest import Desk, persist, start_session

# Rows that record what happened (history, outbound mail and webhooks, SLA clocks): an unchanged
# save must add or alter none of them.
TRAIL_TABLES = (
    "ticket_events",
    "messages",
    "email_messages",
    "webhook_deliveries",
    "ticket_slas",
    "ticket_escalations",
)


def rows(table: str, **where: Any) -> list[dict]:
    """Every column of the matching rows of `table`, read afresh from the database."""
    t = db.metadata.tables[table]
    query = sa.select(t).where(*(t.c[k] == v for k, v in where.items()))
    with db.engine.connect() as connection:
        found = [dict(r) for r in connection.execute(query).mappings()]
    return sorted(found, key=repr)


def trail() -> dict[str, list[dict]]:
    return {table: rows(table) for table in TRAIL_TABLES}


# -- fully populated records: every form field away from its default and its first option -----


def populated_agent(desk: Desk):
    desk.senior.away = True
    return desk.senior  # senior agent: not the first role (admin) nor the default (agent)


def populated_customer(desk: Desk):
    desk.customer.tier = Tier.PREMIUM
    desk.customer.company = "Driftwood Travel Ltd"
    return desk.customer


def populated_sso(desk: Desk):
    from supportdesk.sso.service import save_settings

    return save_settings(
        desk.admin, enabled=True, provider_name="Acme ID", issuer="https://id.acme.example",
        client_id="supportdesk-console", client_secret="s3cret-value", jit_enabled=True,
        allowed_domains="acme.example, acme-support.example", jit_role=Role.SENIOR_AGENT,
        sso_only=False,
    )  # fmt: skip


def populated_retention(desk: Desk):
    from supportdesk.privacy import retention

    return retention.save_policy(
        desk.admin,
        {
            "enabled": True,
            "closed_ticket_action": "anonymize",
            "closed_ticket_days": "400",
            "inbound_mail_days": "90",
            "export_days": "14",
        },
    )


def populated_article(desk: Desk):
    from supportdesk.kb import categories as kb_categories
    from supportdesk.kb import service as kb_service

    category = kb_categories.create_category(desk.admin, name="Billing", description="Money")
    kb_categories.create_category(desk.admin, name="Accounts")  # sorts before Billing
    return kb_service.create_article(
        desk.agent, title="Refund a cancelled booking", status="published",
        body="## Before you start\n\nOpen **Bookings**.\n\n- Choose *Refund*\n- Confirm",
        category_id=category.id, tags=["refund", "billing"],
        seo_title="Refunds", seo_description="How to get your money back.",
    )  # fmt: skip


def populated_category(desk: Desk):
    from supportdesk.kb import categories as kb_categories

    kb_categories.create_category(desk.admin, name="Accounts")
    return kb_categories.create_category(
        desk.admin, name="Billing", description="Invoices, refunds and payments."
    )


def populated_help_center(desk: Desk):
    from supportdesk.kb import branding

    return branding.update_help_center(desk.admin, title="Driftwood help", color="#0b7a75")


def populated_team(desk: Desk):
    factories.TeamFactory(organization=desk.org, name="Accounts")  # sorts before Billing
    desk.team.description = "Refunds, invoices and payment failures"
    desk.team.assignment_strategy = AssignmentStrategy.ROUND_ROBIN
    desk.team.round_robin_cursor = desk.agent.id
    return desk.team


def _every_field_type(desk: Desk) -> dict:
    """A custom field of each type, and a value of each away from the first option."""
    made = {
        "order_number": (FieldType.TEXT, [], "A-10442"),
        "refund": (FieldType.NUMBER, [], 12.5),
        "due": (FieldType.DATE, [], "2026-12-24"),
        "plan": (FieldType.SELECT, ["Free", "Pro", "Team"], "Team"),
        "product": (FieldType.MULTISELECT, ["Invoices", "Payroll", "Reports"], ["Payroll", "Reports"]),
        "vip": (FieldType.CHECKBOX, [], True),
    }  # fmt: skip
    for key, (kind, options, _value) in made.items():
        field_service.create_field(
            desk.admin, key=key, label=key.replace("_", " ").capitalize(), type=kind,
            options=options,
        )  # fmt: skip
    return {key: value for key, (_kind, _options, value) in made.items()}


def populated_ticket(desk: Desk):
    factories.TeamFactory(organization=desk.org, name="Accounts")
    values = _every_field_type(desk)
    ticket = factories.make_ticket(
        desk.org,
        customer=desk.customer,
        subject="Card charged twice for booking DT-2291",
        status=Status.PENDING,
        priority=Priority.HIGH,
        assignee=desk.senior,
        team=desk.team,
        tags="billing, vip, refund",
    )
    ticket.custom_fields = values
    return ticket


def populated_field(desk: Desk):
    return field_service.create_field(
        desk.admin, key="product", label="Product", type=FieldType.MULTISELECT,
        options=["Invoices", "Payroll"], required_on_resolve=True,
    )  # fmt: skip


def populated_view(desk: Desk):
    return saved_views.create_view(
        desk.agent, name="Open invoice problems", filters={"queue": "open", "tag": "billing"},
        columns=[],
    )  # fmt: skip


def _calendars(desk: Desk):
    first = sla_settings.save_calendar(
        desk.admin,
        None,
        name="Around the clock",
        time_zone="UTC",
        always_open=True,
        weekly_text="",
        holidays_text="",
    )
    second = sla_settings.save_calendar(
        desk.admin,
        None,
        name="New York office",
        time_zone="America/New_York",
        always_open=True,
        weekly_text="Mon 08:30-12:00, 13:00-17:30\nTue 08:30-17:30\nSat 10:00-14:00",
        holidays_text="2026-12-24\n2026-12-31",
        holiday_country="DE",
    )
    return first, second


def populated_calendar(desk: Desk):
    return _calendars(desk)[1]


def populated_policy(desk: Desk):
    _, calendar = _calendars(desk)  # the second calendar: not the first option
    return sla_settings.save_policy(
        desk.admin,
        None,
        name="Premium customers",
        customer_tier="premium",
        calendar_id=calendar.id,
        first_response={"critical": 15, "high": 45, "medium": 125, "low": 600},
        resolution={"critical": 90, "high": 500, "medium": 2000, "low": 9000},
        warning_percent=65,
    )


def populated_rule(desk: Desk):
    return sla_settings.save_rule(
        desk.admin,
        None,
        name="Stale tickets to a senior",
        trigger=EscalationTrigger.UNTOUCHED_FOR,
        threshold_minutes=95,
        raise_priority=False,
        reassign_to_senior=True,
        active=False,
    )


def populated_webhook(desk: Desk):
    return webhooks.create_endpoint(
        desk.admin,
        url="http://127.0.0.1:9/hooks/supportdesk",
        description="Billing system",
        event_types=["ticket.created", "ticket.assigned", "sla.breached"],
    )


def populated_crm_connection(desk: Desk):
    # Salesforce (not the first CRM), every direction and the timeline away from the defaults.
    connection = crm.save_connection(
        desk.admin,
        provider="salesforce",
        base_url="http://127.0.0.1:9",
        client_id="3MVG9-consumer-key",
        client_secret="consumer-secret",
        refresh_token="5Aep861-refresh",
        field_map={
            "company": {"property": "Account.Name", "direction": "push"},
            "tier": {"property": "Plan__c", "direction": "both"},
        },
        timeline_events=["ticket.resolved"],
        timeline_object="Case",
        enabled=False,
    )
    crm.record_check(connection, None)  # tested and working: the page shows no problem
    return connection


def populated_notification_settings(desk: Desk):
    row = settings_for(desk.org.id)
    row.ticket_acknowledged = False
    row.ticket_assigned = False
    row.sender_name = "Acme Customer Care"
    row.accent_color = "#aa3300"
    row.logo_url = "https://acme.example/logo.png"
    row.footer_text = "Acme Support\nMon-Fri 9-17\n\nReply above this line."
    return row


def populated_account(desk: Desk):
    return desk.agent


def populated_time_zone(desk: Desk):
    desk.agent.time_zone = "Europe/Berlin"  # the first option is "the organization's zone"
    return desk.agent


def populated_notification_preferences(desk: Desk):
    # Every kind saved, none at its default, so an unchanged save must write nothing new.
    preferences.save(
        desk.agent,
        {
            NotificationKind.ASSIGNED: Choice(in_app=False, email=False),
            NotificationKind.CUSTOMER_REPLIED: Choice(in_app=True, email=False),
            NotificationKind.MENTIONED: Choice(in_app=False, email=True),
            NotificationKind.SLA_WARNING: Choice(in_app=False, email=False),
            NotificationKind.SLA_BREACHED: Choice(in_app=True, email=False),
            NotificationKind.EXPORT_FINISHED: Choice(in_app=False, email=True),
        },
    )
    return desk.agent


def populated_organization(desk: Desk):
    desk.org.time_zone = "America/New_York"
    desk.org.time_tracking = True
    return desk.org


def populated_portal_settings(desk: Desk):
    from supportdesk.selfservice import service as selfservice

    return selfservice.update_settings(
        desk.admin, company_tickets=True, contact_form=False, csat_enabled=True, csat_delay_hours=6
    )


def populated_canned_reply(desk: Desk):
    # A shared reply with line breaks (CRLF in the browser) and placeholders.
    return macros.create_reply(
        desk.admin,
        title="Refund approved",
        body="Hi {{ customer.first_name }},\n\nYour refund for #{{ ticket.number }} is on its way.",
        shared=True,
    )


def populated_macro(desk: Desk):
    factories.TeamFactory(organization=desk.org, name="Accounts")  # sorts before Billing
    return macros.create_macro(
        desk.admin,
        name="Refund approved",
        reply_body="Hi {{ customer.first_name }},\n\nDone.",
        reply_kind="public",
        status="pending",
        priority="low",
        assignee_id=desk.senior.id,
        team_id=desk.team.id,
        add_tags=["refund", "billing"],
        remove_tags=["new"],
    )


@dataclass(frozen=True)
class RoundTrip:
    """How to make the populated record, where its form is, what saves it, how to read it."""

    build: Callable[[Desk], Any]
    url: Callable[[Any], str]
    button: str
    state: Callable[[Any], dict]
    # Who opens the form (by Desk attribute), and what the unchanged POST answers.
    signer: str = "admin"
    answers: int = 302


ROUND_TRIPS = {
    "/admin/agents/<int:agent_id>": RoundTrip(
        populated_agent,
        lambda a: f"/admin/agents/{a.id}",
        "Save agent",
        lambda a: {"user": rows("users", id=a.id), "teams": rows("team_members", user_id=a.id)},
    ),
    "/admin/teams/<int:team_id>": RoundTrip(
        populated_team,
        lambda t: f"/admin/teams/{t.id}",
        "Save team",
        lambda t: {"team": rows("teams", id=t.id), "members": rows("team_members", team_id=t.id)},
    ),
    "/customers/<int:customer_id>": RoundTrip(
        populated_customer,
        lambda c: f"/customers/{c.id}",
        "Save customer",
        lambda c: {"customer": rows("customers", id=c.id)},
        signer="agent",
    ),
    "/tickets/<int:number>": RoundTrip(
        populated_ticket,
        lambda t: f"/tickets/{t.number}",
        "Save changes",
        lambda t: {"ticket": rows("tickets", id=t.id), "tags": rows("ticket_tags", ticket_id=t.id)},
        signer="agent",
    ),
    "/admin/sla/calendars/<int:calendar_id>": RoundTrip(
        populated_calendar,
        lambda c: f"/admin/sla/calendars/{c.id}",
        "Save calendar",
        lambda c: {"calendar": rows("business_calendars", id=c.id)},
    ),
    "/admin/sla/policies/<int:policy_id>": RoundTrip(
        populated_policy,
        lambda p: f"/admin/sla/policies/{p.id}",
        "Save policy",
        lambda p: {"policy": rows("sla_policies", id=p.id)},
    ),
    "/kb/articles/<int:article_id>": RoundTrip(
        populated_article,
        lambda a: f"/kb/articles/{a.id}",
        "Save article",
        lambda a: {
            "article": rows("kb_articles", id=a.id),
            "revisions": rows("kb_article_revisions", article_id=a.id),
        },
        signer="agent",
    ),
    "/kb/categories/<int:category_id>": RoundTrip(
        populated_category,
        lambda c: f"/kb/categories/{c.id}",
        "Save category",
        lambda c: {"category": rows("kb_categories", id=c.id)},
    ),
    "/kb/help-center": RoundTrip(
        populated_help_center,
        lambda _: "/kb/help-center",
        "Save help center",
        lambda h: {"help_center": rows("kb_help_centers", organization_id=h.organization_id)},
    ),
    "/admin/sso": RoundTrip(
        populated_sso,
        lambda _: "/admin/sso",
        "Save single sign-on",
        lambda row: {"sso": rows("sso_settings", organization_id=row.organization_id)},
    ),
    "/admin/retention": RoundTrip(
        populated_retention,
        lambda _: "/admin/retention",
        "Save policy",
        lambda row: {"policy": rows("retention_policies", organization_id=row.organization_id)},
    ),
    "/admin/sla/rules/<int:rule_id>": RoundTrip(
        populated_rule,
        lambda r: f"/admin/sla/rules/{r.id}",
        "Save rule",
        lambda r: {"rule": rows("escalation_rules", id=r.id)},
    ),
    "/admin/webhooks/<int:endpoint_id>/edit": RoundTrip(
        populated_webhook,
        lambda e: f"/admin/webhooks/{e.id}/edit",
        "Save endpoint",
        lambda e: {"endpoint": rows("webhook_endpoints", id=e.id)},
    ),
    "/admin/crm": RoundTrip(
        populated_crm_connection,
        lambda c: "/admin/crm",
        "Save connection",
        lambda c: {"connection": rows("crm_connections", id=c.id), "syncs": rows("crm_syncs")},
    ),
    "/admin/notifications": RoundTrip(
        populated_notification_settings,
        lambda s: "/admin/notifications",
        "Save settings",
        lambda s: {"settings": rows("notification_settings", id=s.id)},
    ),
    # The account page's form changes the password: sent unchanged (empty) it is refused.
    "/account": RoundTrip(
        populated_account,
        lambda a: "/account",
        "Change password",
        lambda a: {"user": rows("users", id=a.id)},
        signer="agent",
        answers=422,
    ),
    "/account/time-zone": RoundTrip(
        populated_time_zone,
        lambda a: "/account",
        "Save time zone",
        lambda a: {"user": rows("users", id=a.id)},
        signer="agent",
    ),
    "/admin/canned-replies/<int:canned_reply_id>": RoundTrip(
        populated_canned_reply,
        lambda r: f"/admin/canned-replies/{r.id}",
        "Save canned reply",
        lambda r: {"reply": rows("canned_replies", id=r.id)},
    ),
    "/admin/macros/<int:macro_id>": RoundTrip(
        populated_macro,
        lambda m: f"/admin/macros/{m.id}",
        "Save macro",
        lambda m: {"macro": rows("macros", id=m.id)},
    ),
    "/account/notifications": RoundTrip(
        populated_notification_preferences,
        lambda a: "/account",
        "Save notification preferences",
        lambda a: {"preferences": rows("notification_preferences", user_id=a.id)},
        signer="agent",
    ),
    "/admin/fields/<int:field_id>": RoundTrip(
        populated_field,
        lambda f: f"/admin/fields/{f.id}",
        "Save field",
        lambda f: {"field": rows("custom_fields", id=f.id)},
    ),
    "/views/<int:view_id>": RoundTrip(
        populated_view,
        lambda v: "/views",
        "Rename",
        lambda v: {"view": rows("saved_views", id=v.id)},
        signer="agent",
    ),
    "/admin/organization": RoundTrip(
        populated_organization,
        lambda o: "/admin/organization",
        "Save settings",
        lambda o: {"organization": rows("organizations", id=o.id)},
    ),
    "/admin/portal": RoundTrip(
        populated_portal_settings,
        lambda s: "/admin/portal",
        "Save settings",
        lambda s: {"settings": rows("portal_settings", organization_id=s.organization_id)},
    ),
}

# POST routes that are not the edit form of an existing record, and why. A new POST route must
# be added here or to ROUND_TRIPS (the JSON API's blueprint renders no forms and is left out).
NOT_EDIT_FORMS = {
    "/account/language": "one select saved on its own (test_languages)",
    "/exports": "requests an export (test_reports)",
    "/exports/<int:export_id>/cancel": "a button",
    "/reports/summaries": "subscribes to a summary email (test_reports)",
    "/reports/summaries/<int:subscription_id>/delete": "a button (test_reports)",
    "/help/<org_slug>/articles/<article_slug>/vote": "a visitor's vote buttons (test_kb)",
    "/kb/articles/new": "writes a new article (test_kb)",
    "/kb/articles/<int:article_id>/delete": "a button",
    "/kb/articles/<int:article_id>/revisions/<int:revision_id>/restore": "a button",
    "/kb/categories/new": "adds a category",
    "/kb/categories/<int:category_id>/delete": "a button",
    "/kb/categories/<int:category_id>/move": "a button",
    "/tickets/<int:number>/articles/<int:article_id>/inserted": "the composer counts an insert",
    "/login/sso": "asks for a work address, then sends the agent to the identity provider",
    "/admin/privacy/exports": "requests a customer's data export (test_privacy)",
    "/admin/privacy/erase": "erases a customer after confirmation (test_privacy)",
    "/login": "signs in",
    "/logout": "signs out",
    "/me/away": "a toggle button, no form fields",
    "/account/tokens": "creates a token",
    "/account/sessions/<int:session_id>/revoke": "a button (tested in test_sessions)",
    "/account/sessions/revoke-others": "a button (tested in test_sessions)",
    "/admin/tokens/<int:token_id>/revoke": "a button",
    "/admin/addresses/<int:address_id>/verify": "a button: sends a new code",
    "/account/tokens/<int:token_id>/revoke": "a button",
    "/tickets/new": "creates a ticket",
    "/tickets/<int:number>/messages": "adds a reply or note (tested in test_agent_day)",
    "/tickets/<int:number>/draft": "the composer's autosave, JSON (tested in test_composer)",
    "/tickets/<int:number>/presence": "the ticket page's presence heartbeat, JSON (test_live)",
    "/markdown/preview": "renders a preview, saves nothing (tested in test_composer)",
    "/tickets/<int:number>/delete": "deletes after a confirmation page (test_ticket_delete)",
    "/tickets/<int:number>/merge": "merges after a confirmation page (test_ticket_merge)",
    "/tickets/<int:number>/messages/<int:message_id>/split": "splits after a confirmation page",
    "/bulk": "the queue's bulk toolbar: applies an action to checked tickets (test_bulk)",
    "/customers/new": "creates a customer",
    "/customers/<int:customer_id>/suppression": "a button",
    "/admin/agents/new": "creates an agent",
    "/admin/agents/<int:agent_id>/active": "a button",
    "/admin/teams/new": "creates a team",
    "/admin/sla/calendars/new": "creates a calendar",
    "/admin/sla/policies/new": "creates a policy",
    "/admin/sla/rules/new": "creates a rule",
    "/admin/webhooks/new": "creates an endpoint",
    "/admin/webhooks/<int:endpoint_id>/enabled": "a button",
    "/admin/webhooks/<int:endpoint_id>/secret": "a button",
    "/admin/webhooks/<int:endpoint_id>/test": "a button",
    "/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver": "a button",
    "/admin/addresses": "adds a support address",
    "/admin/addresses/<int:address_id>/default": "a button",
    "/admin/addresses/<int:address_id>/delete": "a button",
    "/admin/inbound/<int:inbound_id>/retry": "a button",
    "/admin/inbound/<int:inbound_id>/delete": "a button",
    "/admin/mail/<int:email_id>/retry": "a button",
    "/inbound/email": "the mail server's endpoint, no form",
    "/admin/canned-replies/new": "creates a canned reply",
    "/admin/canned-replies/<int:canned_reply_id>/delete": "a button",
    "/admin/macros/new": "creates a macro",
    "/admin/macros/<int:macro_id>/delete": "a button",
    "/tickets/<int:number>/macros": "applies a macro (tested in test_macros)",
    "/notifications/<int:notification_id>/open": "a button: marks read, opens the ticket",
    "/notifications/<int:notification_id>/read": "a button (tested in test_notifications)",
    "/notifications/read-all": "a button (tested in test_notifications)",
    "/password/forgot": "asks for a reset link (tests/auth/test_links.py)",
    "/password/reset/<secret>": "sets a new password from a mailed link (test_links)",
    "/invitations/<secret>": "accepts an invitation: creates the agent (test_links)",
    "/admin/agents/invite": "sends an invitation",
    "/admin/invitations/<int:invitation_id>/resend": "a button",
    "/admin/invitations/<int:invitation_id>/revoke": "a button",
    "/admin/agents/<int:agent_id>/reset-password": "a button",
    "/admin/fields/new": "creates a custom field",
    "/admin/fields/<int:field_id>/archive": "a button",
    "/admin/fields/<int:field_id>/move": "a button",
    "/views": "saves the queue as a view (tested in test_custom_fields)",
    "/views/<int:view_id>/move": "a button",
    "/views/<int:view_id>/delete": "a button",
    "/login/code": "the code step of signing in (test_two_factor)",
    "/account/two-factor/setup": "turns two factors on with a code (test_two_factor)",
    "/account/two-factor/recovery-codes": "makes new recovery codes (tests/twofactor)",
    "/account/two-factor/disable": "turns two factors off (tests/twofactor)",
    "/admin/agents/<int:agent_id>/two-factor/reset": "a button (test_two_factor)",
    # The customer's side (supportdesk.portal; tested in test_portal and tests/portal).
    "/help/<org_slug>/portal/": "asks for a sign-in link",
    "/help/<org_slug>/portal/link/<secret>": "a button: signs in with a mailed link",
    "/help/<org_slug>/portal/sign-out": "a button",
    "/help/<org_slug>/portal/language": "a button: the portal's language",
    "/help/<org_slug>/portal/tickets/<int:number>": "adds the customer's reply",
    "/help/<org_slug>/portal/tickets/<int:number>/close": "a button",
    "/help/<org_slug>/portal/contact": "opens a ticket",
    "/help/<org_slug>/portal/contact/embed": "opens a ticket",
    "/help/<org_slug>/portal/rate/<token>": "adds a comment to a rating",
    "/help/<org_slug>/portal/rate/<token>/<rating>": "sends the rating its link names",
    "/admin/crm/test": "a button: calls the CRM (tested in test_crm)",
    "/admin/crm/full-sync": "a button: queues every customer",
    "/admin/crm/disconnect": "a button",
    "/admin/crm/salesforce/connect": "a button: redirects to Salesforce (tested in test_crm)",
    "/admin/crm/log/<int:sync_id>/resend": "a button",
    "/customers/<int:customer_id>/crm-refresh": "a button: reads the CRM (tested in test_crm)",
    "/inbound/crm/<int:connection_id>/hubspot": "HubSpot's signed webhook, no form",
}


def test_every_post_route_has_a_round_trip_case_or_is_named_as_no_edit_form(e2e_app) -> None:
    posting = {
        rule.rule
        for rule in e2e_app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith("api.")
    }
    assert not ROUND_TRIPS.keys() & NOT_EDIT_FORMS.keys()
    assert posting - ROUND_TRIPS.keys() - NOT_EDIT_FORMS.keys() == set(), "add a case above"
    assert (ROUND_TRIPS.keys() | NOT_EDIT_FORMS.keys()) - posting == set(), "route is gone"


@pytest.mark.parametrize("route", ROUND_TRIPS)
def test_saving_an_edit_form_unchanged_changes_nothing(page: Page, desk: Desk, route: str) -> None:
    case = ROUND_TRIPS[route]
    record = case.build(desk)
    persist()
    url = case.url(record)
    start_session(page, getattr(desk, case.signer))
    before, trail_before = case.state(record), trail()

    page.goto(url)
    # The form's own POST, not the ticket page's presence heartbeat (static/js/live.js).
    with page.expect_response(
        lambda r: r.request.method == "POST" and not r.url.endswith("/presence")
    ) as posted:
        page.get_by_role("button", name=case.button, exact=True).click()
    page.wait_for_load_state()

    assert posted.value.status == case.answers
    assert case.state(record) == before
    assert trail() == trail_before
    if case.answers == 302:
        expect(page.locator(".alert-error, .field-error")).to_have_count(0)


def test_the_agent_form_shows_the_agents_own_role(page: Page, desk: Desk) -> None:
    start_session(page, desk.admin)
    page.goto(f"/admin/agents/{desk.viewer.id}")
    expect(page.get_by_label("Role")).to_have_value(Role.VIEWER.value)
