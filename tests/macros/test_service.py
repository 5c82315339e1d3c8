"""Canned replies and macros: role checks, tenancy, placeholder checks, and `apply_macro`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.errors import Conflict, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.macros import queries, service
from supportdesk.macros.queries import CannedReplyNotFound, MacroNotFound
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.submit import commit
from supportdesk.tickets.errors import InvalidTransition, StaleTicket
from supportdesk.tickets.models import (
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    TicketEvent,
    TicketTag,
)
from supportdesk.webhooks.models import WebhookDelivery
from tests import factories
from tests.fixtures.webhooks import make_endpoint

pytestmark = pytest.mark.integration


def _events(ticket) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    )


def _tags(ticket) -> list[str]:
    query = (
        sa.select(TicketTag.name).where(TicketTag.ticket_id == ticket.id).order_by(TicketTag.name)
    )
    return list(db.session.scalars(query))


# -- canned replies --------------------------------------------------------------------------


def test_an_agent_keeps_personal_replies_that_colleagues_do_not_see(org, agent, senior_agent):
    mine = service.create_reply(agent, title="My refund text", body="Refunded.")
    assert mine.owner_id == agent.id and not mine.shared
    assert [r.id for r in queries.list_replies(org.id, agent.id)] == [mine.id]
    assert queries.list_replies(org.id, senior_agent.id) == []
    with pytest.raises(CannedReplyNotFound):
        service.update_reply(senior_agent, mine.id, title="x", body="y", shared=False)
    with pytest.raises(CannedReplyNotFound):
        service.delete_reply(senior_agent, mine.id)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        pytest.param("viewer", False, id="viewer"),
        pytest.param("agent", False, id="agent"),
        pytest.param("senior_agent", True, id="senior"),
        pytest.param("admin", True, id="admin"),
    ],
)
def test_shared_replies_are_written_by_senior_agents_and_admins(request, org, role, allowed):
    user = request.getfixturevalue(role)
    if not allowed:
        with pytest.raises(PermissionDenied):
            service.create_reply(user, title="Refund", body="Done.", shared=True)
        return
    reply = service.create_reply(user, title="Refund", body="Done.", shared=True)
    assert reply.shared


def test_an_agent_uses_but_cannot_change_or_delete_a_shared_reply(org, agent, senior_agent):
    shared = service.create_reply(senior_agent, title="Refund", body="Done.", shared=True)
    assert queries.get_reply(org.id, agent.id, shared.id) is shared
    with pytest.raises(PermissionDenied):
        service.update_reply(agent, shared.id, title="Mine now", body="Done.", shared=True)
    with pytest.raises(PermissionDenied):
        service.delete_reply(agent, shared.id)
    mine = service.create_reply(agent, title="Mine", body="Hi.")
    with pytest.raises(PermissionDenied):
        service.update_reply(agent, mine.id, title="Mine", body="Hi.", shared=True)


def test_a_viewer_keeps_no_replies(viewer):
    with pytest.raises(PermissionDenied):
        service.create_reply(viewer, title="Mine", body="Hi.")


def test_another_organizations_reply_is_not_found(org, other_org, agent):
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    theirs = service.create_reply(stranger, title="Refund", body="Done.", shared=True)
    assert queries.list_replies(org.id, agent.id) == []
    with pytest.raises(CannedReplyNotFound):
        queries.get_reply(org.id, agent.id, theirs.id)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"title": " ", "body": "x"}, "title", id="blank-title"),
        pytest.param({"title": "t" * 201, "body": "x"}, "title", id="long-title"),
        pytest.param({"title": "t", "body": "  "}, "body", id="blank-body"),
        pytest.param({"title": "t", "body": "Hi {{ customer.nickname }}"}, "body", id="unknown"),
        pytest.param({"title": "t", "body": "{{ ''.__class__ }}"}, "body", id="unsafe"),
    ],
)
def test_a_reply_that_breaks_a_rule_is_a_field_error(agent, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        service.create_reply(agent, **fields)
    assert field in refused.value.fields


def test_search_matches_every_word_in_title_or_text_case_insensitively(org, agent, senior_agent):
    refund = service.create_reply(
        senior_agent, title="Refund approved", body="Money back.", shared=True
    )
    late = service.create_reply(agent, title="Delivery late", body="Your REFUND is on its way.")
    service.create_reply(agent, title="Password reset", body="Use the link.")
    found = queries.list_replies(org.id, agent.id, q="refund")
    assert [r.id for r in found] == [late.id, refund.id]  # by title
    assert [r.id for r in queries.list_replies(org.id, agent.id, q="refund money")] == [refund.id]
    assert queries.list_replies(org.id, agent.id, q="100%_") == []


# -- macros: managing them -------------------------------------------------------------------


def test_agents_cannot_manage_macros_senior_agents_can(agent, senior_agent):
    with pytest.raises(PermissionDenied):
        service.create_macro(agent, name="Close")
    macro = service.create_macro(senior_agent, name="Close", status="closed")
    with pytest.raises(PermissionDenied):
        service.update_macro(agent, macro.id, name="Shut")
    with pytest.raises(PermissionDenied):
        service.delete_macro(agent, macro.id)
    service.delete_macro(senior_agent, macro.id)


def test_macro_names_are_unique_per_organization(org, other_org, admin):
    service.create_macro(admin, name="Refund approved")
    with pytest.raises(Conflict) as refused:
        service.create_macro(admin, name="refund APPROVED")
    assert "name" in refused.value.fields
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    service.create_macro(stranger, name="Refund approved")


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        pytest.param({"name": ""}, "name", ValidationFailed, id="no-name"),
        pytest.param({"reply_body": "{{ agent.email }}"}, "reply_body", ValidationFailed, id="ph"),
        pytest.param({"add_tags": ["not a tag!"]}, "add_tags", ValidationFailed, id="add-tag"),
        pytest.param({"remove_tags": "%%"}, "remove_tags", ValidationFailed, id="remove-tag"),
        pytest.param({"assignee_id": 2_000_000_000}, "assignee", UnknownReference, id="agent"),
        pytest.param({"team_id": 2_000_000_000}, "team", UnknownReference, id="team"),
    ],
)
def test_a_macro_that_breaks_a_rule_is_a_field_error(admin, values, field, error):
    with pytest.raises(error) as refused:
        service.create_macro(admin, **{"name": "M", **values})
    assert field in refused.value.fields


def test_a_macro_cannot_name_another_organizations_agent_or_team(admin, other_org):
    stranger = factories.UserFactory(organization=other_org)
    team = factories.TeamFactory(organization=other_org)
    with pytest.raises(UnknownReference):
        service.create_macro(admin, name="M", assignee_id=stranger.id)
    with pytest.raises(UnknownReference):
        service.create_macro(admin, name="M", team_id=team.id)


# -- applying a macro ------------------------------------------------------------------------


@pytest.fixture
def refund_macro(org, admin, senior_agent):
    team = factories.TeamFactory(organization=org, name="Billing")
    return service.create_macro(
        admin,
        name="Refund approved",
        reply_body="Hi {{ customer.first_name }}, your refund for #{{ ticket.number }} is on "
        "its way.\n{{ agent.name }}, {{ organization.name }}",
        reply_kind="public",
        status="pending",
        priority="high",
        assignee_id=senior_agent.id,
        team_id=team.id,
        add_tags=["refund", "billing"],
        remove_tags=["new"],
    )


def test_applying_a_macro_makes_every_change_as_one_group(
    org, agent, senior_agent, customer, refund_macro, published
):
    customer.name = "Aisha Bianchi"
    ticket = factories.make_ticket(org, customer=customer, tags="new, vip")
    endpoint = make_endpoint(org, "https://hooks.example/in")
    before = len(_events(ticket))

    applied = service.apply_macro(ticket, refund_macro, agent, expected_version=ticket.version)
    commit()

    assert (ticket.status, ticket.priority) == (Status.PENDING, Priority.HIGH)
    assert ticket.assignee_id == senior_agent.id and ticket.team_id == refund_macro.team_id
    assert _tags(ticket) == ["billing", "refund", "vip"]
    assert applied.message.kind is MessageKind.PUBLIC
    assert applied.message.body_text == (
        f"Hi Aisha, your refund for #{ticket.number} is on its way.\nAlex Agent, {org.name}"
    )
    new = _events(ticket)[before:]
    head = [e for e in new if e.kind is EventKind.MACRO]
    assert [(e.new_value, e.actor_user_id) for e in head] == [("Refund approved", agent.id)]
    kinds = sorted(e.kind.value for e in new)
    assert kinds == sorted(["macro", "status", "priority", "assignee", "team", "tags", "replied"])
    assert {e.data["macro"]["run"] for e in new} == {applied.run}
    assert all(e.data["macro"]["id"] == refund_macro.id for e in new)
    # The single actions' side effects: the reply mailed to the customer, the new assignee
    # told, webhooks queued.
    kinds_mailed = set(
        db.session.scalars(sa.select(EmailMessage.kind).where(EmailMessage.ticket_id == ticket.id))
    )
    assert {"agent_replied", "ticket_assigned"} <= kinds_mailed
    types = set(
        db.session.scalars(
            sa.select(WebhookDelivery.event_type).where(WebhookDelivery.endpoint_id == endpoint.id)
        )
    )
    assert {"ticket.updated", "ticket.assigned", "message.created"} <= types


def test_a_note_macro_writes_an_internal_note(org, admin, agent, ticket):
    macro = service.create_macro(
        admin, name="Flag", reply_body="Checked by {{ agent.first_name }}."
    )
    applied = service.apply_macro(ticket, macro, agent)
    assert applied.message.kind is MessageKind.INTERNAL
    assert applied.message.body_text == "Checked by Alex."


def _nothing_changed(ticket, before_events: int, before_messages: int) -> None:
    db.session.rollback()
    assert len(_events(ticket)) == before_events
    count = sa.select(sa.func.count()).select_from(Message).where(Message.ticket_id == ticket.id)
    assert db.session.scalar(count) == before_messages


def test_a_transition_the_ticket_refuses_applies_nothing(org, admin, agent, customer):
    ticket = factories.make_ticket(org, customer=customer, status=Status.CLOSED, tags="vip")
    macro = service.create_macro(
        admin, name="Wait", reply_body="We wait.", status="pending", add_tags=["waiting"]
    )
    commit()
    with pytest.raises(InvalidTransition) as refused:
        service.apply_macro(ticket, macro, agent)
    assert "status" in refused.value.fields
    _nothing_changed(ticket, 1, 1)
    assert _tags(ticket) == ["vip"] and ticket.status is Status.CLOSED


def test_a_stale_version_applies_nothing(admin, agent, ticket):
    macro = service.create_macro(admin, name="Hi", reply_body="Hello.", priority="low")
    commit()
    with pytest.raises(StaleTicket):
        service.apply_macro(ticket, macro, agent, expected_version=ticket.version - 1)
    _nothing_changed(ticket, 1, 1)


def test_an_assignee_who_left_refuses_the_macro_before_any_change(org, admin, agent, ticket):
    leaving = factories.UserFactory(organization=org)
    macro = service.create_macro(admin, name="To Lee", reply_body="Hi.", assignee_id=leaving.id)
    leaving.active = False
    commit()
    with pytest.raises(Conflict):
        service.apply_macro(ticket, macro, agent)
    _nothing_changed(ticket, 1, 1)


def test_too_many_tags_refuse_the_macro(org, admin, agent, customer):
    ticket = factories.make_ticket(org, customer=customer, tags=[f"t{i}" for i in range(19)])
    macro = service.create_macro(admin, name="Tags", add_tags=["a1", "a2"])
    with pytest.raises(ValidationFailed) as refused:
        service.apply_macro(ticket, macro, agent)
    assert "tags" in refused.value.fields


def test_a_viewer_cannot_apply_a_macro(admin, viewer, ticket):
    macro = service.create_macro(admin, name="Hi", priority="low")
    with pytest.raises(PermissionDenied):
        service.apply_macro(ticket, macro, viewer)


def test_reopening_a_closed_ticket_by_macro_needs_a_senior_agent(org, admin, agent, senior_agent):
    ticket = factories.make_ticket(org, status=Status.CLOSED)
    macro = service.create_macro(admin, name="Reopen", status="open")
    with pytest.raises(PermissionDenied):
        service.apply_macro(ticket, macro, agent)
    service.apply_macro(ticket, macro, senior_agent)
    assert ticket.status is Status.OPEN


def test_another_organizations_macro_is_not_found(org, other_org, agent, ticket):
    stranger = factories.UserFactory(organization=other_org, role=factories.Role.ADMIN)
    theirs = service.create_macro(stranger, name="Theirs", priority="low")
    with pytest.raises(MacroNotFound):
        service.apply_macro(ticket, theirs, agent)
    with pytest.raises(MacroNotFound):
        queries.get_macro(org.id, theirs.id)


def test_a_text_the_placeholders_make_too_long_refuses_the_macro_before_any_change(
    org, admin, agent, customer
):
    ticket = factories.make_ticket(org, customer=customer, subject="s" * 300)
    body = "x" * (service.MAX_BODY - 30) + "{{ ticket.subject }}"
    macro = service.create_macro(admin, name="Long", reply_body=body, priority="low")
    commit()
    with pytest.raises(ValidationFailed) as refused:
        service.apply_macro(ticket, macro, agent)
    assert "reply_body" in refused.value.fields
    _nothing_changed(ticket, 1, 1)
