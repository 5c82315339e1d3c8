"""API: GET /tickets/{number}/satisfaction — the ticket's surveys and ratings, per organization."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.satisfaction import links
from supportdesk.satisfaction import service as satisfaction
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from supportdesk.tokens.models import Scope
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.integration


def _rated(org, agent, ticket, rating="bad", comment=""):
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    token = links.sign(org.id, satisfaction.for_ticket(org.id, ticket.id)[0].id)
    satisfaction.rate(org.id, token, rating)
    if comment:
        satisfaction.comment(org.id, token, comment)
    db.session.commit()


def test_the_rating_and_comment_are_in_the_api(api, org, agent, ticket):
    _rated(org, agent, ticket, "bad", "Took a week")
    body = api.get(f"/tickets/{ticket.number}/satisfaction").get_json()
    [survey] = body["data"]
    assert (survey["rating"], survey["comment"]) == ("bad", "Took a week")
    assert survey["rated_at"] and survey["sent_at"]


def test_an_unrated_survey_reads_null(api, org, agent, ticket):
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    [survey] = api.get(f"/tickets/{ticket.number}/satisfaction").get_json()["data"]
    assert survey["rating"] is None and survey["comment"] == ""


def test_a_read_only_token_may_read_it(api_as, viewer, ticket):
    assert (
        api_as(viewer, Scope.READ).get(f"/tickets/{ticket.number}/satisfaction").status_code == 200
    )


def test_another_organization_s_ticket_is_a_404(api_as, other_org, org, agent, ticket):
    _rated(org, agent, ticket)
    outsider = UserFactory(organization=other_org)
    make_ticket(other_org)
    response = api_as(outsider).get(f"/tickets/{ticket.number + 1000}/satisfaction")
    assert response.status_code == 404
    own = api_as(outsider).get(f"/tickets/{ticket.number}/satisfaction")
    assert own.status_code == 404 or own.get_json()["data"] == []


def test_anonymous_requests_are_refused(anonymous, ticket):
    assert anonymous.get(f"/tickets/{ticket.number}/satisfaction").status_code == 401
