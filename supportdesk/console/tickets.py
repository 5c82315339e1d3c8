"""Console views for queues and tickets. Each parses input, calls one service, commits once."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from supportdesk.accounts.permissions import allowed
from supportdesk.accounts.queries import assignable_agents, assignment_choices, list_teams
from supportdesk.attachments.queries import for_messages as files_for_messages
from supportdesk.bulk_actions.actions import ACTIONS
from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.filters import filter_bar, parse_queue_filter
from supportdesk.console.forms import (
    MessageForm,
    NewTicketForm,
    TicketPropertiesForm,
    people_choices,
)
from supportdesk.console.macros import macro_form
from supportdesk.macros.history import group_history
from supportdesk.macros.queries import list_macros
from supportdesk.mail.inbound.queries import mail_for_messages
from supportdesk.mail.outbound.queries import emails_by_message
from supportdesk.notifications import mentions
from supportdesk.replica import reads_replica
from supportdesk.submit import Saved, submit
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import StaleTicket
from supportdesk.tickets.transitions import next_statuses


def _org() -> int:
    return current_user.organization_id


@bp.get("/")
@reads_replica
def queue():
    """A ticket queue with the sidebar counts, filters, sorting and keyset pagination."""
    f = parse_queue_filter(request.args)
    page = queries.list_queue_rows(
        _org(),
        current_user.id,
        f,
        per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    bulk = bool(page.tickets) and allowed(current_user.role, "ticket.bulk")
    return render_template(
        "console/queue.html",
        page=page,
        counts=queries.queue_counts(_org(), current_user.id, f),
        queues=queries.QUEUES,
        sorts=queries.SORTS,
        bulk_actions=ACTIONS.values(),
        # The toolbar's macro menu: one query, only when the toolbar shows.
        macros=list_macros(_org()) if bulk else [],
        **filter_bar(_org(), f),
    )


def _property_form(ticket, agents, teams, formdata=None, edits=None) -> TicketPropertiesForm:
    """The property form on the ticket as it is now, with `edits` kept over it (a refused save)."""
    form = TicketPropertiesForm(
        formdata=formdata,
        data={
            "version": ticket.version,
            "subject": ticket.subject,
            "status": ticket.status.value,
            "priority": ticket.priority.value,
            "assignee_id": ticket.assignee_id or 0,
            "team_id": ticket.team_id or 0,
            "tags": ", ".join(ticket.tags),
            **(edits or {}),
        },
    )
    statuses = [ticket.status, *next_statuses(ticket.status)]
    form.status.choices = [SelectChoice(s.value, s.label) for s in statuses]
    form.assignee_id.choices = people_choices(agents, none_label="Unassigned")
    form.team_id.choices = people_choices(teams, none_label="No team")
    return form


def _ticket_page(
    number: int, *, properties=None, composer=None, stale=None, edits=None, macro=None
) -> str:
    page = queries.ticket_page(_org(), number)
    ticket = page.ticket
    agents, teams = assignment_choices(_org())
    available = list_macros(_org())
    return render_template(
        "console/ticket.html",
        ticket=ticket,
        messages=page.messages,
        history=group_history(page.events),
        macros=available,
        macro_form=macro or macro_form(ticket, available),
        properties=properties or _property_form(ticket, agents, teams, edits=edits),
        composer=composer or MessageForm(formdata=None),
        other_tickets=queries.customer_tickets(_org(), ticket.customer_id, exclude_id=ticket.id),
        mail=mail_for_messages(_org(), [m.id for m in page.messages]),
        files=files_for_messages(_org(), [m.id for m in page.messages]),
        emails=emails_by_message(_org(), ticket.id),
        stale=stale,
        mention_handles=_mention_handles(page.messages),
    )


def _mention_handles(messages) -> dict[str, int]:
    """The handles to highlight in notes: one query, and none when no note has an `@`."""
    if not any(m.is_internal and "@" in m.body_text for m in messages):
        return {}
    return mentions.handles(mentions.mentionable(_org()))


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    """The whole ticket: conversation, composer, properties, history, the customer's other tickets."""
    return _ticket_page(number)


@bp.post("/tickets/<int:number>")
@requires("ticket.edit")
def ticket_update(number: int):
    """Save the property form, refusing it when the ticket changed since it was shown."""
    ticket = queries.get_ticket(_org(), number)
    form = _property_form(ticket, assignable_agents(_org()), list_teams(_org()), request.form)
    return submit(
        form,
        lambda: service.update_ticket(current_user, ticket, **form.values()),
        done=lambda changed: Saved(
            "Ticket updated." if changed else "Nothing to save: no field was changed.",
            url_for("console.ticket_show", number=number),
        ),
        page=lambda error: _refused_properties(number, form, error),
    )


def _refused_properties(number: int, form: TicketPropertiesForm, error) -> str:
    """The ticket page again. When it changed meanwhile, it shows what changed, and the form keeps
    this agent's edits over the current values: saving again applies exactly their edits."""
    if isinstance(error, StaleTicket):
        return _ticket_page(number, stale=error.changes, edits=form.edits(error.values_seen()))
    return _ticket_page(number, properties=form)


@bp.post("/tickets/<int:number>/messages")
@requires("ticket.note")
def message_create(number: int):
    """Add a public reply or an internal note, depending on the button pressed."""
    ticket = queries.get_ticket(_org(), number)
    form = MessageForm()
    internal = request.form.get("kind") == "internal"
    write = service.add_note if internal else service.reply
    return submit(
        form,
        lambda: write(current_user, ticket, form.body.data, form.uploads()),
        done=lambda _: Saved(
            "Internal note added." if internal else "Reply sent to the customer.",
            url_for("console.ticket_show", number=number, _anchor="composer"),
        ),
        page=lambda _: _ticket_page(number, composer=form),
    )


@bp.route("/tickets/new", methods=["GET", "POST"])
@requires("ticket.create")
def ticket_new():
    """Log a new ticket on a customer's behalf."""
    form = NewTicketForm(customer_email=request.args.get("email", ""))
    form.team_id.choices = people_choices(list_teams(_org()), none_label="No team")
    form.assignee_id.choices = people_choices(assignable_agents(_org()), none_label="Unassigned")
    return submit(
        form,
        lambda: service.open_ticket(_org(), actor=current_user, **form.values()),
        done=lambda ticket: Saved(
            f"Ticket #{ticket.number} opened.",
            url_for("console.ticket_show", number=ticket.number),
        ),
        page=lambda _: render_template("console/ticket_new.html", form=form),
    )
