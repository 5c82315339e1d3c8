"""The shared form base: choice fields filled from a row select the row's enum value; text input
is cleaned the same way for every form."""

from __future__ import annotations

import enum

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice

from supportdesk.web import Form, choice_value


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
