"""Console views for bulk actions on a queue: the toolbar's POST and a background job's page.

The toolbar posts the action, its value, the ticket numbers checked and the queue's filter. Up to
a page of tickets is changed inside the request (one commit; refusals are listed in the flash);
"all N matching this filter" records a BulkJob and sends the agent to its progress page.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.bulk_actions import queries, service
from supportdesk.bulk_actions.actions import describe
from supportdesk.bulk_actions.service import Outcome
from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.filters import filter_args, parse_queue_filter
from supportdesk.params import query_int
from supportdesk.submit import Saved, act

# Refusals named in the flash after an action in the request; the rest are counted.
FLASHED_FAILURES = 5
# The action's value, by parameter: named apart from the queue filter's own `status`, `priority`…
VALUE_FIELDS = {
    "status": "set_status",
    "priority": "set_priority",
    "assignee_id": "set_assignee",
    "team_id": "set_team",
    "tags": "set_tags",
    "macro_id": "set_macro",
    "into": "merge_into",
}


def _org() -> int:
    return current_user.organization_id


def _outcome_message(words: str, outcome: Outcome) -> tuple[str, str]:
    """The flash after an action in the request, and its category."""
    changed = f"{words}: {outcome.done} ticket{'' if outcome.done == 1 else 's'} done."
    changed += "".join(f" #{number} left as it is: {why}." for number, why in outcome.spared)
    if not outcome.failures:
        return changed, "success"
    named = "; ".join(
        f"#{number}: {reason}" if number else reason
        for number, reason in outcome.failures[:FLASHED_FAILURES]
    )
    more = len(outcome.failures) - FLASHED_FAILURES
    tail = f" (and {more} more)" if more > 0 else ""
    refused = len(outcome.failures)
    return (
        f"{changed} {refused} refused{tail}, left as they were — {named}",
        "error" if not outcome.done else "info",
    )


@bp.post("/bulk")
@requires("ticket.bulk")
def bulk_apply():
    """Apply the toolbar's action to the checked tickets, or start a job on all that match."""
    f = parse_queue_filter(request.form)
    args = filter_args(f)
    back = url_for("console.queue", **args)
    name = request.form.get("action", "")
    raw = {param: request.form.get(field) for param, field in VALUE_FIELDS.items()}
    numbers = [n for n in map(query_int, request.form.getlist("ticket")) if n]
    everything = request.form.get("all_matching") == "1"

    def run():
        if everything:
            ids = service.ids_matching(_org(), current_user.id, f)
        else:
            ids = service.ids_for_numbers(_org(), numbers)
        if everything or len(ids) > current_app.config["PAGE_SIZE"]:
            return service.start_job(current_user, _org(), ids, name, raw, selection=args)
        return service.apply_now(current_user, _org(), ids, name, raw)

    def done(result) -> Saved:
        if isinstance(result, Outcome):
            message, category = _outcome_message(describe(_org(), name, result.params), result)
            return Saved(message, back, category)
        return Saved(
            gettext("Bulk action started on %(total)s tickets.", total=format(result.total, ",")),
            url_for("console.bulk_job_show", job_id=result.id),
            "info",
        )

    return act(run, done=done, back=back)


@bp.get("/bulk-jobs/<int:job_id>")
def bulk_job_show(job_id: int):
    """A bulk job's progress (the page reloads itself until it ends) and what it refused."""
    job = queries.get_job(_org(), job_id)
    return render_template(
        "console/bulk_job.html",
        job=job,
        words=describe(_org(), job.action, job.params),
        failures=queries.job_failures(_org(), job.id),
        back=url_for("console.queue", **job.selection),
    )
