"""Snapshots of the main console pages on fixed data and a frozen clock (syrupy, stored as .html)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from supportdesk.accounts.models import Organization, Role, Team, User
from supportdesk.customers.models import Customer, Tier
from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.models import Priority, Status
from tests.factories import password_hash
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration

FROZEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


class HTMLSnapshot(SingleFileSnapshotExtension):
    """One readable .html file per snapshot."""

    _file_extension = "html"
    file_extension = "html"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def snapshot_html(snapshot):
    return snapshot.use_extension(HTMLSnapshot)


def _normalise(html: str) -> str:
    # The CSRF token is random per session; nothing else on these pages may vary.
    html = html.replace("\r\n", "\n")  # WTForms' textareas; snapshot files are text
    html = re.sub(r"/admin/mail/\d+", "/admin/mail/ID", html)  # outbox ids come from a sequence
    html = re.sub(r"/messages/\d+/split", "/messages/ID/split", html)  # message ids too
    html = re.sub(r'data-message-id="\d+"', 'data-message-id="ID"', html)
    html = re.sub(r'(name="last_seen_message_id"[^>]*? value=")\d+', r"\1ID", html)
    html = re.sub(r"/live/stream\?since=[0-9-]+", "/live/stream?since=ID", html)  # live log ids
    html = re.sub(r'data-live-me="\d+"', 'data-live-me="ID"', html)
    return re.sub(r'(name="csrf_token"[^>]*? value=")[^"]+', r"\1TOKEN", html)


@pytest.fixture
def fixed_desk(app):
    """An organization with fixed ids, people and two tickets, created at FROZEN time."""
    with time_machine.travel(FROZEN, tick=False):
        org = Organization(id=910001, name="Snapshot Support", slug="snapshot-support")
        db.session.add(org)
        db.session.flush()
        lead = User(
            id=910011,
            organization=org,
            email="lena@snapshot.example",
            name="Lena Lead",
            role=Role.SENIOR_AGENT,
            password_hash=password_hash(),
            session_token="fixed",
        )
        agent = User(
            id=910012,
            organization=org,
            email="omar@snapshot.example",
            name="Omar Agent",
            role=Role.AGENT,
            password_hash=password_hash(),
            session_token="fixed2",
        )
        team = Team(id=910021, organization_id=org.id, name="Billing", members=[lead, agent])
        customer = Customer(
            id=910031,
            organization_id=org.id,
            email="ines@customer.example",
            name="Inès Duarte <CFO>",
            tier=Tier.PREMIUM,
            company="Duarte & Filhos",
        )
        db.session.add_all([lead, agent, team, customer])
        db.session.flush()
        first = service.open_ticket(
            org.id,
            actor=None,
            customer_email=customer.email,
            subject="Invoice shows the wrong VAT rate",
            body="Hello,\nour March invoice uses 19 % instead of 7 %.\n<b>Please fix</b>",
            priority=Priority.HIGH,
            team_id=team.id,
            tags="billing, vat",
        )
    with time_machine.travel(FROZEN + dt.timedelta(minutes=40), tick=False):
        service.reply(agent, first, "Thanks Inès, we are correcting it now.")
        service.add_note(lead, first, "Check the tax table for Portugal too.")
        service.update_ticket(
            lead,
            first,
            expected_version=first.version,
            status=Status.PENDING,
            assignee_id=agent.id,
        )
        service.open_ticket(
            org.id,
            actor=agent,
            customer_email="new@customer.example",
            subject="Add two seats to our plan",
            body="We hired two people.",
            priority=Priority.LOW,
        )
    db.session.commit()
    return {"lead": lead, "first": first}


def test_the_queue_page_looks_as_recorded(client, fixed_desk, snapshot_html):
    with time_machine.travel(FROZEN + dt.timedelta(hours=2), tick=False):
        login_as(client, fixed_desk["lead"])
        response = client.get("/?queue=all")
    assert response.status_code == 200
    assert _normalise(response.get_data(as_text=True)) == snapshot_html


def test_the_ticket_page_looks_as_recorded(client, fixed_desk, snapshot_html):
    with time_machine.travel(FROZEN + dt.timedelta(hours=2), tick=False):
        login_as(client, fixed_desk["lead"])
        response = client.get(f"/tickets/{fixed_desk['first'].number}")
    assert response.status_code == 200
    assert _normalise(response.get_data(as_text=True)) == snapshot_html
