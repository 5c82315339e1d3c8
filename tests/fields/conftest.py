"""Fixtures of the custom field tests: an organization's fields."""

from __future__ import annotations

import pytest

from supportdesk.fields import service
from supportdesk.fields.models import FieldType


@pytest.fixture
def order_field(admin):
    """A text field `order_number`, required to resolve."""
    return service.create_field(
        admin, key="order_number", label="Order number", type=FieldType.TEXT,
        required_on_resolve=True,
    )  # fmt: skip


@pytest.fixture
def product_field(admin):
    """A multi select `product`."""
    return service.create_field(
        admin, key="product", label="Product", type=FieldType.MULTISELECT,
        options=["Invoices", "Payroll", "Reports"],
    )  # fmt: skip
