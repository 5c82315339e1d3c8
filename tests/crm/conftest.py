"""Fixtures for CRM tests: the fake CRMs on a real HTTP server, connections to them, the worker."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from rq import Queue, SimpleWorker

from supportdesk.crm import service
from supportdesk.crm.models import CrmSync
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.outbox import PENDING_STATES
from tests.api.conftest import api_as, make_token  # noqa: F401  (fixtures)
from tests.crm.fakes import FakeHubSpot, FakeSalesforce
from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401  (fixtures)


@pytest.fixture
def hubspot(httpserver) -> FakeHubSpot:
    """A fake HubSpot account answering on the test HTTP server."""
    return FakeHubSpot(httpserver).install()


@pytest.fixture
def salesforce(httpserver) -> FakeSalesforce:
    """A fake Salesforce org (login and instance on the test HTTP server)."""
    return FakeSalesforce(httpserver).install()


@pytest.fixture
def hubspot_connection(admin, hubspot):
    """`org`'s connection to the fake HubSpot, committed."""
    connection = service.save_connection(
        admin, provider="hubspot", base_url=hubspot.url, access_token=hubspot.token
    )
    db.session.commit()
    return connection


@pytest.fixture
def salesforce_connection(admin, salesforce):
    """`org`'s connection to the fake Salesforce (Tasks on the timeline), committed."""
    connection = service.save_connection(
        admin,
        provider="salesforce",
        base_url=salesforce.url,
        client_id=salesforce.client_id,
        client_secret=salesforce.client_secret,
        refresh_token=salesforce.refresh_token,
    )
    db.session.commit()
    return connection


def run_crm_jobs(app: Flask) -> None:
    """Run every job waiting on the default queue (the CRM drain among them), in this thread."""
    redis = app.extensions["redis"]
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def make_due() -> None:
    """Bring every pending CRM row forward to now, as if its wait were over."""
    db.session.execute(
        sa.update(CrmSync).where(CrmSync.state.in_(PENDING_STATES)).values(next_attempt_at=utcnow())
    )
    db.session.commit()


def syncs() -> list[CrmSync]:
    """Every sync row, oldest first, fresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CrmSync).order_by(CrmSync.id)))


def reload(row):
    """`row` read again in the current session (a worker's job ends by removing the session)."""
    return db.session.get(type(row), sa.inspect(row).identity)
