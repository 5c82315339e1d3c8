"""The shared form base: choice fields filled from a row select the row's enum value; text input
is cleaned the same way for every form."""

from __future__ import annotations

import enum

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice

from supportdesk import web
from supportdesk.web import Form, choice_value, html_params


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


CHOICES = [SelectChoice(c.value, c.name.title()) for c in Colour]


class Row:
    """What a form is filled from: a model row whose attributes are enum members."""

    colour = Colour.GREEN
    colours = [Colour.GREEN, Colour.BLUE]
    notes = "first line\nsecond line"


class PaletteForm(Form):
    colour = SelectField("Colour", choices=CHOICES)
    shade = RadioField("Shade", choices=CHOICES, default=Colour.BLUE)
    colours = SelectMultipleField("Colours", choices=CHOICES)
    notes = TextAreaField("Notes")


@pytest.fixture
def form_context(app):
    with app.test_request_context(method="POST"):
        yield


def _selected(field) -> list[str]:
    return [value for value, _label, selected, _kw in field.iter_choices() if selected]


@pytest.mark.parametrize(
    ("name", "selected"),
    [
        pytest.param("colour", ["green"], id="select"),
        pytest.param("shade", ["blue"], id="radio-default"),
        pytest.param("colours", ["green", "blue"], id="select-multiple"),
    ],
)
def test_a_choice_field_filled_from_an_enum_selects_its_value(form_context, name, selected):
    form = PaletteForm(formdata=None, obj=Row(), meta={"csrf": False})
    assert _selected(form[name]) == selected


def test_a_choice_filled_from_an_enum_renders_the_selected_option(form_context):
    html = str(PaletteForm(formdata=None, obj=Row(), meta={"csrf": False}).colour())
    assert '<option selected value="green">' in html


def test_a_posted_choice_stays_a_string_and_validates(form_context):
    formdata = MultiDict([("colour", "blue"), ("shade", "red"), ("colours", "red")])
    form = PaletteForm(formdata=formdata, obj=Row(), meta={"csrf": False})
    assert form.validate()
    assert (form.colour.data, form.shade.data, form.colours.data) == ("blue", "red", ["red"])


def test_textarea_line_breaks_sent_as_crlf_are_stored_as_lf(form_context):
    formdata = MultiDict([("colour", "red"), ("notes", "first line\r\nsecond\x00 line")])
    form = PaletteForm(formdata=formdata, meta={"csrf": False})
    assert form.notes.data == "first line\nsecond line"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(Colour.RED, "red", id="enum"),
        pytest.param("red", "red", id="string"),
        pytest.param(7, "7", id="number"),
    ],
)
def test_choice_value(value, expected):
    assert choice_value(value) == expected


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param({"id": "subject", "name": "subject", "type": "text"}, id="plain"),
        pytest.param({"value": 'a "quoted" <b>&amp;</b>', "class_": "input"}, id="escaped"),
        pytest.param({"value": Markup('say "hi" <i>')}, id="markup-value"),
        pytest.param({"required": True, "disabled": False, "checked": True}, id="booleans"),
        pytest.param({"data_live_me": "1", "aria_describedby": "x-error", "for_": "x"}, id="keys"),
        pytest.param({"value": 0, "maxlength": 300, "min": None}, id="not-strings"),
        pytest.param({"a<b": "c", "data_x": "'"}, id="odd-names"),
        pytest.param({}, id="nothing"),
    ],
)
def test_form_attributes_render_as_wtforms_renders_them(app, attributes):
    assert web.wtforms_html_params is not None
    fast = html_params(**attributes)
    assert fast == web.wtforms_html_params(**attributes)
    assert isinstance(fast, Markup)


def test_widgets_use_the_fast_attributes(form_context):
    from wtforms.widgets import core

    assert core.html_params is html_params
    assert core.Input.html_params is html_params
    html = str(PaletteForm(formdata=None, obj=Row(), meta={"csrf": False}).notes(class_="x"))
    assert (
        html == '<textarea class="x" id="notes" name="notes">\r\nfirst line\nsecond line</textarea>'
    )


