"""Field mapping: which customer field goes to (or comes from) which CRM property, and which way.

One table of the mappable fields with each provider's defaults. `name` and `email` always go out
(the contact's identity); `company` and `tier` are mapped per connection, each with a direction:
`push` (we are the master), `pull` (the CRM is), `both` (the latest change wins), `off`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supportdesk.crm.models import Provider
from supportdesk.customers.models import Tier
from supportdesk.errors import ValidationFailed

DIRECTIONS: dict[str, str] = {
    "push": "Supportdesk → CRM",
    "pull": "CRM → Supportdesk",
    "both": "Both ways",
    "off": "Not synced",
}


@dataclass(frozen=True)
class MappedField:
    """A customer field that may be mapped, and its default on each provider."""

    field: str
    label: str
    defaults: dict[Provider, tuple[str, str]]  # provider -> (property, direction)


FIELDS: tuple[MappedField, ...] = (
    MappedField(
        "company",
        "Company",
        {
            Provider.HUBSPOT: ("company", "both"),
            # On Salesforce a contact's company is its Account; we upsert the Account by name.
            Provider.SALESFORCE: ("Account.Name", "both"),
        },
    ),
    MappedField(
        "tier",
        "Tier",
        {
            Provider.HUBSPOT: ("supportdesk_tier", "pull"),
            Provider.SALESFORCE: ("SupportDesk_Tier__c", "pull"),
        },
    ),
)
# Salesforce: the Contact's external-id field holding our customer id (upsert key).
SALESFORCE_EXTERNAL_ID = "SupportDesk_Id__c"
# Salesforce: the external-id field on the Task or Case holding our event key (idempotent).
SALESFORCE_EVENT_ID = "SupportDesk_Event_Id__c"
SALESFORCE_ACCOUNT_KEY = "SupportDesk_Key__c"

PROPERTY_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$"
_PROPERTY = re.compile(PROPERTY_PATTERN)


def defaults(provider: Provider) -> dict[str, dict[str, str]]:
    """The mapping a new connection starts with."""
    return {
        f.field: {"property": f.defaults[provider][0], "direction": f.defaults[provider][1]}
        for f in FIELDS
    }


def clean(provider: Provider, given: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A complete, checked mapping from the admin's input; ValidationFailed names the field."""
    result, errors = defaults(provider), {}
    for f in FIELDS:
        entry = given.get(f.field) or {}
        prop = (entry.get("property") or "").strip() or result[f.field]["property"]
        direction = entry.get("direction") or result[f.field]["direction"]
        if direction not in DIRECTIONS:
            errors[f"{f.field}_direction"] = "Choose a direction."
        if not _PROPERTY.fullmatch(prop) or len(prop) > 100:
            errors[f"{f.field}_property"] = (
                "Use a CRM property's internal name: letters, digits and underscores."
            )
        result[f.field] = {"property": prop, "direction": direction}
    if errors:
        raise ValidationFailed("The field mapping is not valid.", errors)
    return result


def pushes(field_map: dict, field: str) -> str | None:
    """The CRM property this field is written to, or None when it is not pushed."""
    entry = field_map.get(field) or {}
    return entry.get("property") if entry.get("direction") in ("push", "both") else None


def pulls(field_map: dict, field: str) -> str | None:
    """The CRM property this field is read from, or None when it is not pulled."""
    entry = field_map.get(field) or {}
    return entry.get("property") if entry.get("direction") in ("pull", "both") else None


def split_name(name: str, email: str) -> tuple[str, str]:
    """First and last name for the CRM (Salesforce requires a last name: the address's local part)."""
    parts = (name or "").strip().split(None, 1)
    if not parts:
        return "", email.split("@", 1)[0]
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], parts[1]


def tier_from(value: object) -> Tier | None:
    """Our tier for a CRM value ("Premium", "premium "), or None when it names none of ours."""
    text = str(value or "").strip().lower()
    return next((t for t in Tier if t.value == text), None)
