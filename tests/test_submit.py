"""The one way HTML views save (supportdesk.submit), through real views of each blueprint.

A form view: saved → one COMMIT, flash, redirect; refused by a rule → nothing written, the page
again with the error's status, the field's message and the agent's input; a bug (here a failing
subscriber) → nothing written and the 500 page with the request id. A button: the same, flashed
on the page it goes back to; an id of another organization is the 404 page.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from supportdesk import events
from supportdesk.accounts.models import Team, User
from supportdesk.console.forms import CustomerForm
from supportdesk.customers.models import Customer
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.submit import show_error
from supportdesk.tickets.models import Ticket
from supportdesk.tokens.models import ApiToken, Scope
from supportdesk.tokens.service import create_token
from tests.factories import PASSWORD, CustomerFactory, TeamFactory, UserFactory
from tests.fixtures import events as test_events
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _written(model, *columns) -> Callable[[Any], list]:
    """What a save writes: the given columns of `model`'s rows in the organization, sorted."""

    def read(org) -> list:
        db.session.expire_all()
        query = sa.select(*columns).where(model.organization_id == org.id)
        return sorted(tuple(row) for row in db.session.execute(query))

    return read


@dataclass
class FormCase:
    """One form: its page, what it saves, and an input a rule of the service refuses."""

    url: str
    good: dict[str, Any]
    saved: str  # the flash after the save
    refused: dict[str, Any]  # overrides of `good` that a rule refuses
    status: int  # the refusal's status
    field_message: str  # shown beside the field the refusal names
    kept: str | None  # a refused input the page shows again (password fields never are)
    written: Callable[[Any], list]


def _taken_customer(org) -> None:
    CustomerFactory(organization=org, email="taken@example.com")


def _taken_team(org) -> None:
    TeamFactory(organization=org, name="Billing")


def _taken_agent(org) -> None:
    UserFactory(organization=org, email="taken@example.com")