@pytest.mark.parametrize(
    ("source", "language", "expected"),
    [
        pytest.param("{{ _('Sign out') }}", "en", "Sign out", id="plain"),
        pytest.param("{{ _('Sign out') }}", "de", "Abmelden", id="translated"),
        pytest.param("{{ _('%(n)s of 100%%', n='<b>') }}", "en", "&lt;b&gt; of 100%", id="values"),
        pytest.param("{{ _('100%%') }}", "en", "100%", id="percent-only"),
        pytest.param("{{ gettext('a <i>') }}", "en", "a <i>", id="gettext"),
        pytest.param("{% trans n=3 %}{{ n }} % off{% endtrans %}", "en", "3 % off", id="trans"),
        pytest.param(
            "{{ ngettext('%(num)s ticket', '%(num)s tickets', 2) }}", "en", "2 tickets", id="plural"
        ),
        pytest.param(
            "{{ ngettext('%(num)s of %(x)s', '%(num)s of %(x)s', 1, x='<b>') }}",
            "en",
            "1 of &lt;b&gt;",
            id="plural-values",
        ),
    ],
)
def test_template_strings_render_as_jinja_i18n_renders_them(app, source, language, expected):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale(language):
        # Autoescaped, as every page is.
        template = app.jinja_env.from_string(
            f"{{% autoescape true %}}{source}{{% endautoescape %}}"
        )
        assert template.render() == expected


def test_template_strings_follow_a_forced_locale_within_a_request(app):
    from flask_babel import force_locale

    template = app.jinja_env.from_string(
        "{% autoescape true %}{{ _('Sign out') }}{% endautoescape %}"
    )
    with app.test_request_context("/"), force_locale("en"):
        assert template.render() == "Sign out"
        with force_locale("de"):
            assert template.render() == "Abmelden"
        assert template.render() == "Sign out"


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        pytest.param("static", {"filename": "css/app.css"}, id="static"),
        pytest.param("console.queue", {}, id="no-values"),
        pytest.param("console.ticket_show", {"number": 7}, id="values"),
        pytest.param(
            "console.message_split_confirm", {"number": 7, "message_id": 12}, id="two-values"
        ),
        pytest.param("console.queue", {"assignee": 3}, id="query-value"),
        pytest.param("console.ticket_show", {"number": "7"}, id="string-value"),
        pytest.param("console.queue", {"_anchor": "x"}, id="anchor"),
        pytest.param("static", {"filename": "js/app.js", "v": "2"}, id="static-query"),
    ],
)
@pytest.mark.parametrize("script_root", ["", "/desk"])
def test_template_urls_are_flasks(app, endpoint, values, script_root):
    url_for = app.jinja_env.globals["url_for"]
    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        assert url_for(endpoint, **values) == app.url_for(endpoint, **values)
        assert url_for(endpoint, **values) == app.url_for(endpoint, **values)  # remembered
        assert url_for(endpoint, **values).startswith(script_root + "/")


@pytest.mark.parametrize("script_root", ["", "/desk"])
def test_template_url_patterns_give_flasks_url_for_every_value(app, script_root):
    url_for = app.jinja_env.globals["url_for"]
    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        for number in (7, 1, 0, 123_456_789, 7_340_019_001, -3):
            assert url_for("console.ticket_show", number=number) == app.url_for(
                "console.ticket_show", number=number
            )
            values = {"number": number, "message_id": number * 10 + 1}
            assert url_for("console.message_split_confirm", **values) == app.url_for(
                "console.message_split_confirm", **values
            )


def test_template_url_patterns_leave_rules_chosen_by_their_values_to_flask():
    from flask import Flask

    from supportdesk.web import remembered_url_for

    app = Flask(__name__)
    app.add_url_rule("/pages/", "pages", defaults={"n": 1})
    app.add_url_rule("/pages/<int:n>", "pages")
    app.add_url_rule("/codes/<int(fixed_digits=4):code>", "codes")
    url_for = remembered_url_for(app)
    with app.test_request_context("/"):
        for n in (2, 1, 5, 1):
            assert url_for("pages", n=n) == app.url_for("pages", n=n)
        for code in (12345, 7, 42):
            assert url_for("codes", code=code) == app.url_for("codes", code=code)
