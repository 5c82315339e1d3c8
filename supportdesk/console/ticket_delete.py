"""Deleting a ticket from the console (admins): a confirmation page that shows what goes, then
the deletion against the version the admin confirmed. What remains is the deletion record
(`/admin/deleted-tickets`) and the `ticket.deleted` webhook event."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.forms import DeleteTicketForm
from supportdesk.submit import Saved, submit
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import StaleTicket


def _confirm_page(number: int, form: DeleteTicketForm, error=None) -> str:
    """The confirmation, against the ticket's current version when first shown or when it
    changed since (a form refused for another reason keeps what the admin sent)."""
    page = queries.ticket_page(current_user.organization_id, number)
    if not form.is_submitted() or isinstance(error, StaleTicket):
        form = DeleteTicketForm(formdata=None, data={"version": page.ticket.version})
    return render_template(
        "console/ticket_delete.html", ticket=page.ticket, messages=page.messages, form=form
    )


@bp.get("/tickets/<int:number>/delete")
@requires("ticket.delete")
def ticket_delete_confirm(number: int):
    """Ask to confirm: what the ticket holds, that it cannot be undone, and a reason."""
    return _confirm_page(number, DeleteTicketForm())


@bp.post("/tickets/<int:number>/delete")
@requires("ticket.delete")
def ticket_delete(number: int):
    """Delete the ticket as confirmed; if it changed since, ask again with what it is now."""
    ticket = queries.get_ticket(current_user.organization_id, number)
    form = DeleteTicketForm()
    return submit(
        form,
        lambda: service.delete_ticket(
            current_user, ticket, expected_version=int(form.version.data), reason=form.reason.data
        ),
        done=lambda _: Saved(
            gettext(
                "Ticket #%(number)s deleted. The deletion is listed under Deleted tickets.",
                number=number,
            ),
            url_for("console.queue"),
        ),
        page=lambda error: _confirm_page(number, form, error),
    )
