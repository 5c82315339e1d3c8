"""Satisfaction surveys: one per resolution when switched on, in the resolution email or after the
delay, rated once by a signed link of its own organization, one comment; history and webhook."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from supportdesk.accounts.resets import LinkInvalid
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import SATISFACTION_SURVEY, EmailMessage
from supportdesk.satisfaction import links
from supportdesk.satisfaction import service as satisfaction
from supportdesk.satisfaction.models import Rating, SatisfactionRating
from supportdesk.selfservice import service as selfservice
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Status, TicketEvent
from tests.fixtures.webhooks import deliveries, make_endpoint, payload

LINK = re.compile(r"https?://\S+/help/[\w-]+/portal/rate/([\w.-]+)/(good|okay|bad)")


def _settings(admin, **values):
    base = {"company_tickets": False, "contact_form": True, "csat_enabled": True}
    selfservice.update_settings(admin, **{**base, "csat_delay_hours": 0, **values})
    db.session.flush()


def _resolve(agent, ticket):
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()


def _surveys(ticket) -> list[SatisfactionRating]:
    return satisfaction.for_ticket(ticket.organization_id, ticket.id)


def _mail(ticket, kind: str) -> EmailMessage:
    return db.session.scalars(
        sa.select(EmailMessage)
        .where(EmailMessage.ticket_id == ticket.id, EmailMessage.kind == kind)
        .order_by(EmailMessage.id.desc())
    ).first()


def test_the_resolution_email_carries_three_signed_rating_links(org, agent, ticket):
    _resolve(agent, ticket)
    [survey] = _surveys(ticket)
    assert survey.sent_at is not None and survey.customer_id == ticket.customer_id
    email = _mail(ticket, "ticket_resolved")
    found = LINK.findall(email.text_body)
    assert [rating for _, rating in found] == ["good", "okay", "bad"]
    assert links.survey_id_from(org.id, found[0][0]) == survey.id
    assert "How did we do?" in email.html_body


def test_no_survey_when_the_organization_switched_it_off(org, admin, agent, ticket):
    _settings(admin, csat_enabled=False)
    _resolve(agent, ticket)
    assert _surveys(ticket) == []
    assert not LINK.search(_mail(ticket, "ticket_resolved").text_body)


def test_a_delayed_survey_is_mailed_by_the_sweep_once_due(org, admin, agent, ticket):
    _settings(admin, csat_delay_hours=24)
    _resolve(agent, ticket)
    [survey] = _surveys(ticket)
    assert survey.sent_at is None and not LINK.search(_mail(ticket, "ticket_resolved").text_body)
    assert satisfaction.send_due_surveys() == 0  # not due yet
    survey.send_after = survey.send_after - dt.timedelta(hours=25)
    db.session.flush()
    assert satisfaction.send_due_surveys() == 1
    db.session.commit()
    email = _mail(ticket, SATISFACTION_SURVEY)
    assert email is not None
    assert len(LINK.findall(email.text_body)) == 3 and survey.sent_at is not None


def test_a_delayed_survey_of_a_reopened_ticket_is_dropped(org, admin, agent, ticket):
    _settings(admin, csat_delay_hours=1)
    _resolve(agent, ticket)
    tickets.customer_reply(ticket, ticket.customer, "No")
    db.session.commit()
    [survey] = _surveys(ticket)
    survey.send_after = survey.send_after - dt.timedelta(hours=2)
    db.session.flush()
    satisfaction.send_due_surveys()
    db.session.commit()
    assert _surveys(ticket) == [] and _mail(ticket, SATISFACTION_SURVEY) is None


@pytest.fixture
def token(org, agent, ticket) -> str:
    _resolve(agent, ticket)
    return links.sign(org.id, _surveys(ticket)[0].id)


def test_a_rating_is_recorded_once_with_history_and_webhook(org, agent, ticket, token):
    make_endpoint(org, "http://127.0.0.1:9/hooks")
    survey = satisfaction.rate(org.id, token, "good")
    db.session.commit()
    assert survey.rating is Rating.GOOD and survey.rated_at is not None
    with pytest.raises(satisfaction.AlreadyRated):
        satisfaction.rate(org.id, token, "bad")
    db.session.rollback()
    event = db.session.scalars(
        sa.select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.RATED
        )
    ).one()
    assert (event.actor_customer_id, event.new_value, event.data["rating"]) == (
        ticket.customer_id,
        "Good",
        "good",
    )
    rated = [payload(d) for d in deliveries() if d.event_type == "ticket.rated"]
    assert [p["data"]["rating"]["rating"] for p in rated] == ["good"]
    assert rated[0]["data"]["ticket"]["number"] == ticket.number


def test_a_comment_is_added_once_after_the_rating(org, ticket, token):
    with pytest.raises(Exception, match="rating first"):
        satisfaction.comment(org.id, token, "Great")
    satisfaction.rate(org.id, token, "okay")
    survey = satisfaction.comment(org.id, token, "  Quick, but took two tries  ")
    db.session.commit()
    assert survey.comment == "Quick, but took two tries"
    with pytest.raises(satisfaction.AlreadyRated):
        satisfaction.comment(org.id, token, "Again")


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_long_comment_is_a_field_error(org, token, text):
    satisfaction.rate(org.id, token, "bad")
    with pytest.raises(Exception) as refused:
        satisfaction.comment(org.id, token, text)
    assert refused.value.fields.keys() == {"comment"}


def test_another_organization_s_link_never_works(org, other_org, token):
    with pytest.raises(LinkInvalid):
        satisfaction.rate(other_org.id, token, "good")


@pytest.mark.parametrize("bad", ["", "garbage", "a.b.c"])
def test_a_forged_link_is_refused(org, token, bad):
    with pytest.raises(LinkInvalid):
        satisfaction.rate(org.id, bad, "good")


def test_an_expired_link_is_refused(app, org, token, monkeypatch):
    monkeypatch.setitem(app.config, "CSAT_LINK_DAYS", -1)
    with pytest.raises(LinkInvalid, match="expired"):
        satisfaction.rate(org.id, token, "good")


def test_an_unknown_rating_is_a_field_error(org, token):
    with pytest.raises(Exception) as refused:
        satisfaction.rate(org.id, token, "amazing")
    assert "rating" in refused.value.fields
