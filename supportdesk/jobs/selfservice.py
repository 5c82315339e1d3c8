"""Self-service jobs: the sign-in link a customer asked for on the portal."""

from __future__ import annotations

from supportdesk.jobs import job


@job
def send_portal_link(organization_id: int, email: str) -> bool:
    """Mail a sign-in link to `email` if it is a customer of the organization (see
    selfservice.service.request_link); True when one was sent."""
    from supportdesk.extensions import db
    from supportdesk.selfservice.service import send_link

    sent = send_link(organization_id, email) is not None
    db.session.commit()
    return sent
