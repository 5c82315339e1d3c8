"""The conflict rule of a field synced both ways, as one pure function of four values.

"Changed since the last sync" compares with the value both sides last agreed on, which each
customer keeps per field (`Customer.crm_synced_values`, written after every push that CRM took
and every read of the contact): the CRM's timestamps say when a contact changed, not which
field, and ours carry no per-field time at all. So a side changed a field when its value
differs from the agreed one. With no agreed value yet (never synced), two different values count
as changed on both sides.

| direction | ours vs agreed | CRM vs agreed | outcome                                          |
|-----------|----------------|---------------|--------------------------------------------------|
| any       | equal to the CRM's            | nothing to do (they agree)                       |
| pull      | —              | —             | the CRM's value is taken                         |
| both      | unchanged      | changed       | the CRM's value is taken                         |
| both      | changed        | unchanged     | ours is kept; the push carries it                |
| both      | changed (or no agreed value) on both sides | the master's value is kept, the other is noted |

When supportdesk wins, the CRM's losing value becomes the agreed one: it was seen and settled,
so the push that follows is "only ours changed", not the same conflict again. The rule runs on
every read of a contact (pull, refresh, webhook) and before a push of a changed `both` field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """What a read of the contact does to one field."""

    take: bool  # the customer takes the CRM's value
    agreed: str | None  # the new agreed value (None: keep the one stored)
    push: bool = False  # ours stays and the CRM must get it (a push is needed)
    note: str = ""  # the conflict in words, for the sync log


def resolve(
    *,
    label: str,
    direction: str,
    master: str,
    ours: str,
    theirs: str,
    agreed: str | None,
    crm: str,
) -> Outcome:
    """Decide one field. `label` names it ("Tier"), `crm` the CRM ("HubSpot")."""
    if ours == theirs:
        return Outcome(take=False, agreed=ours)
    if direction != "both":
        return Outcome(take=True, agreed=theirs)
    if agreed is not None and ours == agreed:
        return Outcome(take=True, agreed=theirs)
    if agreed is not None and theirs == agreed:
        return Outcome(take=False, agreed=None, push=True)
    if master == "supportdesk":
        # The CRM's value is settled (it lost): until it changes again, ours is simply newer.
        note = f"{label}: kept '{ours}' from supportdesk; {crm} had '{theirs}'"
        return Outcome(take=False, agreed=theirs, push=True, note=note)
    note = f"{label}: kept '{theirs}' from {crm}; supportdesk had '{ours}'"
    return Outcome(take=True, agreed=theirs, note=note)
