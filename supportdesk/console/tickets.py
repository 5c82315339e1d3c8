"""Console views for queues and tickets. Each parses input, calls one service, commits once."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from supportdesk.accounts import orgcache
from supportdesk.accounts.models import Organization
from supportdesk.accounts.permissions import allowed
from supportdesk.accounts.queries import assignable_agents, assignment_choices_cached, list_teams
from supportdesk.attachments.queries import for_messages as files_for_messages
from supportdesk.bulk_actions.actions import ACTIONS
from supportdesk.composer.service import time_spent
from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.composer import AFTER_REPLY, composer_form
from supportdesk.console.filters import (
    filter_bar,
    parse_columns,
    parse_queue_filter,
    wants_zone,
)
from supportdesk.console.forms import (
    NewTicketForm,
    TicketPropertiesForm,
    custom_data,
    people_choices,
    properties_form,
)
from supportdesk.console.live import live_since
from supportdesk.console.macros import macro_form
from supportdesk.console.saved_views import SaveViewForm, sidebar_views
from supportdesk.crm import queries as crm_queries
from supportdesk.extensions import db
from supportdesk.fields.queries import field_specs, field_specs_cached
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.labels import STATUS
from supportdesk.macros.history import group_history
from supportdesk.macros.queries import list_macros_cached
from supportdesk.mail.inbound.queries import mail_for_messages
from supportdesk.mail.outbound.queries import emails_by_message
from supportdesk.notifications import mentions
from supportdesk.params import query_int
from supportdesk.replica import reads_replica
from supportdesk.satisfaction.service import latest_rating
from supportdesk.submit import Saved, submit
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import StaleTicket
from supportdesk.tickets.transitions import next_statuses


def _org() -> int:
    return current_user.organization_id


@bp.get("/")
@reads_replica
def queue():
    """A ticket queue with the sidebar counts (saved views too), filters on the ticket's
    properties and custom fields, custom field columns, sorting and keyset pagination."""
    specs = field_specs_cached(_org())
    # Report drill-downs give days, read in the organization's zone (one more query only then).
    zone = current_user.organization.time_zone if wants_zone(request.args) else "UTC"
    f = parse_queue_filter(request.args, specs, zone)
    columns = parse_columns(request.args, specs)
    page = queries.list_queue_rows(
        _org(),
        current_user.id,
        f,
        per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
        custom_fields=bool(columns),
    )
    counts = queries.queue_counts(_org(), current_user.id, f)
    bar = filter_bar(_org(), f)
    if columns:
        bar["args"]["col"] = columns
    bulk = bool(page.tickets) and allowed(current_user.role, "ticket.bulk")
    return render_template(
        "console/queue.html",
        page=page,
        counts=counts,
        queues=queries.QUEUES,
        sorts=queries.SORTS,
        bulk_actions=ACTIONS.values(),
        specs=specs,
        columns=[specs[key] for key in columns],
        sidebar_views=sidebar_views(specs, counts, query_int(request.args.get("view"))),
        save_view=SaveViewForm(formdata=None),
        # The toolbar's macro menu: cached per organization, only when the toolbar shows.
        macros=list_macros_cached(_org()) if bulk else [],
        **bar,
    )


def _property_form(
    ticket, agents, teams, formdata=None, edits=None, specs=None, tags=None
) -> TicketPropertiesForm:
    """The property form on the ticket as it is now, with `edits` kept over it (a refused save).
    `specs`: the organization's cached custom fields (field_specs_cached), when the caller read
    them; `tags`: the ticket's tags when read with the page (TicketPage.tags)."""
    if specs is None:
        specs = [s for s in field_specs(_org()).values() if not s.archived]
        form_class = properties_form(specs)
    else:
        specs = [s for s in specs.values() if not s.archived]
        # The form class (its inputs follow the fields) built once per organization version.
        form_class = orgcache.cached(_org(), "properties_form", lambda: properties_form(specs))
    form = form_class(
        formdata=formdata,
        data={
            "version": ticket.version,
            "subject": ticket.subject,
            "status": ticket.status.value,
            "priority": ticket.priority.value,
            "assignee_id": ticket.assignee_id or 0,
            "team_id": ticket.team_id or 0,
            "tags": ", ".join(ticket.tags if tags is None else tags),
            **custom_data(specs, ticket.custom_fields or {}),
            **(edits or {}),
        },
    )
    statuses = [ticket.status, *next_statuses(ticket.status)]
    form.status.choices = [SelectChoice(s.value, STATUS[s]) for s in statuses]
    form.assignee_id.choices = people_choices(agents, none_label=_l("Unassigned"))
    form.team_id.choices = people_choices(teams, none_label=_l("No team"))
    return form


