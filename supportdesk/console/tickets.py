"""Console views for queues and tickets. Each parses input, calls one service, commits once."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from supportdesk.accounts.queries import assignable_agents, assignment_choices, list_teams
from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.filters import filter_args, parse_queue_filter
from supportdesk.console.forms import (
    MessageForm,
    NewTicketForm,
    TicketPropertiesForm,
    apply_domain_errors,
    people_choices,
)
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.mailin.queries import mail_for_messages
from supportdesk.notifications.queries import emails_by_message
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import StaleTicket
from supportdesk.tickets.models import Priority, Status
from supportdesk.tickets.transitions import next_statuses


def _org() -> int:
    return current_user.organization_id


@bp.get("/")
def queue():
    """A ticket queue with the sidebar counts, filters, sorting and keyset pagination."""
    f = parse_queue_filter(request.args)
    agents, teams = assignment_choices(_org())
    page = queries.list_queue_rows(
        _org(),
        current_user.id,
        f,
        per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template(
        "console/queue.html",
        page=page,
        f=f,
        args=filter_args(f),
        counts=queries.queue_counts(_org(), current_user.id, f),
        queues=queries.QUEUES,
        sorts=queries.SORTS,
        agents=agents,
        teams=teams,
        statuses=list(Status),
        priorities=list(Priority),
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


def _render_ticket(
    number: int, *, status: int = 200, properties=None, composer=None, stale=None, edits=None
):
    page = queries.ticket_page(_org(), number)
    ticket = page.ticket
    agents, teams = assignment_choices(_org())
    return render_template(
        "console/ticket.html",
        ticket=ticket,
        messages=page.messages,
        history=page.events,
        properties=properties or _property_form(ticket, agents, teams, edits=edits),
        composer=composer or MessageForm(formdata=None),
        other_tickets=queries.customer_tickets(_org(), ticket.customer_id, exclude_id=ticket.id),
        mail=mail_for_messages(_org(), [m.id for m in page.messages]),
        emails=emails_by_message(_org(), ticket.id),
        stale=stale,
    ), status


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    """The whole ticket: conversation, composer, properties, history, the customer's other tickets."""
    return _render_ticket(number)


@bp.post("/tickets/<int:number>")
@requires("ticket.edit")
def ticket_update(number: int):
    """Save the property form, refusing it when the ticket changed since it was shown."""
    ticket = queries.get_ticket(_org(), number)
    form = _property_form(ticket, assignable_agents(_org()), list_teams(_org()), request.form)
    if not form.validate():
        return _render_ticket(number, status=422, properties=form)
    try:
        changed = service.update_ticket(
            current_user,
            ticket,
            expected_version=int(form.version.data),
            subject=form.subject.data,
            tags=form.tags.data or "",
            status=Status(form.status.data),
            priority=Priority(form.priority.data),
            assignee_id=form.assignee_id.data or None,
            team_id=form.team_id.data or None,
        )
        db.session.commit()
    except StaleDataError:
        # Another save won the race between our version check and our UPDATE.
        db.session.rollback()
        ticket = queries.get_ticket(_org(), number)
        try:
            service.ensure_current(ticket, int(form.version.data))
        except StaleTicket as exc:
            return _stale(number, form, exc)
        raise
    except StaleTicket as exc:
        db.session.rollback()
        return _stale(number, form, exc)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        flash(exc.message, "error")
        return _render_ticket(number, status=exc.status, properties=form)
    flash("Ticket updated." if changed else "Nothing to save: no field was changed.", "success")
    return redirect(url_for("console.ticket_show", number=number))


def _stale(number: int, form: TicketPropertiesForm, exc: StaleTicket):
    """Refuse the save and show what changed meanwhile; the form keeps this agent's edits over
    the current values, so saving again applies exactly their edits on top of the others'."""
    flash(exc.message, "error")
    return _render_ticket(
        number, status=409, stale=exc.changes, edits=form.edits(exc.values_seen())
    )


@bp.post("/tickets/<int:number>/messages")
@requires("ticket.note")
def message_create(number: int):
    """Add a public reply or an internal note, depending on the button pressed."""
    ticket = queries.get_ticket(_org(), number)
    form = MessageForm()
    internal = request.form.get("kind") == "internal"
    if not form.validate():
        return _render_ticket(number, status=422, composer=form)
    try:
        if internal:
            service.add_note(current_user, ticket, form.body.data)
        else:
            service.reply(current_user, ticket, form.body.data)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _render_ticket(number, status=exc.status, composer=form)
    flash("Internal note added." if internal else "Reply sent to the customer.", "success")
    return redirect(url_for("console.ticket_show", number=number, _anchor="composer"))


@bp.route("/tickets/new", methods=["GET", "POST"])
@requires("ticket.create")
def ticket_new():
    """Log a new ticket on a customer's behalf."""
    form = NewTicketForm(customer_email=request.args.get("email", ""))
    form.team_id.choices = people_choices(list_teams(_org()), none_label="No team")
    form.assignee_id.choices = people_choices(assignable_agents(_org()), none_label="Unassigned")
    status = 200
    if form.validate_on_submit():
        try:
            ticket = service.open_ticket(
                _org(),
                actor=current_user,
                customer_email=form.customer_email.data,
                customer_name=form.customer_name.data or "",
                subject=form.subject.data,
                body=form.body.data,
                priority=Priority(form.priority.data),
                assignee_id=form.assignee_id.data or None,
                team_id=form.team_id.data or None,
                tags=form.tags.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
            status = exc.status
        else:
            flash(f"Ticket #{ticket.number} opened.", "success")
            return redirect(url_for("console.ticket_show", number=ticket.number))
    elif request.method == "POST":
        status = 422
    return render_template("console/ticket_new.html", form=form), status
