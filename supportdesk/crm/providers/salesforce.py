"""Salesforce REST: OAuth 2.0 refresh-token flow, Contact (and Account) upsert by external id in one
Composite request, Tasks or Cases upserted by an event id, SOQL for what changed.

Endpoints (developer.salesforce.com, REST API):
- POST {login}/services/oauth2/token   grant_type=refresh_token, client_id, client_secret, refresh_token
  → {"access_token", "instance_url", ...}; a refused grant is 400 {"error", "error_description"}
- POST /services/data/vXX.X/composite   {"allOrNone": true, "compositeRequest": [{"method",
  "url", "referenceId", "body"}]} → {"compositeResponse": [{"body", "httpStatusCode", "referenceId"}]}
- PATCH /services/data/vXX.X/sobjects/{Object}/{ExternalIdField}/{value}   (upsert: 201 created,
  200 or 204 updated; errors [{"message", "errorCode", "fields"}])
- GET /services/data/vXX.X/query?q=SOQL → {"records", "done", "nextRecordsUrl"}
- GET /services/data/vXX.X/sobjects/Contact/describe   (checks the mapped fields exist)
An expired session answers 401 [{"errorCode": "INVALID_SESSION_ID"}]: we refresh once and retry.

The refresh token comes from the OAuth 2.0 web server flow (authorization code with PKCE):
- GET {login}/services/oauth2/authorize?response_type=code&client_id&redirect_uri&state
  &code_challenge (base64url SHA-256 of the verifier)&code_challenge_method=S256&scope
  → the browser comes back to redirect_uri with `code` and `state` (or `error`, `error_description`)
- POST {login}/services/oauth2/token   grant_type=authorization_code, code, client_id,
  client_secret, redirect_uri, code_verifier → {"access_token", "refresh_token", "instance_url"}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from supportdesk.crm.providers.base import (
    AuthFailed,
    CrmError,
    Http,
    RateLimited,
    Rejected,
    Unavailable,
    json_or_empty,
    retry_after,
)

API = "v60.0"


@dataclass(frozen=True)
class Found:
    """A Contact as Salesforce has it."""

    id: str
    email: str
    fields: dict[str, Any]
    updated_at: dt.datetime | None


def _errors(body: Any, status: int) -> str:
    if isinstance(body, list):
        parts = [
            f"{e.get('errorCode', '')}: {e.get('message', '')}".strip(": ")
            for e in body
            if isinstance(e, dict)
        ]
        return "; ".join(p for p in parts if p) or f"HTTP {status}"
    if isinstance(body, dict) and body.get("error"):
        return f"{body['error']}: {body.get('error_description', '')}".strip(": ")
    return f"HTTP {status}"


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:  # "2026-11-28T02:00:00.000+0000"
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None


def soql_string(value: str) -> str:
    """A SOQL string literal (backslash and quote escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def soql_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Salesforce:
    """A Salesforce org reached through a connected app's refresh token.

    `on_session(access_token, instance_url)` is called after each refresh, so the caller can keep
    the session for the next run (encrypted).
    """

    name = "Salesforce"

    def __init__(
        self,
        http: Http,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        session: str | None,
        instance_url: str,
        on_session: Callable[[str, str], None],
    ) -> None:
        self.http = http
        self.client_id, self.client_secret, self.refresh_token = (
            client_id,
            client_secret,
            refresh_token,
        )
        self.session, self.instance_url = session, instance_url.rstrip("/")
        self.on_session = on_session

    # -- sessions ----------------------------------------------------------------------------

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> str:
        """Trade an authorization code for a session and a refresh token (returned; the session
        goes to `on_session`). CrmError with Salesforce's words when it refuses the code."""
        response = self.http.call(
            "POST",
            "/services/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
                "format": "json",
            },
            headers={"Accept": "application/json"},
            secret=True,
        )
        body = json_or_empty(response)
        if response.status_code >= 500:
            raise Unavailable(f"Salesforce's login answered {response.status_code}; try again.")
        if response.status_code != 200 or not body.get("access_token"):
            raise Rejected(
                f"Salesforce refused the sign-in ({_errors(body, response.status_code)}): "
                "check the consumer key, secret and callback URL, then connect again.",
                status=response.status_code,
            )
        if not body.get("refresh_token"):
            raise Rejected(
                "Salesforce gave no refresh token: add the “Perform requests at any time "
                "(refresh_token, offline_access)” scope to the connected app, then connect again."
            )
        self.session = body["access_token"]
        self.instance_url = (body.get("instance_url") or self.http.base_url).rstrip("/")
        self.on_session(self.session, self.instance_url)
        return str(body["refresh_token"])

    def refresh(self) -> None:
        """Exchange the refresh token for a new session (AuthFailed when Salesforce refuses it)."""
        response = self.http.call(
            "POST",
            "/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "refresh_token": self.refresh_token,
                "format": "json",
            },
            headers={"Accept": "application/json"},
            secret=True,
        )
        body = json_or_empty(response)
        if response.status_code == 429:
            raise RateLimited("Salesforce's login rate limit was reached.", retry_after(response))
        if response.status_code >= 500:
            raise Unavailable(f"Salesforce's login answered {response.status_code}.")
        if response.status_code == 404:
            raise AuthFailed(
                f"There is no Salesforce login at {self.http.base_url} (404): check the API "
                "address (https://login.salesforce.com, or https://test.salesforce.com for a "
                "sandbox).",
                status=404,
            )
        if response.status_code != 200 or not body.get("access_token"):
            raise AuthFailed(
                f"Salesforce refused the refresh token ({_errors(body, response.status_code)}): "
                "check the consumer key and secret, or connect again for a new refresh token.",
                status=response.status_code,
            )
        self.session = body["access_token"]
        self.instance_url = (body.get("instance_url") or self.http.base_url).rstrip("/")
        self.on_session(self.session, self.instance_url)

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if not self.session or not self.instance_url:
            self.refresh()
        response = self._send(method, path, **kwargs)
        if response.status_code == 401:
            self.refresh()  # once: the session expired
            response = self._send(method, path, **kwargs)
            if response.status_code == 401:
                raise AuthFailed(
                    "Salesforce refused a fresh session (401): the connected app or user lost "
                    "API access.",
                    status=401,
                )
        return self._checked(response)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.session}", "Accept": "application/json"}
        return self.http.call(method, self.instance_url + path, headers=headers, **kwargs)

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 300 or status == 404:
            return response
        body = json_or_empty(response)
        text = _errors(body, status)
        if status == 429 or (status == 403 and "REQUEST_LIMIT_EXCEEDED" in text):
            raise RateLimited(
                "Salesforce's API limit was reached; the sync waits and resumes.",
                retry_after(response, default=60.0),
                status=status,
            )
        if status == 403:
            raise AuthFailed(f"Salesforce refused the request (403): {text}.", status=status)
        if status >= 500:
            raise Unavailable(
                f"Salesforce answered {status}; the sync will try again.", status=status
            )
        raise Rejected(f"Salesforce refused the data: {text}", status=status)

    # -- checks ------------------------------------------------------------------------------

    def check(self, fields: list[str]) -> None:
        """Raise with a sentence unless the token works and Contact has every mapped field."""
        self.refresh()
        described = json_or_empty(
            self._call("GET", f"/services/data/{API}/sobjects/Contact/describe")
        )
        names = {f.get("name") for f in described.get("fields") or []}
        for name in fields:
            if "." not in name and name not in names:
                raise Rejected(
                    f"Salesforce's Contact object has no field named “{name}”: create it "
                    "(the id field as an External ID), or map the field to another one."
                )

    # -- outbound ----------------------------------------------------------------------------

    def upsert_contact(
        self, external_field: str, external_id: str, fields: dict[str, Any], account: dict | None
    ) -> str:
        """Upsert the Account (when given: {"key_field", "key", "Name"}) and the Contact in one
        all-or-none Composite request; returns the Contact's id."""
        base = f"/services/data/{API}/sobjects"
        requests = []
        if account is not None:
            requests.append(
                {
                    "method": "PATCH",
                    "url": f"{base}/Account/{account['key_field']}/{quote(account['key'], safe='')}",
                    "referenceId": "account",
                    "body": {"Name": account["Name"]},
                }
            )
            fields = {**fields, "AccountId": "@{account.id}"}
        requests.append(
            {
                "method": "PATCH",
                "url": f"{base}/Contact/{external_field}/{quote(external_id, safe='')}",
                "referenceId": "contact",
                "body": fields,
            }
        )
        body = json_or_empty(
            self._call(
                "POST",
                f"/services/data/{API}/composite",
                json={"allOrNone": True, "compositeRequest": requests},
            )
        )
        results = {r.get("referenceId"): r for r in body.get("compositeResponse") or []}
        for result in results.values():
            if int(result.get("httpStatusCode") or 0) >= 300:
                text = _errors(result.get("body"), int(result["httpStatusCode"]))
                if "PROCESSING_HALTED" in text:
                    continue
                raise Rejected(f"Salesforce refused the {result.get('referenceId')}: {text}")
        contact = results.get("contact") or {}
        contact_id = (contact.get("body") or {}).get("id")
        if not contact_id:
            raise CrmError("Salesforce's answer named no contact id.")
        return str(contact_id)

    def upsert_activity(self, sobject: str, key_field: str, key: str, fields: dict) -> str:
        """Upsert a Task or Case by our event key (a retry updates the same record)."""
        response = self._call(
            "PATCH",
            f"/services/data/{API}/sobjects/{sobject}/{key_field}/{quote(key, safe='')}",
            json=fields,
        )
        body = json_or_empty(response)
        if response.status_code == 404:
            raise Rejected(f"Salesforce has no {sobject} field {key_field} to upsert by.")
        if isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        # 204 (older API versions) names no id: read it back by the key.
        found = json_or_empty(
            self._call(
                "GET",
                f"/services/data/{API}/sobjects/{sobject}/{key_field}/{quote(key, safe='')}",
                params={"fields": "Id"},
            )
        )
        return str(found.get("Id", ""))

    # -- inbound -----------------------------------------------------------------------------

    def query(self, soql: str) -> Iterator[dict]:
        """Every record of a SOQL query, following nextRecordsUrl."""
        path: str | None = f"/services/data/{API}/query"
        params: dict | None = {"q": soql}
        while path:
            body = json_or_empty(self._call("GET", path, params=params))
            yield from body.get("records") or []
            path, params = (None if body.get("done", True) else body.get("nextRecordsUrl")), None

    def _select(self, fields: list[str]) -> str:
        return ", ".join(dict.fromkeys(["Id", "Email", "LastModifiedDate", *fields]))

    def read_contact(
        self, external_field: str, external_id: str, email: str, fields: list[str]
    ) -> Found | None:
        """Our contact (by external id, else by email), or None."""
        # SOQL, not SQL: names come from the checked mapping, values through soql_string.
        soql = (
            f"SELECT {self._select(fields)} FROM Contact WHERE {external_field} = "  # noqa: S608
            f"{soql_string(external_id)} OR Email = {soql_string(email)} "
            "ORDER BY LastModifiedDate DESC LIMIT 1"
        )
        return next((self._found(r) for r in self.query(soql)), None)

    def changed_since(self, since: dt.datetime, fields: list[str]) -> Iterator[Found]:
        # SOQL: names from the checked mapping, a formatted instant.
        soql = (
            f"SELECT {self._select(fields)} FROM Contact WHERE LastModifiedDate >= "  # noqa: S608
            f"{soql_datetime(since)} ORDER BY LastModifiedDate ASC"
        )
        for record in self.query(soql):
            yield self._found(record)

    @staticmethod
    def _found(record: dict) -> Found:
        return Found(
            id=str(record.get("Id")),
            email=str(record.get("Email") or "").lower(),
            fields=record,
            updated_at=_when(record.get("LastModifiedDate")),
        )


def field_value(record: dict, name: str) -> Any:
    """A field of a record, following one relationship ("Account.Name")."""
    value: Any = record
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
