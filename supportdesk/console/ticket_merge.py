"""Merging a ticket into another and splitting a message off, from the console.

Merge: "Merge into…" on the ticket page asks for the other ticket's number (or offers the
customer's other open tickets), then a confirmation page shows both tickets side by side; the
merge runs against the versions shown there. Split: "Split into a new ticket" on a message opens
a confirmation with the new ticket's subject. The rules live in supportdesk.tickets.merge.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.forms import MergeTicketForm, SplitMessageForm
from supportdesk.params import query_int
from supportdesk.submit import Saved, submit
from supportdesk.tickets import merge, queries
from supportdesk.tickets.errors import StaleTicket, TicketNotFound


def _org() -> int:
    return current_user.organization_id


def _target(number: int | None):
    """The ticket a number names, followed to where its conversation is now (None: no such)."""
    if number is None:
        return None
    try:
        return merge.survivor(queries.get_ticket_detail(_org(), number))
    except TicketNotFound:
        return None


def _merge_page(number: int, form: MergeTicketForm, into: int | None, error=None):
    """The choice of a ticket (no valid `into`), or the confirmation showing both tickets."""
    source = queries.get_ticket_detail(_org(), number)
    target = _target(into)
    if target is None or target.id == source.id:
        if into is not None and not form.into.errors and error is None:
            form.into.errors = [
                f"There is no ticket #{into}."
                if target is None
                else "That is this ticket (or a ticket merged into it)."
            ]
        others = [
            t
            for t in queries.customer_tickets(_org(), source.customer_id, exclude_id=source.id)
            if t.status.is_active
        ]
        body = render_template("console/ticket_merge.html", source=source, form=form, others=others)
        return body, (422 if form.into.errors else 200)
    if not form.is_submitted() or isinstance(error, StaleTicket):
        form = MergeTicketForm(
            formdata=None,
            data={"into": target.number, "version": source.version, "into_version": target.version},
        )
    target = queries.get_ticket_detail(_org(), target.number)  # with its people for the page
    counts = queries.message_counts(_org(), [source.id, target.id])
    body = render_template(
        "console/ticket_merge_confirm.html",
        source=source,
        target=target,
        named=into,
        counts=counts,
        form=form,
    )
    return body, 200


@bp.get("/tickets/<int:number>/merge")
@requires("ticket.merge")
def ticket_merge_confirm(number: int):
    """Choose the ticket to merge into (?into=N shows the confirmation of that choice)."""
    into = request.args.get("into")
    form = MergeTicketForm(formdata=None, data={"into": into or ""})
    return _merge_page(number, form, query_int((into or "").strip().lstrip("#")))


@bp.post("/tickets/<int:number>/merge")
@requires("ticket.merge")
def ticket_merge(number: int):
    """Merge as confirmed; if either ticket changed since, confirm again with what they are now."""
    source = queries.get_ticket(_org(), number)
    form = MergeTicketForm()
    into = query_int(str(form.into.data or "").strip().lstrip("#"))
    return submit(
        form,
        lambda: merge.merge(
            current_user,
            source,
            queries.get_ticket(_org(), form.values()["into"]),
            expected_version=form.values()["expected_version"],
            target_version=form.values()["target_version"],
        ),
        done=lambda merged: Saved(
            gettext(
                "Ticket #%(number)s was merged into #%(number_)s.",
                number=number,
                number_=merged.target.number,
            ),
            url_for("console.ticket_show", number=merged.target.number),
        ),
        page=lambda error: _merge_page(number, form, into, error)[0],
    )


def _split_page(number: int, message_id: int, form: SplitMessageForm, error=None) -> str:
    ticket = queries.get_ticket_detail(_org(), number)
    message = queries.get_message(_org(), ticket.id, message_id)
    if not form.is_submitted() or isinstance(error, StaleTicket):
        subject = form.subject.data if form.is_submitted() else merge.subject_of(message)
        form = SplitMessageForm(formdata=None, data={"subject": subject, "version": ticket.version})
    return render_template("console/ticket_split.html", ticket=ticket, message=message, form=form)


@bp.get("/tickets/<int:number>/messages/<int:message_id>/split")
@requires("ticket.split")
def message_split_confirm(number: int, message_id: int):
    """Confirm splitting this message off into a new ticket, with its subject."""
    return _split_page(number, message_id, SplitMessageForm())


@bp.post("/tickets/<int:number>/messages/<int:message_id>/split")
@requires("ticket.split")
def message_split(number: int, message_id: int):
    """Split as confirmed; the agent lands on the new ticket."""
    ticket = queries.get_ticket(_org(), number)
    form = SplitMessageForm()
    return submit(
        form,
        lambda: merge.split(
            current_user,
            ticket,
            message_id,
            subject=form.subject.data or "",
            expected_version=int(form.version.data),
        ),
        done=lambda new: Saved(
            gettext(
                "The message is now ticket #%(number)s (split off #%(number_)s).",
                number=new.number,
                number_=number,
            ),
            url_for("console.ticket_show", number=new.number),
        ),
        page=lambda error: _split_page(number, message_id, form, error),
    )
