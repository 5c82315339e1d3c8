"""Field mapping: which customer field goes to (or comes from) which CRM property, and which way.

One table of the mappable fields with each provider's defaults. `name` and `email` always go out
(the contact's identity); `company` and `tier` are mapped per connection, each with a direction:
`push` (we are the master), `pull` (the CRM is), `both` (either side may change it), `off`.
A `both` field also names its master, the side that wins when the field changed on both sides
since the last sync (crm.conflicts): by default the CRM for company and tier. A customer's name
goes out only, so supportdesk is always its master.
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
# Who wins a `both` field changed on both sides since the last sync.
MASTERS: dict[str, str] = {
    "crm": "The CRM",
    "supportdesk": "Supportdesk",
}


@dataclass(frozen=True)
class MappedField:
    """A customer field that may be mapped, and its default on each provider."""

    field: str
    label: str
    defaults: dict[Provider, tuple[str, str]]  # provider -> (property, direction)
    master: str = "crm"  # the default master of a `both` mapping


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
        f.field: {
            "property": f.defaults[provider][0],
            "direction": f.defaults[provider][1],
            "master": f.master,
        }
        for f in FIELDS
    }


def clean(provider: Provider, given: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A complete, checked mapping from the admin's input; ValidationFailed names the field."""
    result, errors = defaults(provider), {}
    for f in FIELDS:
        entry = given.get(f.field) or {}
        prop = (entry.get("property") or "").strip() or result[f.field]["property"]
        if prop in {d[0] for p, d in f.defaults.items() if p is not provider}:
            prop = result[f.field]["property"]  # the other CRM's default: the CRM was switched
        direction = entry.get("direction") or result[f.field]["direction"]
        master = entry.get("master") or result[f.field]["master"]
        if direction not in DIRECTIONS:
            errors[f"{f.field}_direction"] = "Choose a direction."
        if master not in MASTERS:
            errors[f"{f.field}_master"] = "Choose the CRM or Supportdesk."
        if not _PROPERTY.fullmatch(prop) or len(prop) > 100:
            errors[f"{f.field}_property"] = (
                "Use a CRM property's internal name: letters, digits and underscores."
            )
        result[f.field] = {"property": prop, "direction": direction, "master": master}
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


def outgoing(field_map: dict, values: dict[str, str], agreed: dict) -> dict[str, tuple[str, str]]:
    """field → (property, value) a contact push sends. A `both` field is sent only when ours
    changed since the last sync (it differs from the agreed value, or none is known): sending an
    unchanged value would overwrite a change made in the CRM that the pull has not read yet."""
    sent = {}
    for f in FIELDS:
        prop = pushes(field_map, f.field)
        if not prop:
            continue
        value = values[f.field]
        if field_map[f.field].get("direction") == "both" and agreed.get(f.field) == value:
            continue
        sent[f.field] = (prop, value)
    return sent


def master(field_map: dict, field: str) -> str:
    """Who wins the field when it changed on both sides: "crm" or "supportdesk"."""
    entry = field_map.get(field) or {}
    if entry.get("master") in MASTERS:
        return entry["master"]
    return next((f.master for f in FIELDS if f.field == field), "crm")


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
