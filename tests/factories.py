"""factory_boy factories and one-call helpers for test data, on the test's db.session.

Rows are flushed, never committed (the rollback fixture discards them). Tickets are opened
through the real service so their numbers come from the organization's counter.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from supportdesk.accounts.models import Organization, Role, Team, User
from supportdesk.accounts.passwords import hash_password
from supportdesk.customers.models import Customer, Tier
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Priority, Status, Ticket

# Every factory-made agent signs in with this password.
PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per session (with the app's fast test hasher when in app context)."""
    return hash_password(PASSWORD)


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        # A callable, because the rollback fixture swaps db.session for every test.
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganizationFactory(_Factory):
    """A tenant with a unique name and slug."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class UserFactory(_Factory):
    """An active agent (role AGENT unless given) who signs in with PASSWORD."""

    class Meta:
        model = User

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"agent{n}@example.com")
    name = factory.Sequence(lambda n: f"Agent {n:03d}")
    role = Role.AGENT
    active = True
    password_hash = factory.LazyFunction(password_hash)


class TeamFactory(_Factory):
    """A team of an organization; pass `members=[...]` to fill it."""

    class Meta:
        model = Team

    class Params:
        organization = factory.SubFactory(OrganizationFactory)

    organization_id = factory.SelfAttribute("organization.id")
    name = factory.Sequence(lambda n: f"Team {n:03d}")
    description = ""

    @factory.post_generation
    def members(team: Team, create: bool, extracted: Iterable[User] | None, **kwargs: Any) -> None:
        if extracted:
            team.members = list(extracted)
            if create:
                db.session.flush()


class CustomerFactory(_Factory):
    """A customer of an organization, with a lower-case unique email."""

    class Meta:
        model = Customer

    class Params:
        organization = factory.SubFactory(OrganizationFactory)

    organization_id = factory.SelfAttribute("organization.id")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = factory.Sequence(lambda n: f"Customer {n:03d}")
    tier = Tier.FREE
    company = ""


def make_ticket(
    organization: Organization,
    *,
    actor: User | None = None,
    customer: Customer | None = None,
    customer_email: str | None = None,
    subject: str | None = None,
    body: str = "Something is not working.",
    status: Status = Status.OPEN,
    priority: Priority = Priority.MEDIUM,
    channel: Channel = Channel.WEB,
    assignee: User | None = None,
    team: Team | None = None,
    tags: str | Iterable[str] = (),
    created_at: dt.datetime | None = None,
    updated_at: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket through the service, then force the status and timestamps asked for.

    The forced status is set directly (no history row), with the timestamps it implies.
    """
    if customer is None and customer_email is None:
        customer = CustomerFactory(organization=organization)
    n = TicketFactory.next_number()
    ticket = tickets.open_ticket(
        organization.id,
        actor=actor,
        customer_email=customer.email if customer else customer_email,
        subject=subject or f"Ticket subject {n}",
        body=body,
        priority=priority,
        channel=channel,
        assignee_id=assignee.id if assignee else None,
        team_id=team.id if team else None,
        tags=tags,
    )
    if status is not Status.OPEN:
        now = utcnow()
        ticket.status = status
        if status in (Status.RESOLVED, Status.CLOSED):
            ticket.resolved_at = now
        if status is Status.CLOSED:
            ticket.closed_at = now
    if created_at is not None:
        ticket.created_at = created_at
    if updated_at is not None:
        ticket.updated_at = updated_at
    db.session.flush()
    return ticket


class TicketFactory(factory.Factory):
    """Tickets via make_ticket: `TicketFactory(organization=org, status=Status.PENDING)`."""

    class Meta:
        model = Ticket

    organization = factory.SubFactory(OrganizationFactory)

    _counter = 0

    @classmethod
    def next_number(cls) -> int:
        """A distinct number for default subjects (not the ticket number, which the org hands out)."""
        cls._counter += 1
        return cls._counter

    @classmethod
    def _create(
        cls, model_class: type[Ticket], organization: Organization, **kwargs: Any
    ) -> Ticket:
        return make_ticket(organization, **kwargs)

    @classmethod
    def _build(cls, model_class: type[Ticket], *args: Any, **kwargs: Any) -> Ticket:
        raise TypeError("Tickets are only created (their number comes from the organization).")


@dataclass
class Staff:
    """An organization with one active agent of every role, and a team of the two agents."""

    org: Organization
    admin: User
    senior_agent: User
    agent: User
    viewer: User
    team: Team

    def by_role(self, role: Role) -> User:
        return {
            Role.ADMIN: self.admin,
            Role.SENIOR_AGENT: self.senior_agent,
            Role.AGENT: self.agent,
            Role.VIEWER: self.viewer,
        }[role]


def make_staff(organization: Organization | None = None) -> Staff:
    """An organization (new unless given) staffed with one agent per role and a team."""
    org = organization or OrganizationFactory()
    admin = UserFactory(organization=org, role=Role.ADMIN)
    senior = UserFactory(organization=org, role=Role.SENIOR_AGENT)
    agent = UserFactory(organization=org, role=Role.AGENT)
    viewer = UserFactory(organization=org, role=Role.VIEWER)
    team = TeamFactory(organization=org, members=[senior, agent])
    return Staff(org, admin, senior, agent, viewer, team)
