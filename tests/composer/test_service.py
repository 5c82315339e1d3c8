"""supportdesk.composer.service and the reply/note rules it feeds: drafts, Cc, time, next ticket."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.composer import service as composer
from supportdesk.composer.models import ComposerDraft
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Status, TicketEvent
from supportdesk.tickets.queries import QueueFilter
from tests import factories


def test_a_draft_is_saved_updated_and_read_back_per_ticket_and_agent(agent, ticket, org):
    colleague = factories.UserFactory(organization=org)
    composer.save_draft(agent, ticket, mode="internal", body="first")
    composer.save_draft(agent, ticket, mode="public", body="second", cc="lee@x.example")
    composer.save_draft(colleague, ticket, mode="public", body="theirs")

    mine = composer.draft_for(agent, ticket)
    assert (mine.mode, mine.body, mine.cc) == ("public", "second", "lee@x.example")
    assert composer.draft_for(colleague, ticket).body == "theirs"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ComposerDraft)) == 2


def test_an_emptied_composer_deletes_the_draft(agent, ticket):
    composer.save_draft(agent, ticket, mode="public", body="something")
    assert composer.save_draft(agent, ticket, mode="public", body="   ") is None
    assert composer.draft_for(agent, ticket) is None


def test_sending_clears_the_draft(agent, ticket):
    composer.save_draft(agent, ticket, mode="public", body="draft")
    composer.clear_draft(agent, ticket)
    assert composer.draft_for(agent, ticket) is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param({"mode": "shout", "body": "x"}, "mode", id="unknown-mode"),
        pytest.param({"mode": "public", "body": "x" * 100_001}, "body", id="too-long"),
        pytest.param({"mode": "public", "body": "x", "cc": "a" * 2001}, "cc", id="cc-too-long"),
    ],
)
def test_a_bad_draft_is_refused_naming_the_field(agent, ticket, values, field):
    with pytest.raises(ValidationFailed) as refused:
        composer.save_draft(agent, ticket, **values)
    assert field in refused.value.fields


def test_a_viewer_keeps_no_drafts(viewer, ticket):
    with pytest.raises(PermissionDenied):
        composer.save_draft(viewer, ticket, mode="public", body="x")


def test_a_reply_with_cc_records_it_and_mails_one_email_with_cc(agent, ticket):
    message = tickets.reply(
        agent, ticket, "See **below**.", body_format="markdown", cc="Lee@Customer.example"
    )
    db.session.commit()
    assert (message.cc, message.body_html) == (
        "lee@customer.example",
        "<p>See <strong>below</strong>.</p>",
    )
    replied = db.session.scalar(sa.select(TicketEvent).where(TicketEvent.kind == EventKind.REPLIED))
    assert replied.data["cc"] == ["lee@customer.example"]
    [email] = db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.kind == Notification.AGENT_REPLIED.value)
    )
    assert email.cc == "lee@customer.example"
    assert "<strong>below</strong>" in email.html_body
    assert "See below." in email.text_body and "**" not in email.text_body


def test_time_is_recorded_only_when_the_organization_tracks_it(org, agent, ticket):
    with pytest.raises(ValidationFailed):
        tickets.add_note(agent, ticket, "looked", time_spent_minutes=10)
    org.time_tracking = True
    tickets.add_note(agent, ticket, "looked", time_spent_minutes=10)
    tickets.reply(agent, ticket, "answered", time_spent_minutes=25)
    senior = factories.UserFactory(organization=org, name="Sam Senior")
    tickets.add_note(senior, ticket, "reviewed", time_spent_minutes=5)
    tickets.add_note(senior, ticket, "no time given")
    db.session.flush()

    assert composer.time_totals(org.id, [ticket.id]) == {ticket.id: 40}
    assert [(u.name, m) for u, m in composer.agent_minutes(org.id, ticket.id)] == [
        ("Alex Agent", 35),
        ("Sam Senior", 5),
    ]


def test_time_totals_stay_inside_the_organization(org, other_org, agent, ticket):
    org.time_tracking = True
    tickets.add_note(agent, ticket, "looked", time_spent_minutes=10)
    assert composer.time_totals(other_org.id, [ticket.id]) == {}
    assert composer.agent_minutes(other_org.id, ticket.id) == []


def test_next_is_the_following_ticket_of_the_queue_then_wraps(org, agent):
    a, b, c = (factories.make_ticket(org, assignee=agent) for _ in range(3))
    by_number = QueueFilter(queue="mine", sort="number", descending=False)
    assert composer.next_ticket(agent, a, by_number) == b.number
    assert composer.next_ticket(agent, c, by_number) == a.number


def test_next_defaults_to_the_agents_own_open_tickets(org, agent):
    mine = factories.make_ticket(org, assignee=agent)
    factories.make_ticket(org)  # unassigned: not "mine"
    done = factories.make_ticket(org, assignee=agent, status=Status.RESOLVED)
    current = factories.make_ticket(org, assignee=agent)
    assert composer.next_ticket(agent, current, None) == mine.number
    assert composer.next_ticket(agent, mine, None) == current.number
    assert done.number not in (composer.next_ticket(agent, current, None),)


def test_next_is_none_when_nothing_else_is_waiting(org, agent):
    only = factories.make_ticket(org, assignee=agent)
    assert composer.next_ticket(agent, only, None) is None
