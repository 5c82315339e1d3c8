"""The custom field filters on the embedded default (SQLite's JSON functions)."""

from __future__ import annotations

import pytest

from supportdesk import create_app
from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.fields import service as fields
from supportdesk.fields.filters import FieldFilter, field_conditions
from supportdesk.fields.models import FieldType
from supportdesk.tickets import queries
from supportdesk.tickets import service as tickets
from tests import factories

pytestmark = pytest.mark.sqlite


@pytest.fixture
def sqlite_app(tmp_path, migrated_sqlite):
    app = create_app(
        {"DATABASE_URL": migrated_sqlite(tmp_path / "sd.db"), "SECRET_KEY": "x", "TESTING": True,
         "PASSWORD_HASH_FAST": True}
    )  # fmt: skip
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("kind", "values", "op", "value", "found"),
    [
        (FieldType.TEXT, ["x", "y", None], "eq", "y", [1]),
        (FieldType.NUMBER, [5, 50, None], "min", 10, [1]),
        (FieldType.NUMBER, [5, 50, None], "max", 10, [0]),
        (FieldType.DATE, ["2026-01-02", "2026-03-01", None], "min", "2026-02-01", [1]),
        (FieldType.SELECT, ["a", "b", None], "eq", "a", [0]),
        (FieldType.MULTISELECT, [["a", "b"], ["b"], None], "eq", "a", [0]),
        (FieldType.CHECKBOX, [True, None, None], "eq", True, [0]),
        (FieldType.CHECKBOX, [True, None, None], "no", None, [1, 2]),
    ],
)
def test_each_filter_works_on_sqlite(sqlite_app, kind, values, op, value, found):
    org = factories.OrganizationFactory()
    admin = factories.UserFactory(organization=org, role=Role.ADMIN)
    options = ["a", "b"] if kind.has_options else []
    fields.create_field(admin, key="f", label="F", type=kind, options=options)
    made = []
    for stored in values:
        ticket = factories.make_ticket(org)
        if stored is not None:
            tickets.set_custom_fields(admin, ticket, {"f": stored})
        made.append(ticket.id)
    db.session.flush()
    conditions = field_conditions([FieldFilter("f", kind, op, value)])
    f = queries.QueueFilter(queue="all")
    ids = db.session.scalars(
        db.select(queries.Ticket.id)
        .where(*queries.queue_conditions(org.id, admin.id, f), *conditions)
        .order_by(queries.Ticket.id)
    ).all()
    assert ids == [made[i] for i in found]
