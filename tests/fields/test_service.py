"""Custom fields through the services: definitions, values on tickets, history, resolving."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.errors import Conflict, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.fields import service
from supportdesk.fields.models import FieldType
from supportdesk.fields.queries import FieldNotFound, get_field, list_fields
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Status, TicketEvent
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.integration


def test_an_admin_defines_fields_in_order(admin, order_field, product_field):
    assert [f.key for f in list_fields(admin.organization_id)] == ["order_number", "product"]
    assert product_field.options == ["Invoices", "Payroll", "Reports"]


@pytest.mark.parametrize("role", ["agent", "senior_agent"])
def test_only_admins_define_fields(app, request, role):
    with pytest.raises(PermissionDenied):
        service.create_field(request.getfixturevalue(role), key="x", label="X", type=FieldType.TEXT)


def test_a_key_is_unique_in_the_organization_only(admin, order_field, other_org):
    with pytest.raises(Conflict) as refused:
        service.create_field(admin, key="order_number", label="Again", type=FieldType.TEXT)
    assert "key" in refused.value.fields
    other_admin = UserFactory(organization=other_org, role=admin.role)
    assert service.create_field(other_admin, key="order_number", label="O", type=FieldType.TEXT)


def test_another_organizations_field_is_not_found(other_org, order_field):
    with pytest.raises(FieldNotFound):
        get_field(other_org.id, order_field.id)


def test_moving_a_field_swaps_it_with_its_neighbour(admin, order_field, product_field):
    assert service.move_field(admin, product_field, -1)
    assert [f.key for f in list_fields(admin.organization_id)] == ["product", "order_number"]
    assert not service.move_field(admin, product_field, -1)


def test_setting_values_writes_one_history_entry_per_field_old_to_new(
    org, agent, order_field, product_field
):
    ticket = make_ticket(org)
    changed = tickets.update_ticket(
        agent, ticket, expected_version=ticket.version,
        custom_fields={"order_number": "A-1", "product": ["Reports", "Invoices"]},
    )  # fmt: skip
    assert changed
    assert ticket.custom_fields == {"order_number": "A-1", "product": ["Invoices", "Reports"]}
    tickets.update_ticket(
        agent, ticket, expected_version=ticket.version, custom_fields={"order_number": "A-2"}
    )
    entries = db.session.scalars(
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.CUSTOM_FIELD)
        .order_by(TicketEvent.id)
    ).all()
    assert [(e.data["field"], e.old_value, e.new_value) for e in entries] == [
        ("order_number", None, "A-1"),
        ("product", None, "Invoices, Reports"),
        ("order_number", "A-1", "A-2"),
    ]


def test_saving_the_same_values_changes_nothing(org, agent, order_field):
    ticket = make_ticket(org)
    tickets.set_custom_fields(agent, ticket, {"order_number": "A-1"})
    db.session.flush()
    version = ticket.version
    assert not tickets.update_ticket(
        agent, ticket, expected_version=version, custom_fields={"order_number": " A-1 "}
    )
    assert ticket.version == version


def test_an_invalid_value_is_refused_naming_the_field(org, agent, product_field):
    ticket = make_ticket(org)
    with pytest.raises(ValidationFailed) as refused:
        tickets.set_custom_fields(agent, ticket, {"product": ["Cars"]})
    assert refused.value.fields == {"custom_fields.product": "Not an option: Cars."}


def test_a_viewer_cannot_set_values(org, viewer, order_field):
    with pytest.raises(PermissionDenied):
        tickets.set_custom_fields(viewer, make_ticket(org), {"order_number": "A-1"})


def test_resolving_without_a_required_field_is_refused_with_a_sentence_naming_it(
    org, agent, order_field
):
    ticket = make_ticket(org)
    with pytest.raises(ValidationFailed) as refused:
        tickets.change_status(agent, ticket, Status.RESOLVED)
    assert "“Order number”" in refused.value.message
    assert refused.value.fields == {"custom_fields.order_number": "Required to resolve the ticket."}
    assert ticket.status is Status.OPEN


def test_closing_directly_is_refused_too(org, agent, order_field):
    ticket = make_ticket(org, status=Status.PENDING)
    with pytest.raises(ValidationFailed):
        tickets.change_status(agent, ticket, Status.CLOSED)


def test_filling_the_field_and_resolving_in_one_save_works(org, agent, order_field):
    ticket = make_ticket(org)
    tickets.update_ticket(
        agent, ticket, expected_version=ticket.version, status=Status.RESOLVED,
        custom_fields={"order_number": "A-9"},
    )  # fmt: skip
    assert ticket.status is Status.RESOLVED


def test_an_archived_required_field_no_longer_blocks_resolving(org, admin, agent, order_field):
    service.update_field(admin, order_field, archived=True)
    ticket = make_ticket(org)
    assert tickets.change_status(agent, ticket, Status.RESOLVED)


def test_another_organizations_required_field_does_not_apply(other_org, agent, order_field):
    other_agent = UserFactory(organization=other_org, role=agent.role)
    ticket = make_ticket(other_org)
    assert tickets.change_status(other_agent, ticket, Status.RESOLVED)


def test_opening_a_ticket_validates_its_values(org, agent, order_field):
    with pytest.raises(UnknownReference) as refused:
        tickets.open_ticket(
            org.id, actor=agent, customer_email="a@example.com", subject="s", body="b",
            custom_fields={"nope": 1},
        )  # fmt: skip
    assert refused.value.fields == {"custom_fields.nope": "No such field."}
    ticket = tickets.open_ticket(
        org.id, actor=agent, customer_email="a@example.com", subject="s", body="b",
        custom_fields={"order_number": " X "},
    )  # fmt: skip
    assert ticket.custom_fields == {"order_number": "X"}
