"""The CSV export: every filtered entry, cells a spreadsheet would run as formulas neutralized."""

from __future__ import annotations

import csv
import io

import pytest

from supportdesk import audit
from supportdesk.audit.export import neutralize
from tests import factories
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Ada Admin", "Ada Admin"),
        (None, ""),
    ],
)
def test_formula_cells_are_neutralized(value, cell):
    assert neutralize(value) == cell


def test_the_export_holds_the_filtered_entries_safely(client, org, admin):
    audit.record(org.id, "team.created", actor=admin, target=("team", 1, "=cmd|' /C calc'!A0"))
    audit.record(org.id, "auth.sign_in", actor=admin)
    login_as(client, admin)

    answer = client.get("/admin/audit-log.csv?action=team.created")

    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["team.created"]
    assert rows[0]["target"] == "'=cmd|' /C calc'!A0"


def test_only_admins_export(client, agent):
    login_as(client, agent)
    assert client.get("/admin/audit-log.csv").status_code == 403


def test_another_organization_s_entries_are_never_exported(client, org, admin, other_org):
    stranger = factories.UserFactory(organization=other_org)
    audit.record(other_org.id, "auth.sign_in", actor=stranger, target=("agent", 1, "Elsewhere"))
    audit.record(org.id, "auth.sign_in", actor=admin, target=("agent", admin.id, "Here"))
    login_as(client, admin)

    rows = list(csv.DictReader(io.StringIO(client.get("/admin/audit-log.csv").get_data(True))))

    assert "Here" in {r["target"] for r in rows}
    assert "Elsewhere" not in {r["target"] for r in rows}
