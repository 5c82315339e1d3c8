"""Merging and splitting reach a real HTTP receiver as signed `ticket.merged` / `ticket.split`
events (with `ticket.created` for the split-off ticket), in the order they happened."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.merge import merge, split
from supportdesk.tickets.models import Message
from tests.factories import make_ticket
from tests.fixtures.webhooks import deliveries, make_endpoint, run_webhook_jobs, verify

pytestmark = pytest.mark.integration

TYPES = ["ticket.created", "ticket.merged", "ticket.split", "ticket.status_changed"]


@pytest.fixture
def received(app, org, httpserver):
    """Subscribe the receiver (after the test's setup); returns what it got, in arrival order."""
    got: list[dict] = []

    def subscribe() -> list[dict]:
        db.session.commit()  # the setup's own events go nowhere
        secret = make_endpoint(org, httpserver.url_for("/hooks"), TYPES).secret

        def receiver(request):
            got.append(verify(request, secret))
            return "ok"

        httpserver.expect_request("/hooks", method="POST").respond_with_handler(receiver)
        return got

    return subscribe


def _deliver(app) -> None:
    db.session.commit()
    run_webhook_jobs(app)


def test_a_merge_is_delivered_as_ticket_merged_with_both_tickets(
    app, org, customer, agent, received
):
    target = make_ticket(org, customer=customer)
    source = make_ticket(org, customer=customer)
    received = received()

    merge(agent, source, target)
    source_number, target_number, agent_id = source.number, target.number, agent.id
    _deliver(app)

    by_type = {body["type"]: body["data"] for body in received}
    assert set(by_type) == {"ticket.merged", "ticket.status_changed"}
    merged = by_type["ticket.merged"]
    assert merged["ticket"]["number"] == source_number
    assert merged["ticket"]["status"] == "closed"
    assert merged["ticket"]["merged_into"] == target_number
    assert merged["merged_into"]["number"] == target_number
    assert merged["merged_into"]["merged_into"] is None
    assert merged["messages_moved"] == 1
    assert merged["actor"] == {"type": "agent", "id": agent_id}


def test_a_split_is_delivered_as_ticket_created_then_ticket_split(
    app, org, customer, agent, received
):
    ticket = make_ticket(org, customer=customer)
    message = service.customer_reply(ticket, customer, "Another thing: my invoice")
    received = received()

    new = split(agent, ticket, message.id)
    numbers, message_id, new_id = (ticket.number, new.number), message.id, new.id
    _deliver(app)

    # Queued in this order (receivers may see them in any order: deliveries run in parallel).
    assert [d.event_type for d in deliveries()] == ["ticket.created", "ticket.split"]
    by_type = {body["type"]: body["data"] for body in received}
    created, split_event = by_type["ticket.created"], by_type["ticket.split"]
    assert created["ticket"]["number"] == numbers[1]
    assert (split_event["ticket"]["number"], split_event["new_ticket"]["number"]) == numbers
    assert split_event["message_id"] == message_id
    assert db.session.scalar(sa.select(Message.ticket_id).where(Message.id == message_id)) == new_id
