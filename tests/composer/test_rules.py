"""supportdesk.composer.rules: what a reply or note may carry (format, Cc, minutes)."""

from __future__ import annotations

import pytest

from supportdesk.composer import rules
from supportdesk.errors import ValidationFailed

CUSTOMER = "dana@customer.example"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        pytest.param("", (), id="empty"),
        pytest.param("Lee@Customer.Example", ("lee@customer.example",), id="lower-cased"),
        pytest.param(
            "lee@customer.example, kim@customer.example;lee@customer.example",
            ("lee@customer.example", "kim@customer.example"),
            id="separators-and-duplicates",
        ),
        pytest.param(["kim@customer.example", " "], ("kim@customer.example",), id="a-list"),
    ],
)
def test_cc_addresses_are_checked_and_normalised(app, given, kept):
    assert rules.parse_cc(given, customer_email=CUSTOMER) == kept


@pytest.mark.parametrize(
    ("given", "says"),
    [
        pytest.param("not-an-address", "not-an-address is not a valid email address.", id="syntax"),
        pytest.param("DANA@customer.example", "is the customer", id="the-customer-again"),
        pytest.param("support@acme.help.example", "one of our own addresses", id="ours"),
        pytest.param(
            ",".join(f"p{i}@customer.example" for i in range(rules.MAX_CC + 1)),
            "at most 10",
            id="too-many",
        ),
    ],
)
def test_bad_cc_is_refused_naming_the_field(app, monkeypatch, given, says):
    monkeypatch.setitem(app.config, "MAIL_DOMAIN", "help.example")
    with pytest.raises(ValidationFailed) as refused:
        rules.parse_cc(given, customer_email=CUSTOMER)
    assert says in refused.value.fields["cc"]


def test_a_note_takes_no_cc(app):
    with pytest.raises(ValidationFailed) as refused:
        rules.extras(
            internal=True, body_format="text", cc="lee@customer.example",
            time_spent_minutes=None, customer_email=CUSTOMER, time_tracking=False,
        )  # fmt: skip
    assert "never emailed" in refused.value.fields["cc"]


@pytest.mark.parametrize(
    ("minutes", "tracking", "field_error"),
    [
        pytest.param(None, False, None, id="none-given"),
        pytest.param(15, True, None, id="tracked"),
        pytest.param(0, True, None, id="zero"),
        pytest.param(15, False, "off for this organization", id="tracking-off"),
        pytest.param(-1, True, "between 0 and 1440", id="negative"),
        pytest.param(1441, True, "between 0 and 1440", id="more-than-a-day"),
    ],
)
def test_minutes_need_tracking_and_a_sane_range(minutes, tracking, field_error):
    if field_error is None:
        assert rules.check_minutes(minutes, tracking=tracking) == minutes
        return
    with pytest.raises(ValidationFailed) as refused:
        rules.check_minutes(minutes, tracking=tracking)
    assert field_error in refused.value.fields["time_spent_minutes"]


def test_an_unknown_format_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        rules.extras(
            internal=False, body_format="html", cc=None, time_spent_minutes=None,
            customer_email=CUSTOMER, time_tracking=False,
        )  # fmt: skip
    assert "body_format" in refused.value.fields


def test_markdown_columns_store_the_source_and_its_rendering():
    columns = rules.Extras("markdown", ("lee@customer.example",), 5).columns("**hi**")
    assert columns == {
        "body_html": "<p><strong>hi</strong></p>",
        "body_format": "markdown",
        "cc": "lee@customer.example",
        "time_spent_minutes": 5,
    }
    assert rules.Extras().columns("**hi**")["body_html"] == ""
