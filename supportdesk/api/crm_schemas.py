"""API v1 schemas of the CRM connection and its sync log (see supportdesk.api.schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from supportdesk.api.schemas import _PORT, Input, Output
from supportdesk.crm.mapping import PROPERTY_PATTERN

Direction = Literal["push", "pull", "both", "off"]


class FieldMapping(Input):
    """Where one customer field goes in the CRM, and which way it syncs."""

    property: str = Field(
        min_length=1,
        max_length=100,
        pattern=PROPERTY_PATTERN,
        description="The CRM property's internal name (`Account.Name`: a related record's field).",
    )
    direction: Direction
    master: Literal["crm", "supportdesk"] | None = Field(
        None,
        description="Who wins when a `both` field changed on both sides since the last sync "
        "(the other value is written in the sync log). Left out: the stored choice, at first "
        "`crm`.",
    )


class FieldMap(Input):
    """The mapped customer fields (name and email always go to the CRM)."""

    company: FieldMapping | None = None
    tier: FieldMapping | None = None


class CrmConnectionUpdate(Input):
    """The connection's settings. Secrets are write-only: leave one out to keep the stored value."""

    provider: Literal["hubspot", "salesforce"]
    base_url: str = Field(
        "",
        max_length=500,
        pattern=rf"^(https?://[A-Za-z0-9.-]+(:{_PORT})?([/?#][!-~]*)?)?$",
        description="Empty: the CRM's own address.",
    )
    access_token: str = Field("", max_length=2000, description="HubSpot private-app token.")
    client_id: str = Field("", max_length=300, description="Salesforce consumer key.")
    client_secret: str = Field("", max_length=2000, description="Salesforce consumer secret.")
    refresh_token: str = Field("", max_length=2000, description="Salesforce OAuth refresh token.")
    webhook_secret: str = Field(
        "", max_length=2000, description="HubSpot app client secret (signs its webhooks)."
    )
    field_map: FieldMap | None = None
    timeline_events: list[Literal["ticket.created", "ticket.resolved"]] | None = None
    timeline_object: Literal["Task", "Case"] = "Task"
    enabled: bool = True


class FieldMappingOut(Output):
    property: str
    direction: str
    master: str = Field(description="crm or supportdesk: who wins a conflict.")


class CrmConnection(Output):
    """The organization's CRM connection, without its secrets (`*_set` says whether each is stored)."""

    provider: str
    base_url: str
    enabled: bool
    client_id: str
    access_token_set: bool
    client_secret_set: bool
    refresh_token_set: bool
    webhook_secret_set: bool
    webhook_url: str | None = Field(
        description="Where HubSpot posts contact changes (HubSpot only)."
    )
    field_map: dict[str, FieldMappingOut]
    timeline_events: list[str]
    timeline_object: str
    status: str = Field(description="untested, ok or broken.")
    status_message: str = Field(description="What is wrong, in a sentence, when broken.")
    checked_at: dt.datetime | None
    pulled_at: dt.datetime | None


class CrmTestResult(Output):
    """The outcome of calling the CRM now."""

    ok: bool
    message: str


class CrmRefreshResult(Output):
    """What a refresh from the CRM changed on the customer (or why the CRM could not be read)."""

    ok: bool
    message: str
    crm_id: str | None
    crm_sync_status: str
    tier: str
    company: str


class CrmSync(Output):
    """One write to the CRM: a contact upsert or a timeline entry, with its outcome."""

    id: int
    kind: str
    customer_id: int
    state: str
    attempts: int
    crm_object_id: str
    last_error: str
    request_summary: str
    note: str = Field(description="Conflicts met, in words: the value kept and the one that lost.")
    duration_ms: int
    created_at: dt.datetime
    sent_at: dt.datetime | None


class CrmSyncList(Output):
    """The newest sync rows."""

    data: list[CrmSync]
