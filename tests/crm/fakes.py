"""Fake HubSpot and Salesforce: the documented subset of each REST API we use, on a real HTTP
server (pytest-httpserver), with their status codes, error bodies, rate-limit headers, token
expiry and paging. Each records every request it got, so tests check the shapes we send.

Failures are scripted with `fail_next(method, path_prefix, status, body, headers)`: the next
matching request gets that answer instead (a 429 with Retry-After, a 500, ...).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

RATE_HEADERS = {
    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    "X-HubSpot-RateLimit-Max": "100",
    "X-HubSpot-RateLimit-Remaining": "0",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    args: dict[str, str]
    body: Any


@dataclass
class _Failure:
    method: str
    prefix: str
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class _Fake:
    server: HTTPServer
    requests: list[Seen] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    ids: itertools.count = field(default_factory=lambda: itertools.count(501))

    def install(self) -> _Fake:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._handle)
        return self

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def fail_next(
        self, method: str, prefix: str, status: int, body: Any = None, headers: dict | None = None
    ) -> None:
        self.failures.append(_Failure(method, prefix, status, body, headers or {}))

    def calls(self, method: str, prefix: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def _handle(self, request: Request) -> Response:
        if request.mimetype == "application/json":
            body = request.get_json(silent=True)
        elif request.form:
            body = dict(request.form)
        else:
            body = None
        seen = Seen(request.method, request.path, dict(request.headers), dict(request.args), body)
        self.requests.append(seen)
        for failure in self.failures:
            if failure.method == request.method and request.path.startswith(failure.prefix):
                self.failures.remove(failure)
                return self.json(failure.body or {}, failure.status, failure.headers)
        return self.route(seen)

    @staticmethod
    def json(body: Any, status: int = 200, headers: dict | None = None) -> Response:
        return Response(
            json.dumps(body), status=status, headers=headers or {}, mimetype="application/json"
        )

    def route(self, seen: Seen) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError


# -- HubSpot ---------------------------------------------------------------------------------

HUBSPOT_PROPERTIES = {
    "email",
    "firstname",
    "lastname",
    "company",
    "supportdesk_tier",
    "hubspot_owner_id",
}


@dataclass
class FakeHubSpot(_Fake):
    """CRM v3 objects (contacts, companies, notes), search, v4 default associations."""

    token: str = "pat-na1-good"
    properties: set[str] = field(default_factory=lambda: set(HUBSPOT_PROPERTIES))
    contacts: dict[str, dict] = field(default_factory=dict)
    companies: dict[str, dict] = field(default_factory=dict)
    notes: dict[str, dict] = field(default_factory=dict)
    associations: set[tuple[str, str]] = field(default_factory=set)
    # The owners API (GET /crm/v3/owners/{id}); None: the app lacks the owners scope (403).
    owners: dict[str, dict] | None = field(
        default_factory=lambda: {
            "41629779": {
                "id": "41629779",
                "email": "maria@seller.example",
                "type": "PERSON",
                "firstName": "Maria",
                "lastName": "Rossi",
                "userId": 9586504,
                "archived": False,
            }
        }
    )

    def contact(self, email: str) -> dict | None:
        return next(
            (c for c in self.contacts.values() if c["properties"].get("email") == email), None
        )

    def edit(self, email: str, at: dt.datetime | None = None, **props: str) -> None:
        """Someone changed the contact in HubSpot."""
        contact = self.contact(email)
        if contact is None:
            contact = self._new_contact({"email": email})
        contact["properties"].update(props)
        self._touch(contact, at or _now())

    def _new_contact(self, props: dict) -> dict:
        contact_id = str(next(self.ids))
        contact = {"id": contact_id, "properties": dict(props), "archived": False}
        contact["createdAt"] = _iso(_now())
        self._touch(contact, _now())
        self.contacts[contact_id] = contact
        return contact

    @staticmethod
    def _touch(record: dict, at: dt.datetime) -> None:
        record["updatedAt"] = _iso(at)
        record["properties"]["lastmodifieddate"] = _iso(at)

    def route(self, seen: Seen) -> Response:
        if seen.headers.get("Authorization") != f"Bearer {self.token}":
            return self.json(
                {
                    "status": "error",
                    "message": "Authentication credentials not found.",
                    "correlationId": "0b7e4f1c",
                    "category": "INVALID_AUTHENTICATION",
                },
                401,
            )
        m, p, b = seen.method, seen.path, seen.body or {}
        if m == "GET" and p == "/crm/v3/objects/contacts":
            return self.json({"results": list(self.contacts.values())[:1]})
        if m == "GET" and p.startswith("/crm/v3/properties/contacts/"):
            name = p.rsplit("/", 1)[1]
            if name not in self.properties:
                return self.json(
                    {
                        "status": "error",
                        "message": f"Unable to find property {name}",
                        "category": "OBJECT_NOT_FOUND",
                    },
                    404,
                )
            return self.json({"name": name, "type": "string", "fieldType": "text"})
        if m == "POST" and p == "/crm/v3/objects/contacts/batch/upsert":
            return self._upsert(b)
        if m == "POST" and p == "/crm/v3/objects/contacts/batch/update":
            return self._update(b)
        if m == "POST" and p == "/crm/v3/objects/companies/search":
            name = b["filterGroups"][0]["filters"][0]["value"]
            found = [c for c in self.companies.values() if c["properties"]["name"] == name]
            return self.json({"total": len(found), "results": found[:1]})
        if m == "POST" and p == "/crm/v3/objects/companies":
            company_id = str(next(self.ids))
            self.companies[company_id] = {"id": company_id, "properties": dict(b["properties"])}
            return self.json(self.companies[company_id], 201)
        if m == "POST" and p == "/crm/v4/associations/contacts/companies/batch/associate/default":
            results = []
            for item in b["inputs"]:
                self.associations.add((item["from"]["id"], item["to"]["id"]))
                results.append(
                    {
                        "from": item["from"],
                        "to": item["to"],
                        "associationSpec": {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": 279,
                        },
                    }
                )
            return self.json({"status": "COMPLETE", "results": results})
        if m == "POST" and p == "/crm/v3/objects/notes":
            if "hs_timestamp" not in b.get("properties", {}):
                return self.json(
                    {
                        "status": "error",
                        "message": "hs_timestamp is required",
                        "category": "VALIDATION_ERROR",
                    },
                    400,
                )
            note_id = str(next(self.ids))
            self.notes[note_id] = {
                "id": note_id,
                "properties": b["properties"],
                "associations": b.get("associations", []),
            }
            return self.json(
                {
                    "id": note_id,
                    "properties": b["properties"],
                    "createdAt": _iso(_now()),
                    "archived": False,
                },
                201,
            )
        if m == "POST" and p == "/crm/v3/objects/notes/search":
            token = b["filterGroups"][0]["filters"][0]["value"]
            found = [n for n in self.notes.values() if token in n["properties"]["hs_note_body"]]
            return self.json({"total": len(found), "results": found[:1]})
        if m == "POST" and p == "/crm/v3/objects/contacts/search":
            return self._search(b)
        if m == "GET" and p.startswith("/crm/v3/owners/"):
            if self.owners is None:
                return self.json(
                    {
                        "status": "error",
                        "message": "This app hasn't been granted all required scopes to make "
                        "this call.",
                        "category": "MISSING_SCOPES",
                    },
                    403,
                )
            owner = self.owners.get(p.rsplit("/", 1)[1])
            if owner is None:
                return self.json(
                    {
                        "status": "error",
                        "message": "Owner not found",
                        "category": "OBJECT_NOT_FOUND",
                    },
                    404,
                )
            return self.json(owner)
        if m == "GET" and p.startswith("/crm/v3/objects/contacts/"):
            key = unquote(p.rsplit("/", 1)[1])
            if seen.args.get("idProperty") == "email":
                contact = self.contact(key)
            else:
                contact = self.contacts.get(key)
            if contact is None:
                return self.json(
                    {
                        "status": "error",
                        "message": "resource not found",
                        "category": "OBJECT_NOT_FOUND",
                    },
                    404,
                )
            return self.json(contact)
        return self.json({"status": "error", "message": f"No route {m} {p}"}, 404)

    def _upsert(self, body: dict) -> Response:
        inputs = body.get("inputs") or []
        if len(inputs) > 100:
            return self.json(
                {
                    "status": "error",
                    "message": "Too many inputs (max 100)",
                    "category": "VALIDATION_ERROR",
                },
                400,
            )
        for item in inputs:
            unknown = set(item["properties"]) - self.properties
            if item.get("idProperty") != "email" or unknown:
                name = sorted(unknown)[0] if unknown else item.get("idProperty")
                return self.json(
                    {
                        "status": "error",
                        "message": f'Property values were not valid: [{{"isValid":false,'
                        f'"message":"Property \\"{name}\\" does not exist","name":"{name}"}}]',
                        "correlationId": "3c1a2b",
                        "category": "VALIDATION_ERROR",
                    },
                    400,
                )
        results = []
        for item in inputs:
            contact = self.contact(item["id"])
            new = contact is None
            if new:
                contact = self._new_contact({"email": item["id"]})
            contact["properties"].update(item["properties"])
            self._touch(contact, _now())
            results.append({**contact, "new": new})
        now = _iso(_now())
        return self.json(
            {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
        )

    def _update(self, body: dict) -> Response:
        results, errors = [], []
        for item in body.get("inputs") or []:
            contact = self.contacts.get(str(item["id"]))
            if contact is None:
                errors.append(
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "message": f"Object {item['id']} not found",
                        "context": {"ids": [str(item["id"])]},
                    }
                )
                continue
            contact["properties"].update(item["properties"])
            self._touch(contact, _now())
            results.append(contact)
        now = _iso(_now())
        answer = {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
        if errors:
            answer.update(errors=errors, numErrors=len(errors))
        return self.json(answer, 207 if errors else 200)

    def _search(self, body: dict) -> Response:
        since = int(body["filterGroups"][0]["filters"][0]["value"])
        matching = sorted(
            (
                c
                for c in self.contacts.values()
                if dt.datetime.fromisoformat(c["updatedAt"].replace("Z", "+00:00")).timestamp()
                * 1000
                >= since
            ),
            key=lambda c: c["updatedAt"],
        )
        start = int(body.get("after") or 0)
        limit = int(body.get("limit") or 10)
        page = matching[start : start + limit]
        answer: dict[str, Any] = {"total": len(matching), "results": page}
        if start + limit < len(matching):
            answer["paging"] = {"next": {"after": str(start + limit)}}
        return self.json(answer)


# -- Salesforce ------------------------------------------------------------------------------

HALTED = "The transaction was rolled back since another operation in the same transaction failed."
SF_CONTACT_FIELDS = {
    "Id",
    "FirstName",
    "LastName",
    "Email",
    "AccountId",
    "OwnerId",
    "LastModifiedDate",
    "SupportDesk_Id__c",
    "SupportDesk_Tier__c",
}


@dataclass
class FakeSalesforce(_Fake):
    """OAuth token endpoint, sObject upsert by external id, Composite, SOQL query, describe."""

    client_id: str = "3MVG9-consumer-key"
    client_secret: str = "consumer-secret"
    refresh_token: str = "5Aep861-refresh"
    revoked: bool = False
    session: str | None = None
    sessions_issued: int = 0
    records: dict[str, dict[str, dict]] = field(
        default_factory=lambda: {"Account": {}, "Contact": {}, "Task": {}, "Case": {}}
    )
    blocked_domain: str = "blocked.example"
    # The web server flow: codes issued by the authorize endpoint, and what each was issued for.
    codes: dict[str, dict] = field(default_factory=dict)
    deny: bool = False  # the user presses "Deny" on Salesforce's allow page
    # Users that own contacts (a new contact is owned by the integration user).
    users: dict[str, str] = field(
        default_factory=lambda: {"0055g00000A": "Integration User", "0055g00000B": "Maria Rossi"}
    )

    def expire_session(self) -> None:
        self.session = "expired"

    def contact(self, external_id: str) -> dict | None:
        return next(
            (
                c
                for c in self.records["Contact"].values()
                if c.get("SupportDesk_Id__c") == external_id
            ),
            None,
        )

    def edit(self, external_id: str, at: dt.datetime | None = None, **fields: Any) -> None:
        contact = self.contact(external_id)
        contact.update(fields)
        contact["LastModifiedDate"] = self._stamp(at or _now())

    @staticmethod
    def _stamp(at: dt.datetime) -> str:
        return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"

    def _new_id(self, sobject: str) -> str:
        prefix = {"Account": "001", "Contact": "003", "Task": "00T", "Case": "500"}[sobject]
        return f"{prefix}5g00000{next(self.ids):08d}"

    def route(self, seen: Seen) -> Response:
        m, p = seen.method, seen.path
        if m == "POST" and p == "/services/oauth2/token":
            return self._token(seen.body or {})
        if m == "GET" and p == "/services/oauth2/authorize":
            return self._authorize(seen.args)
        if not p.startswith("/services/data/v60.0/"):
            return self.json(
                [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
                404,
            )
        if (
            seen.headers.get("Authorization") != f"Bearer {self.session}"
            or self.session == "expired"
        ):
            return self.json(
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], 401
            )
        rest = p.removeprefix("/services/data/v60.0")
        if m == "GET" and rest == "/sobjects/Contact/describe":
            return self.json(
                {"name": "Contact", "fields": [{"name": n} for n in sorted(SF_CONTACT_FIELDS)]}
            )
        if m == "POST" and rest == "/composite":
            return self._composite(seen.body)
        if m == "PATCH" and rest.startswith("/sobjects/"):
            status, body = self._upsert(rest, seen.body or {}, {})
            return self.json(body, status)
        if m == "GET" and rest == "/query":
            return self._query(seen.args["q"])
        return self.json(
            [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], 404
        )

    def _authorize(self, args: dict) -> Response:
        """The login and allow pages, already passed: back to the callback with a code."""
        if args.get("response_type") != "code" or args.get("client_id") != self.client_id:
            return Response("error=invalid_client_id", status=400)
        redirect_uri = args.get("redirect_uri", "")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return Response("PKCE is required by this connected app", status=400)
        if self.deny:
            answer = {
                "error": "access_denied",
                "error_description": "end-user denied authorization",
            }
        else:
            code = f"aPrx{next(self.ids)}"
            self.codes[code] = {
                "challenge": args["code_challenge"],
                "redirect_uri": redirect_uri,
                "used": False,
            }
            answer = {"code": code}
        if "state" in args:
            answer["state"] = args["state"]
        return Response(status=302, headers={"Location": f"{redirect_uri}?{urlencode(answer)}"})

    def _code_grant(self, form: dict) -> Response:
        issued = self.codes.get(form.get("code", ""))
        if issued is None or issued["used"]:
            return self.json(
                {"error": "invalid_grant", "error_description": "invalid authorization code"}, 400
            )
        if form.get("redirect_uri") != issued["redirect_uri"]:
            return self.json(
                {"error": "redirect_uri_mismatch", "error_description": "redirect_uri must match"},
                400,
            )
        verifier = form.get("code_verifier", "")
        if not verifier:
            return self.json(
                {"error": "invalid_grant", "error_description": "code verifier is required"}, 400
            )
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued["challenge"]:
            return self.json(
                {"error": "invalid_request", "error_description": "invalid code verifier"}, 400
            )
        issued["used"] = True
        answer = self._session_answer()
        answer.update(refresh_token=self.refresh_token, scope="api refresh_token")
        return self.json(answer)

    def _session_answer(self) -> dict:
        self.sessions_issued += 1
        self.session = f"00D5g000004Sess!{self.sessions_issued}"
        return {
            "access_token": self.session,
            "instance_url": self.url,
            "id": f"{self.url}/id/00D5g000004/0055g00000A",
            "token_type": "Bearer",
            "issued_at": str(int(_now().timestamp() * 1000)),
            "signature": "c2lnbmF0dXJl",
        }

    def _token(self, form: dict) -> Response:
        if (
            form.get("grant_type") == "authorization_code"
            and form.get("client_id") == self.client_id
            and form.get("client_secret") == self.client_secret
        ):
            return self._code_grant(form)
        if form.get("grant_type") not in ("refresh_token", "authorization_code"):
            return self.json(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
                400,
            )
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return self.json(
                {"error": "invalid_client", "error_description": "invalid client credentials"}, 400
            )
        if self.revoked or form.get("refresh_token") != self.refresh_token:
            return self.json(
                {"error": "invalid_grant", "error_description": "expired access/refresh token"}, 400
            )
        return self.json(self._session_answer())

    def _upsert(self, rest: str, body: dict, refs: dict) -> tuple[int, Any]:
        _, _, sobject, key_field, key = rest.split("/", 4)
        key = unquote(key)
        body = {
            k: (refs.get(v[2:-4]) if isinstance(v, str) and v.startswith("@{") else v)
            for k, v in body.items()
        }
        if sobject == "Contact" and str(body.get("Email", "")).endswith("@" + self.blocked_domain):
            return 400, [
                {
                    "message": "Contacts from this domain are not accepted.",
                    "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "fields": ["Email"],
                }
            ]
        if sobject == "Contact" and not body.get("LastName"):
            return 400, [
                {
                    "message": "Required fields are missing: [LastName]",
                    "errorCode": "REQUIRED_FIELD_MISSING",
                    "fields": ["LastName"],
                }
            ]
        table = self.records[sobject]
        record = next((r for r in table.values() if r.get(key_field) == key), None)
        created = record is None
        if created:
            record = {"Id": self._new_id(sobject), key_field: key}
            if sobject == "Contact":
                record["OwnerId"] = "0055g00000A"
            table[record["Id"]] = record
        record.update(body)
        record["LastModifiedDate"] = self._stamp(_now())
        return (201 if created else 200), {
            "id": record["Id"],
            "success": True,
            "errors": [],
            "created": created,
        }

    def _composite(self, body: dict) -> Response:
        before = copy.deepcopy(self.records)
        results, refs, failed = [], {}, False
        for sub in body["compositeRequest"]:
            if failed:
                results.append(
                    {
                        "body": [
                            {
                                "errorCode": "PROCESSING_HALTED",
                                "message": HALTED,
                            }
                        ],
                        "httpHeaders": {},
                        "httpStatusCode": 400,
                        "referenceId": sub["referenceId"],
                    }
                )
                continue
            status, answer = self._upsert(
                sub["url"].removeprefix("/services/data/v60.0"), sub.get("body") or {}, refs
            )
            if status < 300:
                refs[sub["referenceId"]] = answer["id"]
            elif body.get("allOrNone"):
                failed = True
            results.append(
                {
                    "body": answer,
                    "httpHeaders": {},
                    "httpStatusCode": status,
                    "referenceId": sub["referenceId"],
                }
            )
        if failed:  # all or none: what succeeded before the failure is rolled back
            self.records = before
            for result in results:
                if result["httpStatusCode"] < 300:
                    result["httpStatusCode"] = 400
                    result["body"] = [{"errorCode": "PROCESSING_HALTED", "message": HALTED}]
        return self.json({"compositeResponse": results})

    def _query(self, soql: str) -> Response:
        contacts = list(self.records["Contact"].values())
        since = re.search(r"LastModifiedDate >= (\S+)", soql)
        by_key = re.search(r"SupportDesk_Id__c = '([^']*)' OR Email = '([^']*)'", soql)
        if since:
            limit = dt.datetime.fromisoformat(since.group(1).replace("Z", "+00:00"))
            contacts = [
                c
                for c in contacts
                if dt.datetime.strptime(c["LastModifiedDate"], "%Y-%m-%dT%H:%M:%S.%f%z") >= limit
            ]
            contacts.sort(key=lambda c: c["LastModifiedDate"])
        elif by_key:
            contacts = [
                c
                for c in contacts
                if c.get("SupportDesk_Id__c") == by_key.group(1)
                or c.get("Email") == by_key.group(2)
            ]
        records = []
        for c in contacts:
            record = {
                "attributes": {
                    "type": "Contact",
                    "url": f"/services/data/v60.0/sobjects/Contact/{c['Id']}",
                },
                **c,
            }
            account = self.records["Account"].get(c.get("AccountId") or "")
            record["Account"] = (
                {"attributes": {"type": "Account"}, "Name": account["Name"]} if account else None
            )
            if "Owner.Name" in soql:
                record["Owner"] = {
                    "attributes": {"type": "User"},
                    "Name": self.users.get(c.get("OwnerId", "")),
                }
            records.append(record)
        return self.json({"totalSize": len(records), "done": True, "records": records})