def ticket_page(
    number: int, *, properties=None, composer=None, stale=None, edits=None, macro=None,
    collision=None, changed=None,
) -> str:  # fmt: skip
    """The ticket page; `composer`/`properties`/`macro` are forms coming back with their errors;
    `collision`: the public messages that arrived while the agent wrote their reply."""
    page = queries.ticket_page(_org(), number, current_user.id)
    ticket = page.ticket
    agents, teams = assignment_choices_cached(_org())
    available = list_macros_cached(_org())
    specs = field_specs_cached(_org())
    return render_template(
        "console/ticket.html",
        specs=specs,
        field_labels={key: spec.label for key, spec in specs.items()},
        ticket=ticket,
        tags=page.tags,
        messages=page.messages,
        history=group_history(page.events),
        macros=available,
        macro_form=macro or macro_form(ticket, available),
        properties=properties
        or _property_form(ticket, agents, teams, edits=edits, specs=specs, tags=page.tags),
        composer=composer_form(
            ticket, composer, _last_public(page.messages), has_draft=page.has_draft
        )
        if allowed(current_user.role, "ticket.note")
        else None,
        collision=collision,
        live_since=live_since(),
        after_reply=AFTER_REPLY.get(ticket.status, ""),
        time_tracking=db.session.get(Organization, _org()).time_tracking,
        time_spent=time_spent(page.messages),
        other_tickets=queries.customer_tickets(_org(), ticket.customer_id, exclude_id=ticket.id),
        # Each read only when the page's own statements saw it would find rows (TicketPage).
        mail=mail_for_messages(_org(), page.messages_with_mail),
        files=files_for_messages(_org(), page.messages_with_files),
        emails=emails_by_message(_org(), ticket.id) if page.has_emails else {},
        stale=stale,
        changed=changed,
        mention_handles=_mention_handles(page.messages),
        satisfaction=latest_rating(_org(), ticket.id) if page.has_rating else None,
        crm_connection=crm_queries.connection_for(ticket.customer),
    )


def _last_public(messages) -> int:
    return max((m.id for m in messages if not m.is_internal), default=0)


def _mention_handles(messages) -> dict[str, int]:
    """The handles to highlight in notes: one query, and none when no note has an `@`."""
    if not any(m.is_internal and "@" in m.body_text for m in messages):
        return {}
    return mentions.handles(mentions.mentionable(_org()))


@bp.get("/tickets/<int:number>")
def ticket_show(number: int):
    """The whole ticket: conversation, composer, properties, history, the customer's other tickets."""
    return ticket_page(number)


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
            gettext("Ticket updated.")
            if changed
            else gettext("Nothing to save: no field was changed."),
            url_for("console.ticket_show", number=number),
        ),
        page=lambda error: _refused_properties(number, form, error),
    )


def _refused_properties(number: int, form: TicketPropertiesForm, error) -> str:
    """The ticket page again. When it changed meanwhile, it shows what changed, and the form keeps
    this agent's edits over the current values: saving again applies exactly their edits."""
    if isinstance(error, StaleTicket):
        seen = error.values_seen()
        return ticket_page(number, stale=error.changes, edits=form.edits(seen), changed=set(seen))
    return ticket_page(number, properties=form)


@bp.route("/tickets/new", methods=["GET", "POST"])
@requires("ticket.create")
def ticket_new():
    """Log a new ticket on a customer's behalf."""
    form = NewTicketForm(customer_email=request.args.get("email", ""))
    form.team_id.choices = people_choices(list_teams(_org()), none_label=_l("No team"))
    form.assignee_id.choices = people_choices(
        assignable_agents(_org()), none_label=_l("Unassigned")
    )
    return submit(
        form,
        lambda: service.open_ticket(_org(), actor=current_user, **form.values()),
        done=lambda ticket: Saved(
            gettext("Ticket #%(number)s opened.", number=ticket.number),
            url_for("console.ticket_show", number=ticket.number),
        ),
        page=lambda _: render_template("console/ticket_new.html", form=form),
    )
