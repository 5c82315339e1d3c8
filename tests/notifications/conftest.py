"""Fixtures for the notification tests: two agents of one organization, and the mail fixtures."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from supportdesk.accounts.models import Role, User
from tests.factories import UserFactory
from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401  (fixtures)


@dataclass
class Pair:
    """Ana acts; Bruno is told (his handle is the local part of his email)."""

    ana: User
    bruno: User

    @property
    def handle(self) -> str:
        return "@" + self.bruno.email.split("@")[0]


@pytest.fixture
def pair(org) -> Pair:
    """Two agents of `org` with unique addresses."""
    return Pair(
        ana=UserFactory(
            organization=org, role=Role.ADMIN, name="Ana Admin", email=f"ana.{org.id}@acme.example"
        ),
        bruno=UserFactory(
            organization=org, name="Bruno Agent", email=f"bruno.{org.id}@acme.example"
        ),
    )
