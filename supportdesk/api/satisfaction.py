"""API: the satisfaction surveys of a ticket (supportdesk.satisfaction), read-only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from supportdesk.api.access import organization_id
from supportdesk.api.operations import operation
from supportdesk.api.schemas import Output
from supportdesk.satisfaction import service as satisfaction
from supportdesk.tickets import queries

NUMBER = {"number": "The ticket's number in your organization (as in #118)."}


class Survey(Output):
    """One survey: sent for a resolution, and the customer's answer once they gave one."""

    id: int
    rating: Literal["good", "okay", "bad"] | None = Field(
        description="The customer's rating; null until they click a link."
    )
    comment: str = Field(description="The customer's comment (empty if none).")
    created_at: dt.datetime = Field(description="When the ticket was resolved.")
    sent_at: dt.datetime | None = Field(description="When the survey was mailed (null: not yet).")
    rated_at: dt.datetime | None
    commented_at: dt.datetime | None


class SatisfactionList(Output):
    """The ticket's surveys, newest first (one per resolution while surveys were switched on)."""

    data: list[Survey]


EXAMPLE = {
    "data": [
        {
            "id": 31,
            "rating": "good",
            "comment": "Fast and friendly, thank you!",
            "created_at": "2026-03-02T10:00:00Z",
            "sent_at": "2026-03-02T10:00:00Z",
            "rated_at": "2026-03-02T10:12:40Z",
            "commented_at": "2026-03-02T10:13:05Z",
        }
    ]
}


@operation(
    "GET",
    "/tickets/{number}/satisfaction",
    tag="Tickets",
    summary="A ticket's satisfaction ratings",
    response=SatisfactionList,
    response_example=EXAMPLE,
    path_params=NUMBER,
)
def satisfaction_get(number: int):
    """The satisfaction surveys of the ticket and the customer's ratings and comments (the webhook
    `ticket.rated` reports each as it comes)."""
    ticket = queries.get_ticket(organization_id(), number)
    rows = satisfaction.for_ticket(organization_id(), ticket.id)
    return SatisfactionList(
        data=[
            Survey(
                id=row.id,
                rating=row.rating.value if row.rating else None,
                comment=row.comment,
                created_at=row.created_at,
                sent_at=row.sent_at,
                rated_at=row.rated_at,
                commented_at=row.commented_at,
            )
            for row in rows
        ]
    )
