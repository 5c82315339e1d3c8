"""The console's merge and split: choose, confirm both tickets, merge against the versions shown;
split a message with a subject. Viewers are refused; other organizations' tickets are 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.merge import merge
from supportdesk.tickets.models import Message, Status, Ticket
from tests.factories import CustomerFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


@pytest.fixture
def two(org, customer):
    target = make_ticket(org, customer=customer, subject="Printer on fire")
    source = make_ticket(org, customer=customer, subject="Printer still on fire")
    db.session.commit()
    return target, source


def _ticket(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


def test_the_choice_page_offers_the_customers_other_open_tickets(client, agent, two):
    target, source = two
    login_as(client, agent)
    page = client.get(f"/tickets/{source.number}/merge")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Merge ticket #{source.number} into…" in text
    assert f"/tickets/{source.number}/merge?into={target.number}" in text


@pytest.mark.parametrize(
    ("into", "words"),
    [
        pytest.param("999999", "There is no ticket #999999.", id="unknown"),
        pytest.param("self", "That is this ticket", id="itself"),
        pytest.param("abc", "", id="not-a-number"),
    ],
)
def test_a_bad_choice_stays_on_the_choice_page_with_the_field_error(
    client, agent, two, into, words
):
    _, source = two
    login_as(client, agent)
    into = str(source.number) if into == "self" else into
    page = client.get(f"/tickets/{source.number}/merge", query_string={"into": into})
    text = page.get_data(as_text=True)
    assert f"Merge ticket #{source.number} into…" in text
    assert words in text
    assert page.status_code == (422 if words else 200)


def test_confirming_merges_and_lands_on_the_survivor(client, agent, two):
    target, source = two
    login_as(client, agent)
    page = client.get(f"/tickets/{source.number}/merge", query_string={"into": f"#{target.number}"})
    text = page.get_data(as_text=True)
    assert f"Merge #{source.number} into #{target.number}?" in text
    assert "Printer on fire" in text and "Printer still on fire" in text

    answer = client.post(
        f"/tickets/{source.number}/merge",
        data={
            "csrf_token": csrf_token(page),
            "into": target.number,
            "version": source.version,
            "into_version": target.version,
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/tickets/{target.number}")
    assert _ticket(source.id).merged_into_id == target.id
    survivor = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"was merged into #{target.number}" in survivor
    old = client.get(f"/tickets/{source.number}").get_data(as_text=True)
    assert "This ticket was merged into" in old and f'href="/tickets/{target.number}"' in old


def test_a_stale_confirmation_is_shown_again_with_the_current_versions(client, agent, two):
    target, source = two
    login_as(client, agent)
    page = client.get(f"/tickets/{source.number}/merge", query_string={"into": target.number})
    stale = source.version
    service.reply(agent, source, "moved on")
    db.session.commit()
    answer = client.post(
        f"/tickets/{source.number}/merge",
        data={
            "csrf_token": csrf_token(page),
            "into": target.number,
            "version": stale,
            "into_version": target.version,
        },
    )
    assert answer.status_code == 409
    text = answer.get_data(as_text=True)
    assert "changed by someone else" in text
    assert f'name="version" type="hidden" value="{_ticket(source.id).version}"' in text
    assert _ticket(source.id).merged_into_id is None


def test_a_merge_into_another_customer_warns_first(client, agent, org, two):
    target, _ = two
    other = make_ticket(org, customer=CustomerFactory(organization=org))
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{other.number}/merge", query_string={"into": target.number})
    assert "The customers differ." in page.get_data(as_text=True)


def test_viewers_are_refused_and_offered_nothing(client, viewer, two):
    target, source = two
    login_as(client, viewer)
    assert client.get(f"/tickets/{source.number}/merge").status_code == 403
    assert client.post(
        f"/tickets/{source.number}/merge", data={"into": target.number}
    ).status_code in (
        400,
        403,
    )
    text = client.get(f"/tickets/{source.number}").get_data(as_text=True)
    assert "Merge into another ticket" not in text and "Split into a new ticket" not in text


def test_another_organizations_ticket_is_a_404(client, agent, other_org, two):
    theirs = make_ticket(other_org)
    db.session.commit()
    login_as(client, agent)
    assert (
        client.get(f"/tickets/{two[1].number}/merge?into={theirs.number + 1000}").status_code == 422
    )
    message_id = db.session.scalar(sa.select(Message.id).where(Message.ticket_id == theirs.id))
    assert client.get(f"/tickets/{two[1].number}/messages/{message_id}/split").status_code == 404


def test_splitting_a_message_opens_the_new_ticket(client, agent, two, customer):
    _, ticket = two
    message = service.customer_reply(ticket, customer, "Separate issue: the toner order")
    db.session.commit()
    login_as(client, agent)
    shown = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    split_url = f"/tickets/{ticket.number}/messages/{message.id}/split"
    assert split_url in shown

    page = client.get(split_url)
    assert page.status_code == 200
    assert 'value="Separate issue: the toner order"' in page.get_data(as_text=True)
    answer = client.post(
        split_url,
        data={"csrf_token": csrf_token(page), "subject": "Toner order", "version": ticket.version},
    )
    assert answer.status_code == 302
    new = db.session.scalar(sa.select(Ticket).where(Ticket.subject == "Toner order"))
    assert answer.headers["Location"].endswith(f"/tickets/{new.number}")
    moved = sa.select(Message.ticket_id).where(Message.id == message.id)
    assert db.session.scalar(moved) == new.id


def test_a_closed_merged_ticket_offers_no_merge_or_split(client, agent, two):
    target, source = two
    merge(agent, source, target)
    db.session.commit()
    login_as(client, agent)
    text = client.get(f"/tickets/{source.number}").get_data(as_text=True)
    assert _ticket(source.id).status is Status.CLOSED
    assert "Merge into another ticket" not in text


def test_a_customer_without_other_tickets_is_pointed_to_search(client, agent, ticket):
    login_as(client, agent)
    text = client.get(f"/tickets/{ticket.number}/merge").get_data(as_text=True)
    assert "They have no other open ticket." in text and 'href="/search"' in text


def test_a_merged_ticket_sends_replies_to_the_survivor_not_its_own_composer(client, agent, two):
    target, source = two
    merge(agent, source, target)
    db.session.commit()
    login_as(client, agent)
    text = client.get(f"/tickets/{source.number}").get_data(as_text=True)
    assert "Send reply to customer" not in text
    assert "its conversation continues there" in text
