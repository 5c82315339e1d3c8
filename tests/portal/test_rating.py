"""Survey pages: a rating link's form records once (opening the link records nothing), the comment page saves once, foreign links fail."""

from __future__ import annotations

import re

import pytest

from supportdesk.extensions import db
from supportdesk.satisfaction import links
from supportdesk.satisfaction import service as satisfaction
from supportdesk.satisfaction.models import Rating
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from tests.fixtures.web import csrf_token

pytestmark = pytest.mark.integration


@pytest.fixture
def survey(org, agent, ticket):
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    return satisfaction.for_ticket(org.id, ticket.id)[0]


def _url(org, survey, rating=None) -> str:
    token = links.sign(survey.organization_id, survey.id)
    return f"/help/{org.slug}/portal/rate/{token}" + (f"/{rating}" if rating else "")


def _rate(client, org, survey, rating, chosen=None):
    """Open the rating link, then send its form (what the page's script does)."""
    page = client.get(_url(org, survey, rating))
    return client.post(
        _url(org, survey, rating),
        data={"csrf_token": csrf_token(page), "rating": chosen or rating},
    )


def test_opening_a_rating_link_records_nothing(client, org, survey):
    # Mail scanners open every link of a message: only the page's form answers the survey.
    page = client.get(_url(org, survey, "good"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Send my rating" in text
    assert re.search(r'<input checked[^>]*value="good"', text) and "data-send-on-load" in text
    db.session.expire_all()
    assert survey.rating is None


def test_sending_the_link_s_form_records_the_rating_and_offers_a_comment(client, org, survey):
    page = _rate(client, org, survey, "good")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Thank you for your rating!" in text
    assert 'name="comment"' in text
    db.session.expire_all()
    assert survey.rating is Rating.GOOD


def test_the_customer_may_pick_another_rating_on_the_page(client, org, survey):
    _rate(client, org, survey, "good", chosen="okay")
    db.session.expire_all()
    assert survey.rating is Rating.OKAY


def test_a_rating_form_without_its_csrf_token_records_nothing(client, org, survey):
    response = client.post(_url(org, survey, "bad"), data={"rating": "bad"})
    assert response.status_code == 400
    db.session.expire_all()
    assert survey.rating is None


def test_a_second_click_changes_nothing(client, org, survey):
    _rate(client, org, survey, "bad")
    page = client.get(_url(org, survey, "good"))
    assert "You rated this request already" in page.get_data(as_text=True)
    assert "You rated this request already" in _rate(client, org, survey, "good").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert survey.rating is Rating.BAD


def test_the_comment_page_saves_a_comment_once(client, org, survey):
    page = _rate(client, org, survey, "okay")
    saved = client.post(
        _url(org, survey),
        data={"csrf_token": csrf_token(page), "comment": "Fine <b>really</b>"},
        follow_redirects=True,
    )
    text = saved.get_data(as_text=True)
    assert "Thank you for your comment!" in text and "Fine &lt;b&gt;really&lt;/b&gt;" in text
    again = client.post(_url(org, survey), data={"csrf_token": csrf_token(page), "comment": "x"})
    assert again.status_code == 409


def test_an_empty_comment_is_a_field_error(client, org, survey):
    page = _rate(client, org, survey, "okay")
    response = client.post(_url(org, survey), data={"csrf_token": csrf_token(page), "comment": ""})
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)


def test_another_organization_s_address_refuses_the_link(client, org, other_org, survey):
    token = links.sign(org.id, survey.id)
    response = client.get(f"/help/{other_org.slug}/portal/rate/{token}/good")
    assert response.status_code == 410
    db.session.expire_all()
    assert survey.rating is None


@pytest.mark.parametrize("rating", ["great", "GOOD"])
def test_an_unknown_rating_records_nothing(client, org, survey, rating):
    assert client.get(_url(org, survey, rating)).status_code == 410
    assert _rate(client, org, survey, rating, chosen="good").status_code == 410
    db.session.expire_all()
    assert survey.rating is None
