"""Forms' lazy strings (`i18n.lazy_gettext`, imported as `_l`): translated when used, in the
page's language, through the page's catalog rather than Flask-Babel's lookup at every use."""

from __future__ import annotations

import flask_babel
import pytest
from flask import json
from flask_babel import force_locale
from markupsafe import Markup, escape

from supportdesk.auth.forms import ChangePasswordForm, LoginForm
from supportdesk.i18n import gettext, lazy_gettext
from supportdesk.sessions.policy import REMEMBER_DAYS
from supportdesk.tickets.models import Priority
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import login_as


@pytest.mark.parametrize(
    ("language", "password", "remember"),
    [
        ("de", "Passwort", f"{REMEMBER_DAYS} Tage lang angemeldet bleiben"),
        ("en", "Password", f"Keep me signed in for {REMEMBER_DAYS} days"),
    ],
)
def test_a_lazy_string_speaks_the_language_it_is_used_in(app, language, password, remember):
    label = lazy_gettext("Password")
    with app.test_request_context("/"), force_locale(language):
        assert str(label) == password
        assert label == password
        assert str(lazy_gettext("Keep me signed in for %(days)s days", days=REMEMBER_DAYS)) == (
            remember
        )
        assert gettext("Password") == password


def test_a_forced_locale_is_followed_and_left(app):
    label = lazy_gettext("Password")
    with app.test_request_context("/"), force_locale("en"):
        assert str(label) == "Password"
        with force_locale("de"):
            assert str(label) == "Passwort"
        assert str(label) == "Password"


def test_a_lazy_string_works_as_a_string(app):
    label = lazy_gettext("Password")
    with app.test_request_context("/"), force_locale("de"):
        assert label + ":" == "Passwort:"
        assert "> " + label == "> Passwort"
        assert "%s!" % label == "Passwort!"  # noqa: UP031  (what a validator message does)
        assert len(label) == len("Passwort")
        assert label.upper() == "PASSWORT"
        assert escape(label) == Markup("Passwort")
        assert json.dumps({"label": label}) == '{"label": "Passwort"}'
        assert f"{label}" == "Passwort"
        assert lazy_gettext("100%% of %(n)s") % {"n": 3} == "100% of 3"
    # Outside any app context: the msgid, as Flask-Babel answers there.
    assert str(label) == "Password"


def test_form_labels_and_validator_messages_are_translated(app):
    with app.test_request_context("/", method="POST"), force_locale("de"):
        form = LoginForm(formdata=None, meta={"csrf": False})
        assert "Passwort</label>" in str(form.password.label)
        assert f"{REMEMBER_DAYS} Tage lang" in str(form.remember.label)
        change = ChangePasswordForm(
            data={"current_password": "a", "password": "b", "confirm_password": "c"},
            meta={"csrf": False},
        )
        assert not change.validate()
        assert change.confirm_password.errors == ["Die beiden Eingaben stimmen nicht überein."]


@pytest.fixture
def catalog_lookups(monkeypatch):
    """Counts Flask-Babel's catalog lookups (its `get_translations`, behind its `gettext`)."""
    calls = []
    original = flask_babel.Domain.get_translations

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    return calls


@pytest.mark.parametrize(("language", "label"), [("de", "Betreff"), ("en", "Subject")])
def test_the_ticket_page_s_form_labels_take_one_catalog_lookup(
    client, org, catalog_lookups, language, label
):
    agent = UserFactory(organization=org, language=language)
    ticket = make_ticket(org, subject="Printer", priority=Priority.HIGH)
    login_as(client, agent)
    assert client.get(f"/tickets/{ticket.number}").status_code == 200  # templates compiled
    catalog_lookups.clear()
    page = client.get(f"/tickets/{ticket.number}")
    assert page.status_code == 200
    assert f">{label}</label>" in page.get_data(as_text=True)
    # The page's catalog, fetched once for the request (was one lookup per label and choice).
    assert len(catalog_lookups) <= 1
