"""The composer's console routes: send with Cc and minutes, drafts (JSON), preview, next ticket;
every route refuses viewers and other organizations' tickets."""

from __future__ import annotations

import pytest

from supportdesk.composer import service as composer
from supportdesk.extensions import db
from supportdesk.tickets.models import Message, MessageKind, Status
from tests.factories import make_ticket
from tests.fixtures.web import csrf_token, login_as


def _token(client, ticket) -> str:
    return csrf_token(client.get(f"/tickets/{ticket.number}"))


def test_a_draft_is_saved_as_json_and_shown_in_the_composer_after_a_reload(client, agent, ticket):
    login_as(client, agent)
    token = _token(client, ticket)
    saved = client.post(
        f"/tickets/{ticket.number}/draft",
        data={"csrf_token": token, "kind": "internal", "body": "half <written>", "cc": ""},
    )
    assert saved.status_code == 200 and saved.json == {"saved": True}
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "half &lt;written&gt;</textarea>" in page
    assert 'value="internal" checked' in page
    assert "composer-internal" in page


def test_a_refused_draft_answers_json_naming_the_field(client, agent, ticket):
    login_as(client, agent)
    answer = client.post(
        f"/tickets/{ticket.number}/draft",
        data={"csrf_token": _token(client, ticket), "kind": "shout", "body": "x"},
    )
    assert answer.status_code == 422 and "mode" in answer.json["error"]["fields"]


def test_sending_clears_the_draft_and_stores_markdown(client, agent, ticket):
    login_as(client, agent)
    composer.save_draft(agent, ticket, mode="public", body="draft")
    response = client.post(
        f"/tickets/{ticket.number}/messages",
        data={"csrf_token": _token(client, ticket), "kind": "public", "body": "**Done**"},
    )
    assert response.status_code == 302
    assert composer.draft_for(agent, ticket) is None
    message = db.session.scalars(db.select(Message).order_by(Message.id.desc())).first()
    assert (message.body_text, message.body_html) == ("**Done**", "<p><strong>Done</strong></p>")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "<strong>Done</strong>" in page


def test_a_bad_cc_re_renders_the_composer_keeping_the_text(client, agent, ticket):
    login_as(client, agent)
    response = client.post(
        f"/tickets/{ticket.number}/messages",
        data={
            "csrf_token": _token(client, ticket),
            "kind": "public",
            "body": "keep me",
            "cc": "lee@",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "lee@ is not a valid email address." in html and "keep me</textarea>" in html


def test_minutes_are_asked_and_totalled_when_the_organization_tracks_time(
    client, agent, org, ticket
):
    login_as(client, agent)
    assert "Time spent (minutes)" not in client.get(f"/tickets/{ticket.number}").get_data(True)
    org.time_tracking = True
    db.session.flush()
    for minutes in ("20", "45"):
        client.post(
            f"/tickets/{ticket.number}/messages",
            data={
                "csrf_token": _token(client, ticket),
                "kind": "internal",
                "body": "worked",
                "time_spent_minutes": minutes,
            },
        )
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Time spent (minutes)" in page
    assert "<strong data-time-total>1 h 5 min</strong>" in page


def test_send_and_next_goes_to_the_next_ticket_of_the_queue_it_came_from(client, agent, org):
    first, second = make_ticket(org, assignee=agent), make_ticket(org, assignee=agent)
    login_as(client, agent)
    queue = "queue=mine&sort=number&dir=asc"
    page = client.get(f"/tickets/{first.number}?from={queue.replace('&', '%26')}")
    response = client.post(
        f"/tickets/{first.number}/messages",
        data={
            "csrf_token": csrf_token(page),
            "kind": "public",
            "body": "done",
            "then": "next",
            "from_queue": queue,
        },
    )
    assert response.status_code == 302
    assert response.location.startswith(f"/tickets/{second.number}?from=")


def test_the_composer_says_what_a_reply_to_a_closed_ticket_does(client, agent, org):
    closed = make_ticket(org, status=Status.CLOSED)
    login_as(client, agent)
    assert "their mail opens a new ticket" in client.get(f"/tickets/{closed.number}").get_data(True)


def test_the_preview_renders_sanitized_html(client, agent, ticket):
    login_as(client, agent)
    answer = client.post(
        "/markdown/preview",
        data={"csrf_token": _token(client, ticket), "body": "**a** <script>x</script>"},
    )
    assert answer.json == {"html": "<p><strong>a</strong> &lt;script&gt;x&lt;/script&gt;</p>"}


@pytest.mark.parametrize(
    "path", ["/tickets/{n}/draft", "/tickets/{n}/messages", "/markdown/preview"]
)
def test_a_viewer_is_refused(client, viewer, agent, ticket, path):
    login_as(client, viewer)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    response = client.post(path.format(n=ticket.number), data={"csrf_token": token, "body": "x"})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Message).where(
        Message.kind == MessageKind.PUBLIC, Message.author_user_id.is_not(None)
    )) == 0  # fmt: skip


@pytest.mark.parametrize("path", ["/tickets/{n}/draft", "/tickets/{n}/messages"])
def test_another_organizations_ticket_is_not_found(client, agent, ticket, other_org, path):
    theirs = make_ticket(other_org)
    login_as(client, agent)
    token = _token(client, ticket)
    number = theirs.number if theirs.number != ticket.number else theirs.number + 1000
    response = client.post(path.format(n=number), data={"csrf_token": token, "body": "x"})
    assert response.status_code == 404
