"""API views for custom ticket fields (admins manage them; every agent reads them).

The same services as the admin pages (supportdesk.fields.service). DELETE archives: values stay
on tickets and the field can be restored (`"archived": false`).
"""

from __future__ import annotations

from flask import url_for

from supportdesk.api import field_schemas as fs
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.extensions import db
from supportdesk.fields import service
from supportdesk.fields.queries import get_field, list_fields

TAG = "Custom fields"
FIELD_ID = {"field_id": "The custom field's id."}
_THE_FIELD = {"field_id": "$response.body#/id"}
FIELD_LINKS = {
    "GetCustomField": ("custom_field_get", _THE_FIELD),
    "UpdateCustomField": ("custom_field_update", _THE_FIELD),
}


@operation(
    "GET",
    "/custom-fields",
    tag=TAG,
    summary="List custom fields",
    response=fs.CustomFieldList,
    response_example=fs.CUSTOM_FIELD_LIST,
)
def custom_field_list():
    """The organization's ticket fields in their order, archived ones included."""
    return fs.CustomFieldList(
        data=[fs.CustomField.model_validate(f) for f in list_fields(organization_id())]
    )


@operation(
    "POST",
    "/custom-fields",
    tag=TAG,
    summary="Create a custom field (admins)",
    status=201,
    body=fs.CustomFieldCreate,
    response=fs.CustomField,
    conflicts=True,
    request_example=fs.CUSTOM_FIELD_CREATE,
    response_example=fs.CUSTOM_FIELD,
    links=FIELD_LINKS,
    headers=("Location",),
)
def custom_field_create(body: fs.CustomFieldCreate):
    """Define a ticket field at the end of the order; a key already used is a 409."""
    field = service.create_field(actor(), **body.model_dump())
    db.session.commit()
    location = url_for("api.custom_field_get", field_id=field.id)
    return fs.CustomField.model_validate(field), {"Location": location}


@operation(
    "GET",
    "/custom-fields/{field_id}",
    tag=TAG,
    summary="Get a custom field",
    response=fs.CustomField,
    response_example=fs.CUSTOM_FIELD,
    path_params=FIELD_ID,
    links=FIELD_LINKS,
)
def custom_field_get(field_id: int):
    """One ticket field."""
    return fs.CustomField.model_validate(get_field(organization_id(), field_id))


@operation(
    "PATCH",
    "/custom-fields/{field_id}",
    tag=TAG,
    summary="Update a custom field (admins)",
    body=fs.CustomFieldUpdate,
    response=fs.CustomField,
    request_example=fs.CUSTOM_FIELD_UPDATE,
    response_example=fs.CUSTOM_FIELD,
    path_params=FIELD_ID,
    links=FIELD_LINKS,
)
def custom_field_update(field_id: int, body: fs.CustomFieldUpdate):
    """Change the label, options, requirement or archived state (key and type are fixed)."""
    field = get_field(organization_id(), field_id)
    service.update_field(actor(), field, **body.model_dump(exclude_unset=True))
    db.session.commit()
    return fs.CustomField.model_validate(field)


@operation(
    "DELETE",
    "/custom-fields/{field_id}",
    tag=TAG,
    summary="Archive a custom field (admins)",
    status=204,
    path_params=FIELD_ID,
)
def custom_field_delete(field_id: int):
    """Archive the field: it leaves forms, filters and columns; tickets keep their values and
    PATCH `{"archived": false}` restores it."""
    field = get_field(organization_id(), field_id)
    service.update_field(actor(), field, archived=True)
    db.session.commit()
    return None