FORMS = [
    pytest.param(
        FormCase(
            url="/customers/new",
            good={"email": "zoe@example.com", "name": "Zoe Quist", "tier": "premium"},
            saved="Customer added.",
            refused={"email": "TAKEN@example.com", "name": "Kept Name"},
            status=409,  # a conflict with a stored customer, as the API answers
            field_message="This address belongs to another customer.",
            kept="Kept Name",
            written=_written(Customer, Customer.email, Customer.name),
        ),
        _taken_customer,
        id="console-customer",
    ),
    pytest.param(
        FormCase(
            url="/admin/teams/new",
            good={"name": "Refunds", "description": "Money back", "strategy": "manual"},
            saved="Team created.",
            refused={"name": "billing", "description": "Kept description"},
            status=422,
            field_message="Pick another name.",
            kept="Kept description",
            written=_written(Team, Team.name, Team.description),
        ),
        _taken_team,
        id="admin-team",
    ),
    pytest.param(
        FormCase(
            url="/admin/agents/new",
            good={
                "email": "new.agent@example.com",
                "name": "New Agent",
                "role": "agent",
                "password": "a long enough password",
            },
            saved="New Agent can now sign in as new.agent@example.com.",
            refused={"email": "taken@example.com", "name": "Kept Agent"},
            status=422,
            field_message="This address is already used by an agent.",
            kept="Kept Agent",
            written=_written(User, User.email, User.name, User.role),
        ),
        _taken_agent,
        id="admin-agent",
    ),
    pytest.param(
        FormCase(
            url="/account",
            good={
                "current_password": PASSWORD,
                "password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            },
            saved="Password changed. Your other sessions are signed out.",
            refused={"current_password": "not my password at all"},
            status=422,
            field_message="This is not your current password.",
            kept=None,
            written=_written(User, User.id, User.password_hash),
        ),
        lambda org: None,
        id="auth-password",
    ),
]


@pytest.mark.parametrize(("case", "setup"), FORMS)
def test_a_saved_form_commits_once_flashes_and_redirects(client, admin, org, case, setup):
    setup(org)
    db.session.commit()
    before = case.written(org)
    login_as(client, admin)
    token = csrf_token(client.get(case.url))

    response = client.post(case.url, data={"csrf_token": token, **case.good})

    assert response.status_code == 302
    assert case.written(org) != before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html.escape(case.saved) in page


@pytest.mark.parametrize(("case", "setup"), FORMS)
def test_a_refused_form_writes_nothing_and_comes_back_with_the_reasons(
    client, admin, org, case, setup
):
    setup(org)
    db.session.commit()
    before = case.written(org)
    login_as(client, admin)
    token = csrf_token(client.get(case.url))

    response = client.post(case.url, data={"csrf_token": token, **case.good, **case.refused})

    page = response.get_data(as_text=True)
    assert response.status_code == case.status
    assert html.escape(case.field_message) in page
    assert 'class="alert alert-error"' in page  # the error's sentence, flashed at the top
    if case.kept is not None:
        assert f'value="{html.escape(case.kept)}"' in page or f">{case.kept}<" in page
    assert case.written(org) == before


@pytest.mark.parametrize(("case", "setup"), FORMS)
def test_a_form_its_own_checks_refuse_runs_nothing_and_answers_422(client, admin, org, case, setup):
    setup(org)
    db.session.commit()
    before = case.written(org)
    login_as(client, admin)
    token = csrf_token(client.get(case.url))

    response = client.post(case.url, data={"csrf_token": token})

    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert case.written(org) == before


@pytest.mark.parametrize(
    ("url", "data", "written"),
    [
        pytest.param(
            "/customers/new",
            {"email": "zoe@example.com", "tier": "free"},
            _written(Customer, Customer.email),
            id="console-customer",
        ),
        pytest.param(
            "/tickets/new",
            {
                "customer_email": "zoe@example.com",
                "subject": "Printer on fire",
                "body": "It is on fire.",
                "priority": "high",
                "team_id": "0",
                "assignee_id": "0",
            },
            _written(Ticket, Ticket.subject),
            id="console-ticket",
        ),
    ],
)
def test_an_unexpected_error_rolls_back_and_shows_the_500_page_with_the_request_id(
    client, admin, org, monkeypatch, caplog, url, data, written
):
    login_as(client, admin)
    token = csrf_token(client.get(url))
    monkeypatch.setattr(events, "SUBSCRIBERS", (*events.SUBSCRIBERS, test_events.FAILING))

    with caplog.at_level(logging.ERROR):
        response = client.post(url, data={"csrf_token": token, **data})

    request_id = response.headers["X-Request-ID"]
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Nothing you entered was saved" in page
    assert f"<code>{request_id}</code>" in page
    assert written(org) == []
    [failed] = [r for r in caplog.records if getattr(r, "subscriber", None)]
    assert (failed.subscriber, failed.request_id) == (test_events.FAILING, request_id)
    assert isinstance(failed.exc_info[1], test_events.SubscriberBroke)


# -- buttons -----------------------------------------------------------------------------------


def _token_of(owner) -> ApiToken:
    token, _plain = create_token(owner, name="Script", scope=Scope.READ)
    return token


@pytest.mark.parametrize(
    ("page", "url", "saved"),
    [
        pytest.param(
            "/account/tokens",
            "/account/tokens/{id}/revoke",
            "Token &#39;Script&#39; revoked.",
            id="console-own-token",
        ),
        pytest.param(
            "/admin/tokens",
            "/admin/tokens/{id}/revoke",
            "Token &#39;Script&#39; of Ada Admin revoked.",
            id="admin-any-token",
        ),
    ],
)
def test_a_button_commits_flashes_and_redirects(client, admin, page, url, saved):
    token = _token_of(admin)
    db.session.commit()
    login_as(client, admin)

    response = client.post(
        url.format(id=token.id), data={"csrf_token": csrf_token(client.get(page))}
    )

    assert response.status_code == 302
    assert saved in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_a_refused_button_writes_nothing_and_says_why_on_the_page_it_returns_to(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/agents"))

    response = client.post(
        f"/admin/agents/{admin.id}/active", data={"csrf_token": token, "active": "0"}
    )

    assert response.headers["Location"].endswith("/admin/agents")
    assert "You cannot deactivate yourself." in client.get("/admin/agents").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


@pytest.mark.parametrize(
    ("page", "url"),
    [
        pytest.param("/account/tokens", "/account/tokens/{id}/revoke", id="console-own-token"),
        pytest.param("/admin/tokens", "/admin/tokens/{id}/revoke", id="admin-any-token"),
    ],
)
def test_a_button_on_another_organizations_row_is_a_404(client, admin, other_org, page, url):
    theirs = _token_of(UserFactory(organization=other_org))
    db.session.commit()
    login_as(client, admin)

    response = client.post(
        url.format(id=theirs.id), data={"csrf_token": csrf_token(client.get(page))}
    )

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_a_field_the_form_lacks_leaves_its_reason_to_the_flashed_message(app):
    with app.test_request_context(method="POST"):
        form = CustomerForm(meta={"csrf": False})
        show_error(form, ValidationFailed("Refused.", {"nowhere": "Lost?", "email": "Taken."}))
        assert list(form.email.errors) == ["Taken."]
        assert get_flashed_messages(with_categories=True) == [("error", "Refused.")]
