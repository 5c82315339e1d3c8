"""The composer's reply collision in the console (the browser test shows it on screen)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.models import Message
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_a_reply_after_a_newer_public_message_asks_and_keeps_the_draft(
    client, agent, senior_agent, ticket
):
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}")
    seen = db.session.query(Message.id).filter_by(ticket_id=ticket.id).scalar()
    assert f'name="last_seen_message_id" type="hidden" value="{seen}"' in page.get_data(
        as_text=True
    )
    service.reply(senior_agent, ticket, "Refunded <today>.")
    db.session.commit()
    form = {
        "csrf_token": csrf_token(page),
        "kind": "public",
        "body": "Your refund is on its way.",
        "last_seen_message_id": str(seen),
    }
    answer = client.post(f"/tickets/{ticket.number}/messages", data=form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Your reply was not sent." in html
    assert "Refunded &lt;today&gt;." in html  # the colleague's reply, escaped
    assert "Your refund is on its way.</textarea>" in html
    assert "Send anyway" in html
    assert db.session.query(Message).filter_by(body_text="Your refund is on its way.").count() == 0

    newest = db.session.query(sa.func.max(Message.id)).filter_by(ticket_id=ticket.id).scalar()
    confirmed = client.post(
        f"/tickets/{ticket.number}/messages", data={**form, "last_seen_message_id": str(newest)}
    )
    assert confirmed.status_code == 302
    assert db.session.query(Message).filter_by(body_text="Your refund is on its way.").count() == 1


def test_a_note_never_asks(client, agent, senior_agent, ticket):
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}")
    service.reply(senior_agent, ticket, "Refunded.")
    db.session.commit()
    answer = client.post(
        f"/tickets/{ticket.number}/messages",
        data={
            "csrf_token": csrf_token(page),
            "kind": "internal",
            "body": "FYI",
            "last_seen_message_id": "1",
        },
    )
    assert answer.status_code == 302


def test_a_refused_stale_save_marks_the_fields_a_colleague_changed(
    client, agent, senior_agent, ticket
):
    from supportdesk.tickets.models import Priority

    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}")
    service.update_ticket(
        senior_agent, ticket, expected_version=ticket.version, priority=Priority.HIGH
    )
    db.session.commit()
    answer = client.post(
        f"/tickets/{ticket.number}",
        data={
            "csrf_token": csrf_token(page),
            "version": "1",
            "subject": "Mine",
            "status": "open",
            "priority": "medium",
            "assignee_id": "0",
            "team_id": "0",
            "tags": "",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    marked = html.count('class="field has-error field-changed"') + html.count(
        'class="field field-changed"'
    )
    assert marked == 1
    assert 'id="priority"' in html[html.index("field-changed") :][:400]
