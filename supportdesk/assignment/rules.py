"""Why team assignment picked an agent: the rule kept in history and named in the email."""

from __future__ import annotations

import enum


class AssignmentRule(enum.Enum):
    """The rule that chose the agent; stored as `rule` in the assignee history entry's data."""

    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    CRITICAL_TO_SENIOR = "critical_to_senior"
    CRITICAL_NO_SENIOR = "critical_no_senior"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    AssignmentRule.ROUND_ROBIN: "round robin",
    AssignmentRule.LEAST_LOADED: "least loaded",
    AssignmentRule.CRITICAL_TO_SENIOR: "critical ticket to a senior agent",
    AssignmentRule.CRITICAL_NO_SENIOR: "critical ticket, no senior agent available",
}


def rule_label(value: str | None) -> str:
    """The label of a stored rule value; empty for assignments made by anything else."""
    try:
        return AssignmentRule(value).label
    except ValueError:
        return ""
