"""The custom field value rules: every type with valid and invalid values, and the definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from supportdesk.errors import UnknownReference, ValidationFailed
from supportdesk.fields import rules
from supportdesk.fields.models import FieldType

pytestmark = pytest.mark.unit


@dataclass
class Spec:
    key: str
    type: FieldType
    label: str = "Field"
    options: list = field(default_factory=list)
    required_on_resolve: bool = False
    archived: bool = False


TEXT = Spec("note", FieldType.TEXT)
NUMBER = Spec("amount", FieldType.NUMBER)
DATE = Spec("due", FieldType.DATE)
SELECT = Spec("plan", FieldType.SELECT, options=["Free", "Pro"])
MULTI = Spec("product", FieldType.MULTISELECT, options=["Invoices", "Payroll", "Reports"])
CHECK = Spec("vip", FieldType.CHECKBOX)

VALID = [
    pytest.param(TEXT, "  Order 12 ", "Order 12", id="text"),
    pytest.param(TEXT, "", None, id="text-empty-is-no-value"),
    pytest.param(TEXT, "x" * 1000, "x" * 1000, id="text-longest"),
    pytest.param(NUMBER, "12", 12, id="number-string"),
    pytest.param(NUMBER, "12.50", 12.5, id="number-decimal-string"),
    pytest.param(NUMBER, 7, 7, id="number-int"),
    pytest.param(NUMBER, 2.0, 2, id="number-integral-float"),
    pytest.param(NUMBER, "-3", -3, id="number-negative"),
    pytest.param(NUMBER, " ", None, id="number-blank"),
    pytest.param(DATE, "2026-11-27", "2026-11-27", id="date"),
    pytest.param(DATE, "", None, id="date-empty"),
    pytest.param(SELECT, "Pro", "Pro", id="select"),
    pytest.param(SELECT, "", None, id="select-none"),
    pytest.param(
        MULTI, ["Reports", "Invoices"], ["Invoices", "Reports"], id="multi-in-option-order"
    ),
    pytest.param(MULTI, ["Payroll", "Payroll"], ["Payroll"], id="multi-distinct"),
    pytest.param(MULTI, [], None, id="multi-empty"),
    pytest.param(CHECK, True, True, id="checkbox-true"),
    pytest.param(CHECK, False, None, id="checkbox-false-is-absent"),
    pytest.param(CHECK, "y", True, id="checkbox-form-ticked"),
    pytest.param(CHECK, "", None, id="checkbox-form-unticked"),
    pytest.param(TEXT, None, None, id="none-clears"),
]

INVALID = [
    pytest.param(TEXT, 12, "Enter text.", id="text-number"),
    pytest.param(TEXT, "x" * 1001, "Use at most 1,000 characters.", id="text-too-long"),
    pytest.param(TEXT, ["a"], "Enter text.", id="text-list"),
    pytest.param(NUMBER, "twelve", "Enter a number.", id="number-word"),
    pytest.param(NUMBER, "NaN", "Enter a number.", id="number-nan"),
    pytest.param(NUMBER, "Infinity", "Enter a number.", id="number-infinity"),
    pytest.param(NUMBER, True, "Enter a number.", id="number-bool"),
    pytest.param(NUMBER, 10**16, "Enter a smaller number.", id="number-huge"),
    pytest.param(DATE, "27/11/2026", "Enter a date as YYYY-MM-DD.", id="date-format"),
    pytest.param(DATE, "2026-02-30", "Enter a real date (YYYY-MM-DD).", id="date-impossible"),
    pytest.param(DATE, 20261127, "Enter a date as YYYY-MM-DD.", id="date-number"),
    pytest.param(SELECT, "Enterprise", "Choose one of the options.", id="select-unknown"),
    pytest.param(SELECT, ["Pro"], "Choose one of the options.", id="select-list"),
    pytest.param(MULTI, "Invoices", "Choose a list of options.", id="multi-string"),
    pytest.param(MULTI, ["Invoices", "Cars"], "Not an option: Cars.", id="multi-unknown"),
    pytest.param(MULTI, [1], "Choose a list of options.", id="multi-numbers"),
    pytest.param(CHECK, "maybe", "Tick it or not (true or false).", id="checkbox-word"),
    pytest.param(CHECK, 1, "Tick it or not (true or false).", id="checkbox-int"),
]


@pytest.mark.parametrize(("spec", "raw", "stored"), VALID)
def test_a_valid_value_is_stored_in_its_canonical_form(spec, raw, stored):
    assert rules.clean_value(spec, raw) == stored


@pytest.mark.parametrize(("spec", "raw", "message"), INVALID)
def test_an_invalid_value_is_refused_naming_the_field(spec, raw, message):
    with pytest.raises(ValidationFailed) as refused:
        rules.clean_value(spec, raw)
    assert refused.value.fields == {f"custom_fields.{spec.key}": message}
    assert refused.value.status == 422


def test_apply_values_keeps_fields_not_given_and_clears_with_none():
    specs = {s.key: s for s in (TEXT, NUMBER, SELECT)}
    current = {"note": "kept", "amount": 3}
    assert rules.apply_values(specs, current, {"amount": None, "plan": "Free"}) == {
        "note": "kept",
        "plan": "Free",
    }


def test_apply_values_refuses_an_unknown_key_as_naming_nothing():
    with pytest.raises(UnknownReference) as refused:
        rules.apply_values({}, {}, {"order_number": "1"})
    assert refused.value.fields == {"custom_fields.order_number": "No such field."}


def test_apply_values_refuses_changing_an_archived_field_but_accepts_it_unchanged():
    archived = Spec("old", FieldType.TEXT, archived=True)
    assert rules.apply_values({"old": archived}, {"old": "x"}, {"old": "x"}) == {"old": "x"}
    with pytest.raises(ValidationFailed):
        rules.apply_values({"old": archived}, {"old": "x"}, {"old": "y"})


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        pytest.param({}, ["order", "ok"], id="both-missing"),
        pytest.param({"order": "A-1"}, ["ok"], id="checkbox-unticked"),
        pytest.param({"order": "A-1", "ok": True}, [], id="complete"),
    ],
)
def test_required_fields_are_those_without_a_value(values, missing):
    specs = [
        Spec("order", FieldType.TEXT, required_on_resolve=True),
        Spec("ok", FieldType.CHECKBOX, required_on_resolve=True),
        Spec("free", FieldType.TEXT),
        Spec("gone", FieldType.TEXT, required_on_resolve=True, archived=True),
    ]
    assert [s.key for s in rules.missing_on_resolve(specs, values)] == missing


def test_the_resolve_refusal_names_the_field_in_a_sentence():
    error = rules.refuse_resolve([Spec("order_number", FieldType.TEXT, label="Order number")])
    assert error.message == "Fill in this field before resolving the ticket: “Order number”."
    assert error.fields == {"custom_fields.order_number": "Required to resolve the ticket."}


@pytest.mark.parametrize(
    ("key", "ok"),
    [("order_number", True), ("a", True), ("Order", False), ("1st", False), ("a-b", False),
     ("x" * 41, False), ("", False)],
)  # fmt: skip
def test_keys_are_lower_case_identifiers(key, ok):
    if ok:
        assert rules.clean_key(key) == key
    else:
        with pytest.raises(ValidationFailed):
            rules.clean_key(key)


def test_select_options_are_distinct_and_other_types_have_none():
    assert rules.clean_options(FieldType.SELECT, [" a ", "a", "", "b"]) == ["a", "b"]
    assert rules.clean_options(FieldType.SELECT, []) == []
    assert rules.clean_options(FieldType.TEXT, ["a"]) == []
    with pytest.raises(ValidationFailed):
        rules.clean_options(FieldType.MULTISELECT, ["x" * 101])


@pytest.mark.parametrize(
    ("spec", "value", "shown"),
    [(CHECK, True, "Yes"), (MULTI, ["Invoices", "Payroll"], "Invoices, Payroll"),
     (NUMBER, 12.5, "12.5"), (TEXT, None, "")],
)  # fmt: skip
def test_display_reads_values_as_people_do(spec: Any, value: Any, shown: str):
    assert rules.display(spec, value) == shown
