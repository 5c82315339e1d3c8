"""A reply that would answer the customer twice: `last_seen_message_id` and 409 newer_messages."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.models import Message


def _first_message_id(ticket) -> int:
    return db.session.query(Message.id).filter_by(ticket_id=ticket.id).scalar()


@pytest.mark.parametrize(
    ("newer", "kind", "status"),
    [
        pytest.param("reply", "public", 409, id="a-colleagues-reply-collides"),
        pytest.param("customer", "public", 409, id="a-customer-message-collides"),
        pytest.param("note", "public", 201, id="an-internal-note-does-not"),
        pytest.param(None, "public", 201, id="nothing-newer"),
        pytest.param("reply", "internal", 201, id="a-note-is-never-refused"),
    ],
)
def test_a_reply_with_an_old_last_seen_message_is_refused_with_the_newer_ones(
    api, org, ticket, senior_agent, newer, kind, status
):
    seen = _first_message_id(ticket)
    if newer == "reply":
        service.reply(senior_agent, ticket, "Answered already.")
    elif newer == "note":
        service.add_note(senior_agent, ticket, "Looking.")
    elif newer == "customer":
        service.customer_reply(ticket, ticket.customer, "Any news?")
    db.session.commit()
    answer = api.post(
        f"/tickets/{ticket.number}/messages",
        json={"body": "Here is the fix.", "kind": kind, "last_seen_message_id": seen},
    )
    assert answer.status_code == status, answer.json
    if status == 409:
        error = answer.json["error"]
        assert error["code"] == "newer_messages"
        assert "last_seen_message_id" in error["fields"]
        [message] = error["messages"]
        assert message["body_text"] in ("Answered already.", "Any news?")
        assert db.session.query(Message).filter_by(body_text="Here is the fix.").count() == 0
        again = api.post(
            f"/tickets/{ticket.number}/messages",
            json={"body": "Here is the fix.", "last_seen_message_id": message["id"]},
        )
        assert again.status_code == 201


def test_a_reply_without_last_seen_message_is_sent_as_before(api, ticket, senior_agent):
    service.reply(senior_agent, ticket, "Answered already.")
    db.session.commit()
    answer = api.post(f"/tickets/{ticket.number}/messages", json={"body": "Me too."})
    assert answer.status_code == 201
