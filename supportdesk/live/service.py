"""Presence writes and reads for the console: heartbeats, leaving, and who is on which ticket.

A change in who views or types on a ticket is announced to its organization as a `presence` live
event (supportdesk.live.broker), carrying the ticket's viewers, so ticket pages and queue rows
follow without polling. Viewers (the read-only role) are present like anyone, but never typing.
"""

from __future__ import annotations

from flask import current_app

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import allowed
from supportdesk.live.presence import TYPING_MODES, Viewer, safely
from supportdesk.tickets.models import Ticket


def heartbeat(user: User, ticket: Ticket, typing: str | None = None) -> list[Viewer]:
    """`user` is on `ticket`'s page (typing a "reply" or a "note", or not): the viewers now."""
    if typing not in TYPING_MODES or not allowed(user.role, f"ticket.{typing}"):
        typing = None
    store = current_app.extensions["live_presence"]
    before, after = safely(
        lambda: store.touch(ticket.organization_id, ticket.number, user.id, user.name, typing),
        ([], []),
    )
    _announce(ticket, before, after)
    return after


def leave(user: User, ticket: Ticket) -> list[Viewer]:
    """`user` left `ticket`'s page (or hid its tab)."""
    store = current_app.extensions["live_presence"]
    before, after = safely(
        lambda: store.leave(ticket.organization_id, ticket.number, user.id), ([], [])
    )
    _announce(ticket, before, after)
    return after


def viewers(organization_id: int, numbers: list[int]) -> dict[int, list[Viewer]]:
    """Who is on each of these tickets (by number) now: one Redis round trip for a queue page."""
    if not numbers:
        return {}
    store = current_app.extensions["live_presence"]
    return safely(lambda: store.viewers(organization_id, numbers), {})


def _announce(ticket: Ticket, before: list[Viewer], after: list[Viewer]) -> None:
    if before == after:
        return
    current_app.extensions["live"].publish(
        ticket.organization_id,
        {
            "type": "presence",
            "ticket": ticket.number,
            "id": ticket.id,
            "viewers": [v.as_json() for v in after],
        },
    )
