"""Line differences between two revisions' texts, ready to show (each line once, marked)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# Around each change, this many unchanged lines are kept; longer runs fold into "…".
CONTEXT = 3


@dataclass(frozen=True)
class Line:
    """One line of the difference: `kind` is "added", "removed", "same" or "gap"."""

    kind: str
    text: str


def lines(before: str, after: str) -> list[Line]:
    """The lines of `after` against `before`: removed, added, unchanged around the changes."""
    old, new = (before or "").splitlines(), (after or "").splitlines()
    result: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        if result:
            result.append(Line("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(Line("same", text) for text in old[i1:i2])
                continue
            result.extend(Line("removed", text) for text in old[i1:i2])
            result.extend(Line("added", text) for text in new[j1:j2])
    return result
