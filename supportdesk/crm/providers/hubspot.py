"""HubSpot CRM v3/v4 REST: contacts upserted by email in batches of 100, companies, notes, search.

Endpoints (developers.hubspot.com, CRM API v3; associations v4):
- POST /crm/v3/objects/contacts/batch/upsert   {"inputs": [{"idProperty": "email", "id", "properties"}]}
- POST /crm/v3/objects/companies/search, POST /crm/v3/objects/companies   (company by name)
- POST /crm/v4/associations/contacts/companies/batch/associate/default   {"inputs": [{"from", "to"}]}
- POST /crm/v3/objects/notes   {"properties": {"hs_timestamp", "hs_note_body"}, "associations": [...]}
- POST /crm/v3/objects/notes/search   (a note we may have written before a crash, by its marker)
- POST /crm/v3/objects/contacts/search   (modified since the cursor, ascending, paged by `after`)
- GET  /crm/v3/objects/contacts/{email}?idProperty=email, GET /crm/v3/properties/contacts/{name}
- GET  /crm/v3/owners/{ownerId}   (the contact's `hubspot_owner_id` → firstName, lastName, email;
  scope crm.objects.owners.read)
Authentication: a private app's access token as a Bearer token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from supportdesk.crm.providers.base import (
    AuthFailed,
    Http,
    RateLimited,
    Rejected,
    Unavailable,
    json_or_empty,
    retry_after,
)

BATCH = 100  # the batch upsert's documented maximum
NOTE_TO_CONTACT = 202  # HUBSPOT_DEFINED association type: note → contact
PAGE = 100


@dataclass(frozen=True)
class Contact:
    """A contact as we push it."""

    email: str
    properties: dict[str, str]
    company: str = ""


@dataclass(frozen=True)
class Found:
    """A contact as the CRM has it: its id, email and the properties we asked for."""

    id: str
    email: str
    properties: dict[str, Any]
    updated_at: dt.datetime | None


def _message(body: Any, status: int) -> str:
    if isinstance(body, dict):
        message = body.get("message") or ""
        details = [e.get("message", "") for e in body.get("errors") or [] if isinstance(e, dict)]
        return "; ".join(m for m in [message, *details] if m) or f"HTTP {status}"
    return f"HTTP {status}"


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class HubSpot:
    """A HubSpot account reached with a private app's token."""

    name = "HubSpot"

    def __init__(self, http: Http, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.owners: dict[str, str | None] = {}

    # -- one call ----------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.call(method, path, headers=self.headers, **kwargs)
        status = response.status_code
        if status < 300 or status == 207 or (status == 404 and method == "GET"):
            return response
        body = json_or_empty(response)
        if status == 429:
            raise RateLimited(
                "HubSpot's rate limit was reached; the sync waits and resumes.",
                retry_after(response),
            )
        if status == 401:
            raise AuthFailed(
                "HubSpot refused the access token (401): it was revoked or mistyped. "
                "Paste a current private-app token.",
                status=status,
            )
        if status == 403:
            raise AuthFailed(
                f"HubSpot refused the request (403): {_message(body, status)}. "
                "Give the private app the crm.objects.contacts and companies scopes.",
                status=status,
            )
        if status >= 500:
            raise Unavailable(f"HubSpot answered {status}; the sync will try again.", status=status)
        raise Rejected(f"HubSpot refused the data: {_message(body, status)}", status=status)

    # -- checks ------------------------------------------------------------------------------

    def check(self, properties: list[str]) -> None:
        """Raise with a sentence unless the token works and every mapped property exists."""
        if self._call("GET", "/crm/v3/objects/contacts", params={"limit": 1}).status_code == 404:
            raise Rejected(
                f"There is no HubSpot API at {self.http.base_url} (404): check the API address "
                "(https://api.hubapi.com)."
            )
        for name in properties:
            response = self._call("GET", f"/crm/v3/properties/contacts/{name}")
            if response.status_code == 404:
                raise Rejected(
                    f"HubSpot has no contact property named “{name}”: create it in HubSpot, "
                    "or map the field to another property."
                )

    # -- outbound ----------------------------------------------------------------------------

    def upsert_contacts(self, contacts: list[Contact]) -> tuple[dict[str, str], dict[str, str]]:
        """Upsert by email (≤ 100); returns (email → contact id, email → error in words)."""
        inputs = [
            {"idProperty": "email", "id": c.email, "properties": {**c.properties, "email": c.email}}
            for c in contacts
        ]
        body = json_or_empty(
            self._call("POST", "/crm/v3/objects/contacts/batch/upsert", json={"inputs": inputs})
        )
        ids = {}
        for result in body.get("results") or []:
            email = str((result.get("properties") or {}).get("email") or "").lower()
            if email and result.get("id"):
                ids[email] = str(result["id"])
        errors = {}
        problems = "; ".join(_message(e, 400) for e in body.get("errors") or [])
        for c in contacts:
            if c.email not in ids:
                errors[c.email] = f"HubSpot did not take the contact: {problems or 'no result'}"
        return ids, errors

    def update_contacts(self, contacts: dict[str, Contact]) -> dict[str, str]:
        """Update contacts we know by HubSpot id (≤ 100), so a changed email changes that
        contact rather than making a second one; returns email → id of those HubSpot took
        (an id it no longer has is left out: the caller upserts that one by email)."""
        inputs = [
            {"id": contact_id, "properties": {**c.properties, "email": c.email}}
            for contact_id, c in contacts.items()
        ]
        body = json_or_empty(
            self._call("POST", "/crm/v3/objects/contacts/batch/update", json={"inputs": inputs})
        )
        taken = {str(r.get("id")) for r in body.get("results") or []}
        return {c.email: contact_id for contact_id, c in contacts.items() if contact_id in taken}

    def company_id(self, name: str) -> str:
        """The id of the company with this name, created when HubSpot has none."""
        found = json_or_empty(
            self._call(
                "POST",
                "/crm/v3/objects/companies/search",
                json={
                    "filterGroups": [
                        {"filters": [{"propertyName": "name", "operator": "EQ", "value": name}]}
                    ],
                    "properties": ["name"],
                    "limit": 1,
                },
            )
        )
        results = found.get("results") or []
        if results:
            return str(results[0]["id"])
        created = json_or_empty(
            self._call("POST", "/crm/v3/objects/companies", json={"properties": {"name": name}})
        )
        return str(created["id"])

    def associate_companies(self, pairs: list[tuple[str, str]]) -> None:
        """Default contact → company associations (creating one twice changes nothing)."""
        if pairs:
            self._call(
                "POST",
                "/crm/v4/associations/contacts/companies/batch/associate/default",
                json={"inputs": [{"from": {"id": c}, "to": {"id": co}} for c, co in pairs]},
            )

    def find_note(self, marker: str) -> str | None:
        """The id of a note carrying `marker` (written by an attempt that died before recording it)."""
        body = json_or_empty(
            self._call(
                "POST",
                "/crm/v3/objects/notes/search",
                json={
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": "hs_note_body",
                                    "operator": "CONTAINS_TOKEN",
                                    "value": marker,
                                }
                            ]
                        }
                    ],
                    "limit": 1,
                },
            )
        )
        results = body.get("results") or []
        return str(results[0]["id"]) if results else None

    def create_note(self, contact_id: str, body: str, at: dt.datetime) -> str:
        """A note on the contact's timeline at `at`; returns its id."""
        created = json_or_empty(
            self._call(
                "POST",
                "/crm/v3/objects/notes",
                json={
                    "properties": {
                        "hs_timestamp": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "hs_note_body": body,
                    },
                    "associations": [
                        {
                            "to": {"id": contact_id},
                            "types": [
                                {
                                    "associationCategory": "HUBSPOT_DEFINED",
                                    "associationTypeId": NOTE_TO_CONTACT,
                                }
                            ],
                        }
                    ],
                },
            )
        )
        return str(created["id"])

    # -- inbound -----------------------------------------------------------------------------

    def read_contact(self, email: str, properties: list[str]) -> Found | None:
        """The contact with this email, or None."""
        response = self._call(
            "GET",
            f"/crm/v3/objects/contacts/{email}",
            params={"idProperty": "email", "properties": ",".join(["email", *properties])},
        )
        if response.status_code == 404:
            return None
        return self._found(json_or_empty(response))

    def read_contact_by_id(self, contact_id: str, properties: list[str]) -> Found | None:
        """The contact with this HubSpot id, or None."""
        response = self._call(
            "GET",
            f"/crm/v3/objects/contacts/{contact_id}",
            params={"properties": ",".join(["email", *properties])},
        )
        if response.status_code == 404:
            return None
        return self._found(json_or_empty(response))

    def changed_since(self, since: dt.datetime, properties: list[str]) -> Iterator[Found]:
        """Contacts modified at or after `since`, oldest change first, every page."""
        after = None
        while True:
            request = {
                "filterGroups": [
                    {
                        "filters": [
                            {
                                "propertyName": "lastmodifieddate",
                                "operator": "GTE",
                                "value": str(int(since.timestamp() * 1000)),
                            }
                        ]
                    }
                ],
                "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
                "properties": ["email", "lastmodifieddate", *properties],
                "limit": PAGE,
            }
            if after:
                request["after"] = after
            body = json_or_empty(
                self._call("POST", "/crm/v3/objects/contacts/search", json=request)
            )
            for result in body.get("results") or []:
                yield self._found(result)
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def owner_name(self, owner_id: str) -> str | None:
        """The owner's name ("" when HubSpot has no such owner), read once a run; None when it
        cannot be read (the app lacks the owners scope: the sync goes on without it)."""
        if owner_id not in self.owners:
            response = self.http.call(
                "GET", f"/crm/v3/owners/{quote(owner_id, safe='')}", headers=self.headers
            )
            if response.status_code in (401, 403):
                self.owners[owner_id] = None
            else:
                body = json_or_empty(self._checked_owner(response))
                name = " ".join(
                    p for p in (body.get("firstName"), body.get("lastName")) if p
                ) or str(body.get("email") or "")
                self.owners[owner_id] = name[:200]
        return self.owners[owner_id]

    def _checked_owner(self, response: httpx.Response) -> httpx.Response:
        if response.status_code == 404:
            return httpx.Response(200, json={})
        if response.status_code == 429:
            raise RateLimited(
                "HubSpot's rate limit was reached; the sync waits and resumes.",
                retry_after(response),
            )
        if response.status_code >= 500:
            raise Unavailable(f"HubSpot answered {response.status_code}; the sync will try again.")
        return response

    @staticmethod
    def _found(result: dict) -> Found:
        props = result.get("properties") or {}
        return Found(
            id=str(result.get("id")),
            email=str(props.get("email") or "").lower(),
            properties=props,
            updated_at=_when(result.get("updatedAt") or props.get("lastmodifieddate")),
        )
