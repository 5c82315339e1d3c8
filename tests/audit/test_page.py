"""The audit page: filters, keyset pages of constant cost, and tenancy."""

from __future__ import annotations

import pytest

from supportdesk import audit
from supportdesk.audit.queries import AuditFilters, audit_page
from tests import factories
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


def test_pages_follow_each_other_without_gaps_or_repeats(org, admin):
    made = [audit.record(org.id, "auth.sign_in", actor=admin).id for _ in range(7)]

    seen, before = [], None
    while True:
        page = audit_page(org.id, AuditFilters(), before=before, limit=3)
        seen += [e.id for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == sorted(made, reverse=True)


def test_a_page_is_one_query_whatever_its_size(org, admin, query_counter):
    for _ in range(30):
        audit.record(org.id, "auth.sign_in", actor=admin)
    with query_counter() as small:
        audit_page(org.id, AuditFilters(), limit=5)
    with query_counter() as large:
        audit_page(org.id, AuditFilters(), limit=30)
    assert small.count == large.count == 1


def test_the_page_filters_by_actor_and_action(client, org, admin, agent):
    audit.record(org.id, "auth.sign_in", actor=agent, target=("agent", agent.id, "Alex-in"))
    audit.record(org.id, "team.created", actor=admin, target=("team", 5, "Team-made"))
    login_as(client, admin)

    html = client.get(f"/admin/audit-log?actor={agent.id}").get_data(as_text=True)
    assert "Alex-in" in html and "Team-made" not in html
    html = client.get("/admin/audit-log?action=team.created").get_data(as_text=True)
    assert "Team-made" in html and "Alex-in" not in html


def test_another_organization_s_entries_never_show(client, org, admin, other_org):
    stranger = factories.UserFactory(organization=other_org)
    audit.record(other_org.id, "auth.sign_in", actor=stranger, target=("agent", 1, "Elsewhere"))
    login_as(client, admin)

    assert "Elsewhere" not in client.get("/admin/audit-log").get_data(as_text=True)
    assert "Elsewhere" not in client.get("/admin/audit-log.csv").get_data(as_text=True)


def test_agents_cannot_read_the_log(client, senior_agent):
    login_as(client, senior_agent)
    assert client.get("/admin/audit-log").status_code == 403


def test_the_page_costs_the_same_queries_with_few_or_many_entries(app, client, org, admin):
    login_as(client, admin)
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        audit.record(org.id, "auth.sign_in", actor=admin)
        few = int(client.get("/admin/audit-log").headers["X-SQL-Queries"])
        for _ in range(60):
            audit.record(org.id, "team.created", actor=admin, target=("team", 1, "T"))
        many = int(client.get("/admin/audit-log").headers["X-SQL-Queries"])
    finally:
        app.config["QUERY_COUNT_HEADER"] = False
    assert few == many
