"""Templates loaded during a request are compiled once per language, their constant strings
translated then (supportdesk.templating): same output as `_()` at render, no lookup per render."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import force_locale
from jinja2 import ChoiceLoader, DictLoader, pass_context

from supportdesk import i18n
from supportdesk.tickets.models import Priority
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import login_as

TEMPLATES = {
    "t/plain.html": "<p>{{ _('Sign out') }}|{{ gettext('a <i>') }}|{{ _('100%%') }}</p>",
    "t/plain.txt": "{{ _('Sign out') }}|{{ _('Error %(status)s', status='<b>') }}",
    "t/values.html": (
        "{{ _('Error %(status)s', status=value) }}|{{ _('100%% of %(n)s', n=value) }}|"
        "{{ _('Not found', unused=value) }}"
    ),
    "t/in_expression.html": "{% set title = _('Sign out') %}{{ title }}|{{ _('Sign out')|upper }}",
    "t/child.html": (
        "{% extends 't/base.html' %}{% block body %}{{ _('Not found') }}"
        "{% include 't/included.html' %}{% endblock %}"
    ),
    "t/base.html": "<title>{{ _('Sign out') }}</title>{% block body %}{% endblock %}",
    "t/included.html": "[{{ _('Conflict') }}]",
    "t/macros.html": "{% macro label() %}{{ _('Slow down') }}{% endmacro %}",
    "t/imports.html": "{% import 't/macros.html' as m %}{{ m.label() }}",
    # `_` named by the template itself: within that scope `_()` is not the catalog's.
    "t/shadow_macro.html": (
        "{% macro shout(_) %}{{ _('Sign out') }}{% endmacro %}{{ shout(upper) }}|{{ _('Sign out') }}"
    ),
    "t/shadow_loop.html": (
        "{% for _ in [upper] %}{{ _('Sign out') }}{% endfor %}|{{ _('Sign out') }}"
    ),
    "t/shadow_set.html": "{% set _ = upper %}{{ _('Sign out') }}",
    "t/shadow_import.html": (
        "{% from 't/macros.html' import label as gettext %}{{ gettext() }}|{{ _('Sign out') }}"
    ),
}


@pytest.fixture
def templates(app, monkeypatch):
    """The app's environment with the test templates above in front of the app's own."""
    env = app.jinja_env
    monkeypatch.setattr(env, "loader", ChoiceLoader([DictLoader(dict(TEMPLATES)), env.loader]))
    return env


def _render(app, name: str, language: str, **context) -> str:
    with app.test_request_context("/"), force_locale(language):
        return render_template(name, **context)


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        pytest.param("t/plain.html", "en", "<p>Sign out|a <i>|100%</p>", id="en"),
        pytest.param("t/plain.html", "de", "<p>Abmelden|a <i>|100%</p>", id="de"),
        pytest.param("t/plain.txt", "en", "Sign out|Error <b>", id="text-not-escaped"),
        pytest.param("t/plain.txt", "de", "Abmelden|Fehler <b>", id="text-de"),
        pytest.param("t/in_expression.html", "de", "Abmelden|ABMELDEN", id="expression"),
        pytest.param(
            "t/child.html", "de", "<title>Abmelden</title>Nicht gefunden[Konflikt]", id="extends"
        ),
        pytest.param("t/imports.html", "de", "Langsamer, bitte", id="imported-macro"),
    ],
)
def test_constant_strings_render_as_template_gettext_renders_them(
    app, templates, name, language, expected
):
    assert _render(app, name, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        pytest.param(
            "en",
            "Error &lt;script&gt;|100% of &lt;script&gt;|Not found",
            id="en",
        ),
        pytest.param(
            "de",
            "Fehler &lt;script&gt;|100% of &lt;script&gt;|Nicht gefunden",
            id="de",
        ),
    ],
)
def test_values_of_a_constant_string_are_escaped(app, templates, language, expected):
    assert _render(app, "t/values.html", language, value="<script>") == expected


def test_each_language_keeps_its_own_compiled_template(app, templates):
    assert _render(app, "t/plain.html", "en") == "<p>Sign out|a <i>|100%</p>"
    assert _render(app, "t/plain.html", "de") == "<p>Abmelden|a <i>|100%</p>"
    assert _render(app, "t/plain.html", "en") == "<p>Sign out|a <i>|100%</p>"
    assert _render(app, "t/child.html", "de").startswith("<title>Abmelden</title>Nicht")
    assert _render(app, "t/child.html", "en").startswith("<title>Sign out</title>Not found")


def test_a_forced_locale_within_a_request_renders_its_language(app, templates):
    with app.test_request_context("/"), force_locale("en"):
        assert render_template("t/child.html").startswith("<title>Sign out</title>")
        with force_locale("de"):
            assert render_template("t/child.html").startswith("<title>Abmelden</title>")
        assert render_template("t/child.html").startswith("<title>Sign out</title>")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("t/shadow_macro.html", "SIGN OUT|Abmelden", id="macro-argument"),
        pytest.param("t/shadow_loop.html", "SIGN OUT|Abmelden", id="loop-variable"),
        pytest.param("t/shadow_set.html", "SIGN OUT", id="set"),
        pytest.param("t/shadow_import.html", "Langsamer, bitte|Abmelden", id="import-as"),
    ],
)
def test_a_template_that_names_its_own_underscore_keeps_its_calls(app, templates, name, expected):
    assert _render(app, name, "de", upper=str.upper) == expected


def test_a_changed_template_is_compiled_again_when_auto_reload_is_on(app, templates, monkeypatch):
    monkeypatch.setattr(templates, "auto_reload", True)
    mapping = templates.loader.loaders[0].mapping
    assert _render(app, "t/plain.html", "de") == "<p>Abmelden|a <i>|100%</p>"
    mapping["t/plain.html"] = "{{ _('Not found') }}"
    assert _render(app, "t/plain.html", "de") == "Nicht gefunden"
    assert _render(app, "t/plain.html", "en") == "Not found"


def test_outside_a_request_strings_are_looked_up_at_render(app, templates):
    # No app context: Flask-Babel's answer, as before (no translation).
    assert templates.get_template("t/values.html").render(value="<b>") == (
        "Error &lt;b&gt;|100% of &lt;b&gt;|Not found"
    )


def test_strings_compiled_from_source_still_follow_the_locale(app, templates):
    template = templates.from_string("{{ _('Sign out') }}")
    with app.test_request_context("/"), force_locale("de"):
        assert template.render() == "Abmelden"
    with app.test_request_context("/"), force_locale("en"):
        assert template.render() == "Sign out"


@pytest.fixture
def gettext_calls(app, monkeypatch):
    """Counts every call of the templates' `_`/`gettext` global (still answering as it does)."""
    calls = []

    @pass_context
    def counting(context, string, **variables):
        calls.append(string)
        return i18n.template_gettext(context, string, **variables)

    for name in ("_", "gettext"):
        monkeypatch.setitem(app.jinja_env.globals, name, counting)
    return calls


@pytest.mark.parametrize("language", ["en", "de"])
def test_queue_and_ticket_pages_look_up_no_constant_string_at_render(
    client, org, gettext_calls, language
):
    agent = UserFactory(organization=org, language=language)
    ticket = make_ticket(org, subject="Printer", priority=Priority.HIGH)
    login_as(client, agent)
    queue = client.get("/")
    page = client.get(f"/tickets/{ticket.number}")
    assert queue.status_code == page.status_code == 200
    assert ("Abmelden" in page.get_data(as_text=True)) is (language == "de")
    assert gettext_calls == []
