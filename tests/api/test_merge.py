"""POST /tickets/{number}/merge and /split: the survivor answers, the old number still reads
(closed, with `merged_into`), refusals name the field, versions are honoured, tenants stay apart."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.tickets import service
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def two(org, customer):
    return make_ticket(org, customer=customer, tags=["a"]), make_ticket(org, customer=customer)


def test_merge_answers_the_survivor_and_the_old_number_still_reads(api, two):
    target, source = two
    answer = api.post(
        f"/tickets/{source.number}/merge", json={"into": target.number, "version": source.version}
    )
    assert answer.status_code == 200, answer.get_json()
    survivor = answer.get_json()
    assert (survivor["number"], survivor["merged_into"]) == (target.number, None)
    assert answer.headers["ETag"] == f'"{survivor["version"]}"'

    old = api.get(f"/tickets/{source.number}")
    assert old.status_code == 200
    assert (old.get_json()["status"], old.get_json()["merged_into"]) == ("closed", target.number)
    messages = api.get(f"/tickets/{target.number}/messages").get_json()["data"]
    assert len(messages) == 2
    kinds = [e["kind"] for e in api.get(f"/tickets/{source.number}/events").get_json()["data"]]
    assert kinds[-1] == "merged_into"
    listed = api.get("/tickets", query_string={"status": "closed"}).get_json()["data"]
    assert [(t["number"], t["merged_into"]) for t in listed] == [(source.number, target.number)]


@pytest.mark.parametrize(
    ("into", "status", "code", "field"),
    [
        pytest.param("self", 409, "merge_refused", "into", id="into-itself"),
        pytest.param(99999, 404, "not_found", "into", id="unknown-number"),
        pytest.param("text", 422, "validation_failed", "into", id="not-a-number"),
    ],
)
def test_merge_refusals_name_the_field(api, two, into, status, code, field):
    _, source = two
    into = source.number if into == "self" else into
    answer = api.post(f"/tickets/{source.number}/merge", json={"into": into})
    assert answer.status_code == status
    error = answer.get_json()["error"]
    assert error["code"] == code and field in error["fields"]


def test_merge_with_a_stale_version_is_a_409_and_changes_nothing(api, two, agent):
    target, source = two
    stale = source.version
    service.reply(agent, source, "moved on")
    db.session.commit()
    answer = api.post(
        f"/tickets/{source.number}/merge", json={"into": target.number, "version": stale}
    )
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "stale_version"
    assert api.get(f"/tickets/{source.number}").get_json()["merged_into"] is None


def test_a_viewer_cannot_merge_or_split(api_as, viewer, two):
    target, source = two
    client = api_as(viewer)
    assert (
        client.post(f"/tickets/{source.number}/merge", json={"into": target.number}).status_code
        == 403
    )
    assert client.post(f"/tickets/{source.number}/split", json={"message_id": 1}).status_code == 403


def test_another_organizations_ticket_is_a_404(api, api_as, two, other_org):
    target, source = two
    theirs = make_ticket(other_org)
    stranger = api_as(UserFactory(organization=other_org))
    db.session.commit()
    assert stranger.post(
        f"/tickets/{theirs.number}/merge", json={"into": source.number}
    ).status_code in (404, 409)
    assert api.get(f"/tickets/{source.number}").get_json()["merged_into"] is None
    # Our number in their organization is their ticket or none; never ours.
    answer = api.post(f"/tickets/{source.number}/merge", json={"into": 424242})
    assert answer.status_code == 404


def test_split_answers_the_new_ticket(api, org, customer, agent):
    ticket = make_ticket(org, customer=customer)
    message = service.customer_reply(ticket, customer, "Also: the refund for order 4411")
    db.session.commit()
    answer = api.post(
        f"/tickets/{ticket.number}/split",
        json={"message_id": message.id, "version": ticket.version},
    )
    assert answer.status_code == 201, answer.get_json()
    new = answer.get_json()
    assert answer.headers["Location"] == f"/api/v1/tickets/{new['number']}"
    assert new["subject"] == "Also: the refund for order 4411"
    assert new["customer"]["id"] == customer.id
    moved = api.get(f"/tickets/{new['number']}/messages").get_json()["data"]
    assert [m["id"] for m in moved] == [message.id]


def test_splitting_a_message_of_another_ticket_is_a_404(api, org, customer):
    one, two = make_ticket(org, customer=customer), make_ticket(org, customer=customer)
    message = service.customer_reply(one, customer, "mine")
    db.session.commit()
    answer = api.post(f"/tickets/{two.number}/split", json={"message_id": message.id})
    assert answer.status_code == 404


def test_a_merged_ticket_takes_no_more_messages(api, two):
    target, source = two
    api.post(f"/tickets/{source.number}/merge", json={"into": target.number})
    answer = api.post(f"/tickets/{source.number}/messages", json={"body": "Hello?"})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "ticket_merged"
    assert len(api.get(f"/tickets/{source.number}/messages").get_json()["data"]) == 0
