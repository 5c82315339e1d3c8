"""The customer principal: who is signed in to this organization's portal, kept in the signed
session cookie under its own key, apart from an agent's sign-in (supportdesk.web)."""

from __future__ import annotations

import functools
import time

import sqlalchemy as sa
from flask import current_app, g, redirect, session, url_for

from supportdesk.customers.models import Customer
from supportdesk.extensions import db

KEY = "portal"
# The language a visitor picked on the portal (i18n.customer_locale reads it).
LANGUAGE_KEY = "portal_language"


def sign_in(customer: Customer) -> None:
    """Start this customer's portal session (it replaces any other customer's)."""
    session[KEY] = {
        "org": customer.organization_id,
        "customer": customer.id,
        "at": int(time.time()),
    }
    g.pop("portal_customer_row", None)


def sign_out() -> None:
    session.pop(KEY, None)
    g.pop("portal_customer_row", None)


def current_customer() -> Customer | None:
    """The signed-in customer of the portal's organization, or None (another organization's
    session, an expired one or a customer since deleted or erased all count as signed out)."""
    if "portal_customer_row" in g:
        return g.portal_customer_row
    data = session.get(KEY)
    customer = None
    org = g.get("portal_org")
    hours = float(current_app.config["PORTAL_SESSION_HOURS"])
    if (
        isinstance(data, dict)
        and org is not None
        and data.get("org") == org.id
        and time.time() - float(data.get("at") or 0) < hours * 3600
    ):
        customer = db.session.scalar(
            sa.select(Customer).where(
                Customer.organization_id == org.id, Customer.id == data.get("customer")
            )
        )
        if customer is not None and customer.erased:
            customer = None
    g.portal_customer_row = customer
    return customer


def customer_required(view):
    """The view needs a signed-in customer; others go to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        customer = current_customer()
        if customer is None:
            return redirect(url_for("portal.sign_in"))
        return view(customer, *args, **kwargs)

    return wrapped
