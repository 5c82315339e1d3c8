"""Custom field changes reach webhook receivers as ticket.updated changes."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.fields import service as fields
from supportdesk.fields.models import FieldType
from supportdesk.tickets import service as tickets
from tests.fixtures.webhooks import deliveries, make_endpoint, payload

pytestmark = pytest.mark.integration


def test_a_custom_field_change_is_a_ticket_updated_change_with_the_values(
    app, org, admin, agent, ticket
):
    make_endpoint(org, "http://127.0.0.1:9/hooks")
    fields.create_field(admin, key="product", label="Product", type=FieldType.MULTISELECT,
                        options=["Invoices", "Payroll"])  # fmt: skip
    db.session.commit()
    tickets.update_ticket(
        agent, ticket, expected_version=ticket.version, custom_fields={"product": ["Payroll"]}
    )
    db.session.commit()
    updated = [d for d in deliveries() if d.event_type == "ticket.updated"]
    data = payload(updated[-1])["data"]
    assert data["changes"] == {"custom_fields.product": {"old": None, "new": ["Payroll"]}}
    assert data["ticket"]["custom_fields"] == {"product": ["Payroll"]}
