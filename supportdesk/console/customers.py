"""Console views for customers: list, page, create and edit."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.forms import CustomerForm
from supportdesk.crm import inbound
from supportdesk.crm import service as crm
from supportdesk.crm.providers.base import CrmError
from supportdesk.crm.queries import shown_connection
from supportdesk.customers import queries, service
from supportdesk.params import query_int
from supportdesk.submit import Saved, act, submit
from supportdesk.tickets.queries import customer_tickets

# Deeper pages than this show the first one: an OFFSET that large only burns the database.
MAX_PAGE = 100_000


def _page_arg() -> int:
    return query_int(request.args.get("page"), maximum=MAX_PAGE) or 1


@bp.get("/customers")
def customer_list():
    """Customers by name, with a search box and their ticket counts."""
    search = request.args.get("q", "")[:200]
    page = _page_arg()
    rows, has_next = queries.list_customers(current_user.organization_id, search=search, page=page)
    return render_template(
        "console/customers.html", rows=rows, search=search, page=page, has_next=has_next
    )


def _customer_page(customer, form: CustomerForm) -> str:
    tickets = customer_tickets(current_user.organization_id, customer.id, limit=50)
    return render_template(
        "console/customer.html",
        customer=customer,
        form=form,
        tickets=tickets,
        crm_connection=shown_connection(current_user.organization_id),
    )


@bp.get("/customers/<int:customer_id>")
def customer_show(customer_id: int):
    """A customer's details and recent tickets."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    return _customer_page(customer, CustomerForm(obj=customer, formdata=None))


@bp.post("/customers/<int:customer_id>")
@requires("customer.edit")
def customer_update(customer_id: int):
    """Save a customer's details."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    form = CustomerForm()
    return submit(
        form,
        lambda: service.update_customer(current_user, customer, **form.values()),
        done=lambda _: Saved(
            gettext("Customer saved."), url_for("console.customer_show", customer_id=customer_id)
        ),
        page=lambda _: _customer_page(customer, form),
    )


@bp.route("/customers/new", methods=["GET", "POST"])
@requires("customer.edit")
def customer_new():
    """Add a customer by hand."""
    form = CustomerForm()
    return submit(
        form,
        lambda: service.create_customer(current_user, **form.values()),
        done=lambda customer: Saved(
            gettext("Customer added."), url_for("console.customer_show", customer_id=customer.id)
        ),
        page=lambda _: render_template("console/customer_new.html", form=form),
    )


@bp.post("/customers/<int:customer_id>/suppression")
@requires("customer.edit")
def customer_suppression_lift(customer_id: int):
    """Send email to a customer again after a hard bounce."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    page = url_for("console.customer_show", customer_id=customer_id)
    return act(
        lambda: service.lift_suppression(current_user, customer),
        done=lambda _: Saved(
            gettext("Email to %(email)s is sent again.", email=customer.email), page
        ),
        back=page,
    )


@bp.post("/customers/<int:customer_id>/crm-refresh")
@requires("customer.edit")
def customer_crm_refresh(customer_id: int):
    """Read the customer's CRM contact now and take its tier and company (as mapped)."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    page = url_for("console.customer_show", customer_id=customer_id)
    connection = crm.get_connection(current_user.organization_id)
    if connection is None or not connection.enabled:
        flash(gettext("No CRM is connected: an admin connects one under CRM."), "error")
        return redirect(page)
    try:
        flash(inbound.refresh_customer(connection, customer), "success")
    except CrmError as exc:
        flash(gettext("The CRM could not be read: %(exc)s", exc=exc), "error")
    return redirect(page)
