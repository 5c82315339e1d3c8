"""Placeholders: the table of what exists, the check made when saving, the sandboxed rendering."""

from __future__ import annotations

import re

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from supportdesk.errors import ValidationFailed
from supportdesk.macros import placeholders

VALUES = {
    "customer": placeholders.person("Aisha  Bianchi", "aisha@example.com"),
    "ticket": placeholders.TicketFacts(118, "Refund for a cancelled booking"),
    "agent": placeholders.person("Alex Agent"),
    "organization": placeholders.OrganizationFacts("Acme Support"),
}


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        pytest.param("Hi {{ customer.first_name }},", "Hi Aisha,", id="first-name"),
        pytest.param("{{customer.name}}", "Aisha Bianchi", id="no-spaces"),
        pytest.param("{{ customer.email }}", "aisha@example.com", id="email"),
        pytest.param("Ticket #{{ ticket.number }}", "Ticket #118", id="number"),
        pytest.param(
            "Re: {{ ticket.subject }}", "Re: Refund for a cancelled booking", id="subject"
        ),
        pytest.param("{{ agent.name }} / {{ agent.first_name }}", "Alex Agent / Alex", id="agent"),
        pytest.param("— {{ organization.name }}", "— Acme Support", id="organization"),
        pytest.param("Braces { and } and }} stay", "Braces { and } and }} stay", id="lone-braces"),
        pytest.param("Line\n{{\tticket.number\n}}\n", "Line\n118\n", id="whitespace-inside"),
    ],
)
def test_known_placeholders_pass_the_check_and_render(text, rendered):
    assert placeholders.check(text) == text
    assert re.fullmatch(placeholders.PATTERN, text)
    assert placeholders.render(text, **VALUES) == rendered


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("Hi {{ customer.age }}", "Unknown placeholder {{ customer.age }}", id="attr"),
        pytest.param("Hi {{ client.name }}", "Unknown placeholder {{ client.name }}", id="object"),
        pytest.param("{{ customer }}", "Unknown placeholder {{ customer }}", id="bare-object"),
        pytest.param("{{ ''.__class__ }}", "Unknown placeholder", id="dunder"),
        pytest.param("{{ customer.name|upper }}", "Unknown placeholder", id="filter"),
        pytest.param("{{ 7 * 7 }}", "Unknown placeholder {{ 7 * 7 }}", id="expression"),
        pytest.param("{% for x in y %}{% endfor %}", "Only placeholders", id="block"),
        pytest.param("{# note #}", "Only placeholders", id="comment"),
        pytest.param("Hi {{ customer.name", "not closed", id="unclosed"),
    ],
)
def test_anything_else_is_a_field_error_naming_it(text, says):
    with pytest.raises(ValidationFailed) as refused:
        placeholders.check(text, "reply_body")
    assert says in refused.value.message
    assert says in refused.value.fields["reply_body"]
    assert "{{ customer.first_name }}" in refused.value.fields["reply_body"]
    assert not re.fullmatch(placeholders.PATTERN, text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{{ ''.__class__ }}", id="class"),
        pytest.param("{{ ''.__class__.__mro__[1].__subclasses__() }}", id="subclasses"),
        pytest.param("{{ customer.__init__.__globals__ }}", id="globals"),
    ],
)
def test_the_sandbox_refuses_unsafe_access_even_without_the_check(text):
    with pytest.raises(SecurityError):
        placeholders.render(text, **VALUES)


def test_an_unknown_name_fails_loudly_when_rendering_unchecked_text():
    with pytest.raises(UndefinedError):
        placeholders.render("{{ customer.age }}", **VALUES)


def test_a_person_without_a_name_is_named_by_email_with_no_first_name():
    nobody = placeholders.person("", "x@example.com")
    assert (nobody.name, nobody.first_name) == ("x@example.com", "")
