"""API schemas and examples of custom fields and saved views (the ticket schemas carry values)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from supportdesk.api.schemas import CURSOR_PATTERN, Input, Output, Text
from supportdesk.fields.models import FieldType

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Option = Text(100, 1)
FilterValue = Text(200)


class CustomField(Output):
    """A ticket field of the organization; tickets hold its value under `key`."""

    id: int
    key: str
    label: str
    type: FieldType
    options: list[str] = Field(description="The choices of select fields (empty otherwise).")
    required_on_resolve: bool = Field(
        description="Tickets cannot be resolved or closed while it has no value."
    )
    position: int
    archived: bool = Field(description="Archived: hidden from forms and filters; values kept.")
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomFieldList(Output):
    """Every field, in order."""

    data: list[CustomField]


class CustomFieldCreate(Input):
    """A new field. `key` and `type` are fixed once created."""

    key: Key
    label: Text(80, 1, blank=False)
    type: FieldType
    options: list[Option] = Field(
        default_factory=list,
        max_length=50,
        description="The choices of a select (distinct); ignored for other types.",
    )
    required_on_resolve: bool = False


class CustomFieldUpdate(Input):
    """Fields to change; those left out stay as they are."""

    label: Text(80, 1, blank=False) | None = None
    options: list[Option] | None = Field(default=None, max_length=50)
    required_on_resolve: bool | None = None
    archived: bool | None = None


class SavedView(Output):
    """A saved queue: its filters (the console queue's query string), sort and columns."""

    id: int
    name: str
    shared: bool = Field(description="Shared with every agent (else only its owner sees it).")
    owner_id: int
    filters: dict[str, str | list[str]] = Field(
        description="Queue filters as query-string arguments: `queue`, `status`, `priority`, "
        "`assignee`, `team`, `tag`, `sort`, `dir`, and `cf.<key>` (equals; a multi select: has), "
        "`cf.<key>.min` / `cf.<key>.max` (numbers and dates)."
    )
    columns: list[str] = Field(description="Custom field keys shown as queue columns.")
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


class SavedViewList(Output):
    """The caller's views, then the shared ones."""

    data: list[SavedView]


class SavedViewCreate(Input):
    """A new view: personal, or shared (senior agents and admins)."""

    name: Text(80, 1, blank=False)
    filters: dict[str, FilterValue | list[FilterValue]] = Field(default_factory=dict, max_length=40)
    columns: list[Key] = Field(default_factory=list, max_length=20)
    shared: bool = False


class SavedViewUpdate(Input):
    """Fields to change; those left out stay as they are."""

    name: Text(80, 1, blank=False) | None = None
    filters: dict[str, FilterValue | list[FilterValue]] | None = Field(default=None, max_length=40)
    columns: list[Key] | None = Field(default=None, max_length=20)
    shared: bool | None = None


class ViewTicketsQuery(Input):
    """Paging for the tickets of a view."""

    limit: int = Field(default=25, ge=1, le=100)
    cursor: Annotated[str, Field(pattern=CURSOR_PATTERN)] | None = Field(
        default=None, description="`next_cursor` of the previous page."
    )


CUSTOM_FIELD = {
    "id": 3,
    "key": "product",
    "label": "Product",
    "type": "multiselect",
    "options": ["Invoices", "Payroll", "Reports"],
    "required_on_resolve": True,
    "position": 2,
    "archived": False,
    "created_at": "2026-11-20T09:12:00Z",
    "updated_at": "2026-11-20T09:12:00Z",
}
CUSTOM_FIELD_LIST = {"data": [CUSTOM_FIELD]}
CUSTOM_FIELD_CREATE = {
    "key": "product",
    "label": "Product",
    "type": "multiselect",
    "options": ["Invoices", "Payroll", "Reports"],
    "required_on_resolve": True,
}
CUSTOM_FIELD_UPDATE = {"options": ["Invoices", "Payroll", "Reports", "Exports"]}
SAVED_VIEW = {
    "id": 12,
    "name": "Open invoice problems",
    "shared": True,
    "owner_id": 7,
    "filters": {"queue": "open", "cf.product": "Invoices", "sort": "priority"},
    "columns": ["product", "order_number"],
    "position": 1,
    "created_at": "2026-11-25T08:30:00Z",
    "updated_at": "2026-11-25T08:30:00Z",
}
SAVED_VIEW_LIST = {"data": [SAVED_VIEW]}
SAVED_VIEW_CREATE = {
    "name": "Open invoice problems",
    "filters": {"queue": "open", "cf.product": "Invoices", "sort": "priority"},
    "columns": ["product", "order_number"],
    "shared": True,
}
SAVED_VIEW_UPDATE = {"name": "Invoice problems"}
