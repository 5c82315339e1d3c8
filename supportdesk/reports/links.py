"""The ticket list behind every figure: queue arguments whose count equals the figure.

Only this module turns report parameters into the queue's filters, so a chart's link cannot
drift from the chart: tests/reports/test_service.py counts both.
"""

from __future__ import annotations

from supportdesk.reports.metrics import FIGURES
from supportdesk.reports.queries import Params


def ticket_list_args(figure: str, p: Params) -> dict[str, object]:
    """Queue arguments for the tickets behind `figure` over `p` (backlog: active tickets now)."""
    kind = FIGURES[figure].ticket_list
    args: dict[str, object] = {"queue": "open" if kind == "backlog" else "all"}
    if kind in ("created", "solved"):
        args[f"{kind}_from"] = p.start.isoformat()
        args[f"{kind}_to"] = p.end.isoformat()
    if p.team_id:
        args["team"] = p.team_id
    if p.assignee_id is not None:
        args["assignee"] = "none" if p.assignee_id == 0 else p.assignee_id
    for name in ("channel", "priority", "tier", "tag"):
        value = getattr(p, name)
        if value:
            args[name] = value
    return args
