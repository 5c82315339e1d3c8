"""Console views for customers: list, page, create and edit."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.forms import CustomerForm, apply_domain_errors
from supportdesk.customers import queries, service
from supportdesk.customers.models import Tier
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.params import query_int
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


@bp.get("/customers/<int:customer_id>")
def customer_show(customer_id: int):
    """A customer's details and recent tickets."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    form = CustomerForm(obj=customer, formdata=None)
    tickets = customer_tickets(current_user.organization_id, customer.id, limit=50)
    return render_template("console/customer.html", customer=customer, form=form, tickets=tickets)


def _save_customer(form: CustomerForm, customer=None):
    kwargs = {
        "email": form.email.data,
        "name": form.name.data or "",
        "tier": Tier(form.tier.data),
        "company": form.company.data or "",
    }
    if customer is None:
        return service.create_customer(current_user, **kwargs)
    return service.update_customer(current_user, customer, **kwargs)


@bp.post("/customers/<int:customer_id>")
@requires("customer.edit")
def customer_update(customer_id: int):
    """Save a customer's details."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    form = CustomerForm()
    status = 422
    if form.validate():
        try:
            _save_customer(form, customer)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
        else:
            flash("Customer saved.", "success")
            return redirect(url_for("console.customer_show", customer_id=customer_id))
    tickets = customer_tickets(current_user.organization_id, customer_id, limit=50)
    customer = queries.get_customer(current_user.organization_id, customer_id)
    return render_template(
        "console/customer.html", customer=customer, form=form, tickets=tickets
    ), status


@bp.route("/customers/new", methods=["GET", "POST"])
@requires("customer.edit")
def customer_new():
    """Add a customer by hand."""
    form = CustomerForm()
    status = 200
    if form.validate_on_submit():
        try:
            customer = _save_customer(form)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not apply_domain_errors(form, exc):
                flash(exc.message, "error")
            status = exc.status
        else:
            flash("Customer added.", "success")
            return redirect(url_for("console.customer_show", customer_id=customer.id))
    elif request.method == "POST":
        status = 422
    return render_template("console/customer_new.html", form=form), status


@bp.post("/customers/<int:customer_id>/suppression")
@requires("customer.edit")
def customer_suppression_lift(customer_id: int):
    """Send email to a customer again after a hard bounce (CSRF is checked app-wide)."""
    customer = queries.get_customer(current_user.organization_id, customer_id)
    service.lift_suppression(current_user, customer)
    db.session.commit()
    flash(f"Email to {customer.email} is sent again.", "success")
    return redirect(url_for("console.customer_show", customer_id=customer_id))
