"""The ticket history with each macro's changes grouped under its `macro` entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from supportdesk.tickets.models import EventKind


class HistoryItem:
    """A history entry as the page lists it: the entry itself (its attributes read through), and
    for a macro entry, the changes that macro run made (`group`, oldest first)."""

    __slots__ = ("event", "group")

    def __init__(self, event: Any) -> None:
        self.event = event
        self.group: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


def _run(event: Any) -> str | None:
    mark = (event.data or {}).get("macro")
    return mark.get("run") if isinstance(mark, dict) else None


def group_history(events: Sequence[Any]) -> list[HistoryItem]:
    """The entries oldest first; those a macro run made sit in its entry's `group` instead."""
    heads = {
        run: HistoryItem(e)
        for e in events
        if e.kind is EventKind.MACRO and (run := _run(e)) is not None
    }
    items = []
    for event in events:
        run = _run(event)
        if event.kind is EventKind.MACRO and run in heads:
            items.append(heads[run])
        elif run in heads:
            heads[run].group.append(event)
        else:
            items.append(HistoryItem(event))
    return items
