"""Custom field definitions and saved views. Values live on the ticket (`tickets.custom_fields`)."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class FieldType(enum.Enum):
    """What a custom field holds; supportdesk.fields.rules says what each accepts."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"
    CHECKBOX = "checkbox"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]

    @property
    def has_options(self) -> bool:
        return self in (FieldType.SELECT, FieldType.MULTISELECT)


_TYPE_LABELS = {
    FieldType.TEXT: "Text",
    FieldType.NUMBER: "Number",
    FieldType.DATE: "Date",
    FieldType.SELECT: "Single select",
    FieldType.MULTISELECT: "Multi select",
    FieldType.CHECKBOX: "Checkbox",
}


class CustomField(db.Model):
    """A ticket field an organization defined: its key in `tickets.custom_fields`, type, options."""

    __tablename__ = "custom_fields"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "key", name="uq_custom_fields_org_key"),
        sa.Index("ix_custom_fields_org_position", "organization_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # The key is the name in ticket JSON and the API; fixed once created, as is the type.
    key: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(80))
    type: Mapped[FieldType] = mapped_column(enum_column(FieldType, "field_type"))
    options: Mapped[list] = mapped_column(JSONType, default=list)
    required_on_resolve: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def active(self) -> bool:
        return not self.archived

    def __repr__(self) -> str:
        return f"<CustomField {self.key} {self.type.value}>"


class SavedView(db.Model):
    """A queue's filters, sort and columns saved under a name: the agent's own, or shared."""

    __tablename__ = "saved_views"
    __table_args__ = (
        sa.Index("ix_saved_views_org_owner_position", "organization_id", "owner_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # Who saved it; a personal view is theirs alone, a shared one every agent's.
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(sa.String(80))
    # The queue's query string as a dict (queue, status, cf.<key>, sort, dir…) and the columns.
    filters: Mapped[dict] = mapped_column(JSONType, default=dict)
    columns: Mapped[list] = mapped_column(JSONType, default=list)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SavedView {self.name!r}>"
