"""Deleting a ticket from the console (admins): a confirmation page that shows what goes, then
the deletion against the version the admin confirmed. What remains is the deletion record
(`/admin/deleted-tickets`) and the `ticket.deleted` webhook event."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.forms import DeleteTicketForm, apply_domain_errors
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import StaleTicket


def _confirm_page(number: int, form: DeleteTicketForm, status: int = 200):
    ticket = queries.get_ticket_page(current_user.organization_id, number)
    return render_template("console/ticket_delete.html", ticket=ticket, form=form), status


@bp.get("/tickets/<int:number>/delete")
@requires("ticket.delete")
def ticket_delete_confirm(number: int):
    """Ask to confirm: what the ticket holds, that it cannot be undone, and a reason."""
    ticket = queries.get_ticket(current_user.organization_id, number)
    return _confirm_page(number, DeleteTicketForm(data={"version": ticket.version}))


@bp.post("/tickets/<int:number>/delete")
@requires("ticket.delete")
def ticket_delete(number: int):
    """Delete the ticket as confirmed; if it changed since, ask again with what it is now."""
    ticket = queries.get_ticket(current_user.organization_id, number)
    form = DeleteTicketForm()
    if not form.validate():
        return _confirm_page(number, form, 422)
    try:
        service.delete_ticket(
            current_user, ticket, expected_version=int(form.version.data), reason=form.reason.data
        )
        db.session.commit()
    except (StaleTicket, StaleDataError):
        db.session.rollback()
        flash(f"Ticket #{number} changed since you opened this page; check it again.", "error")
        fresh = queries.get_ticket(current_user.organization_id, number)
        return _confirm_page(number, DeleteTicketForm(data={"version": fresh.version}), 409)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _confirm_page(number, form, exc.status)
    flash(f"Ticket #{number} deleted. The deletion is listed under Deleted tickets.", "success")
    return redirect(url_for("console.queue"))
