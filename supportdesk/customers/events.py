"""Domain events of the customers domain, recorded with supportdesk.events.record."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.customers.models import Customer


@dataclass(frozen=True)
class CustomerCreated:
    """A customer row was added in this transaction (by an agent, or by a ticket from a new sender)."""

    customer: Customer


@dataclass(frozen=True)
class CustomerUpdated:
    """An agent changed a customer's details in this transaction (not a CRM pull)."""

    customer: Customer
