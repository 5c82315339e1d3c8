"""Examples shown in the OpenAPI document (a test validates each against its schema)."""

from __future__ import annotations

CUSTOMER = {
    "id": 42,
    "email": "dana@example.com",
    "name": "Dana Scully",
    "tier": "premium",
    "company": "FBI",
    "external_ids": {"crm": "C-1013"},
    "created_at": "2026-11-20T09:12:00Z",
}

TICKET = {
    "id": 1201,
    "number": 118,
    "subject": "Cannot export invoices to PDF",
    "status": "in_progress",
    "priority": "high",
    "channel": "api",
    "customer": {"id": 42, "email": "dana@example.com", "name": "Dana Scully"},
    "assignee": {"id": 7, "name": "Alex Agent", "email": "alex@acme.example"},
    "team": {"id": 3, "name": "Billing"},
    "tags": ["billing", "export"],
    "custom_fields": {"order_number": "A-10442", "product": ["Invoices"]},
    "created_at": "2026-11-25T08:30:00Z",
    "updated_at": "2026-11-25T09:02:11Z",
    "first_response_at": "2026-11-25T08:41:27Z",
    "resolved_at": None,
    "closed_at": None,
    "version": 4,
    "merged_into": None,
}

TICKET_CREATE = {
    "subject": "Cannot export invoices to PDF",
    "body": "The export button spins forever since this morning.",
    "customer_email": "dana@example.com",
    "customer_name": "Dana Scully",
    "priority": "high",
    "tags": ["billing", "export"],
}

TICKET_MERGE = {"into": 117, "version": 4}
TICKET_SPLIT = {"message_id": 5521, "subject": "Refund for order 4411", "version": 4}
TICKET_UPDATE = {
    "version": 4,
    "status": "resolved",
    "assignee_id": 7,
    "tags": ["billing"],
    "custom_fields": {"order_number": "A-10442"},
}

TICKET_PAGE = {"data": [TICKET], "next_cursor": "WyIyMDI2LTExLTI1VDA5OjAyOjExIiwgMTIwMV0"}

AUTHOR_AGENT = {"type": "agent", "id": 7, "name": "Alex Agent"}

MESSAGE = {
    "id": 5512,
    "kind": "public",
    "author": AUTHOR_AGENT,
    "body_text": "Thanks Dana, a **fix** is on its way.",
    "body_html": "<p>Thanks Dana, a <strong>fix</strong> is on its way.</p>",
    "body_format": "markdown",
    "cc": ["lee@customer.example"],
    "time_spent_minutes": 15,
    "created_at": "2026-11-25T08:41:27Z",
    "attachments": [
        {
            "id": 311,
            "filename": "export-fix.pdf",
            "content_type": "application/pdf",
            "size": 48213,
            "inline": False,
            "content_id": None,
            "stored": True,
            "skipped_reason": None,
            "url": "/api/v1/attachments/311",
        }
    ],
}

MESSAGE_CREATE = {
    "body": "Thanks Dana, a **fix** is on its way.",
    "kind": "public",
    "body_format": "markdown",
    "cc": ["lee@customer.example"],
    "time_spent_minutes": 15,
    "attachments": [
        {
            "filename": "export-fix.pdf",
            "content_type": "application/pdf",
            "content_base64": "JVBERi0xLjQKJcfsj6IKJSVFT0YK",
        }
    ],
}

TIME_SPENT = {
    "total_minutes": 40,
    "by_agent": [
        {"agent": {"id": 7, "name": "Sam Rivera", "email": "sam@acme.example"}, "minutes": 40}
    ],
}

MESSAGE_PAGE = {"data": [MESSAGE], "next_cursor": None}

EVENT_PAGE = {
    "data": [
        {
            "id": 9001,
            "kind": "status",
            "actor": AUTHOR_AGENT,
            "old_value": "Open",
            "new_value": "In progress",
            "data": {"old": "open", "new": "in_progress"},
            "ticket_version": 2,
            "created_at": "2026-11-25T08:41:30Z",
        }
    ],
    "next_cursor": "9001",
}

CUSTOMER_PAGE = {"data": [CUSTOMER], "next_page": 2}

CUSTOMER_CREATE = {
    "email": "dana@example.com",
    "name": "Dana Scully",
    "tier": "premium",
    "company": "FBI",
}

CUSTOMER_UPDATE = {"tier": "enterprise"}

AGENT_LIST = {
    "data": [
        {
            "id": 7,
            "name": "Alex Agent",
            "email": "alex@acme.example",
            "role": "agent",
            "active": True,
            "away": False,
            "two_factor": True,
            "teams": [{"id": 3, "name": "Billing"}],
        }
    ]
}

TEAM_LIST = {
    "data": [
        {
            "id": 3,
            "name": "Billing",
            "description": "Invoices, refunds and payment methods.",
            "assignment_strategy": "round_robin",
            "members": [{"id": 7, "name": "Alex Agent", "email": "alex@acme.example"}],
        }
    ]
}

# One example per error status, used by the document's shared error responses.
ERRORS = {
    400: (
        "malformed_json",
        "The body is not valid JSON: Expecting value: line 1 column 1 (char 0)",
        {},
    ),
    401: ("unauthorized", "Send your API token as 'Authorization: Bearer <token>'.", {}),
    403: (
        "read_only_token",
        "This token is read-only; create a read-write token to make changes.",
        {},
    ),
    404: ("not_found", "Ticket #118 does not exist.", {}),
    409: (
        "stale_version",
        "Ticket #118 was changed by someone else after you opened it.",
        {"version": "The ticket has changed since you loaded it."},
    ),
    413: ("payload_too_large", "The request body is too large.", {}),
    415: (
        "unsupported_media_type",
        "Send the body as JSON with 'Content-Type: application/json'.",
        {"Content-Type": "Use application/json."},
    ),
    422: (
        "validation_failed",
        "Invalid value for subject: String should have at least 1 character",
        {"subject": "String should have at least 1 character"},
    ),
    429: ("rate_limited", "Too many requests for this token; retry in 12 seconds.", {}),
}

WEBHOOK_ENDPOINT = {
    "id": 5,
    "url": "https://hooks.example.com/supportdesk",
    "description": "CRM sync",
    "event_types": ["ticket.created", "ticket.status_changed"],
    "enabled": True,
    "disabled_reason": "",
    "disabled_at": None,
    "created_at": "2026-11-20T09:12:00Z",
    "updated_at": "2026-11-24T16:40:05Z",
}

WEBHOOK_ENDPOINT_WITH_SECRET = {
    **WEBHOOK_ENDPOINT,
    "secret": "whsec_3q2+7wAAAAAexampleexampleexample=",
}

WEBHOOK_ENDPOINT_PAGE = {"data": [WEBHOOK_ENDPOINT], "next_cursor": None}

WEBHOOK_ENDPOINT_CREATE = {
    "url": "https://hooks.example.com/supportdesk",
    "description": "CRM sync",
    "event_types": ["ticket.created", "ticket.status_changed"],
    "enabled": True,
}

WEBHOOK_ENDPOINT_UPDATE = {"event_types": ["ticket.created"], "enabled": False}
