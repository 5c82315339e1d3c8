"""The customer's pages of an organization, under /help/<org-slug>/portal/: sign-in by emailed
link, the customer's requests, the contact form (also embeddable) and the survey links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, g

from supportdesk.accounts.models import Organization
from supportdesk.extensions import db

bp = Blueprint("portal", __name__, url_prefix="/help/<org_slug>/portal")


@bp.url_value_preprocessor
def _load_organization(endpoint, values) -> None:
    """The organization the address names; an unknown slug is the 404 page."""
    slug = (values or {}).pop("org_slug", "")
    g.portal_org = db.session.scalar(sa.select(Organization).where(Organization.slug == slug))
    if g.portal_org is None:
        abort(404)


@bp.url_defaults
def _keep_organization(endpoint, values) -> None:
    if "org_slug" not in values and g.get("portal_org") is not None:
        values["org_slug"] = g.portal_org.slug


@bp.after_request
def _never_cached(response):
    # A customer's requests are theirs; survey and link pages must not be replayed from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _portal_context():
    from supportdesk.portal.session import current_customer

    org = g.get("portal_org")
    return {"org": org, "portal_customer": current_customer() if org is not None else None}


from supportdesk.portal import contact, rating, views  # noqa: E402, F401  (routes)
