"""Queue N webhook deliveries to one receiver, for timing `flask worker webhooks --burst`.

    SUPPORTDESK_DATABASE_URL=… SUPPORTDESK_REDIS_URL=… SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE=true \\
        python -m tests.benchmarks.webhook_deliveries 1000 http://127.0.0.1:8765/hooks
    time flask --app supportdesk worker webhooks --burst

Each ticket opened with an existing customer yields one `ticket.created` delivery.
"""

from __future__ import annotations

import secrets
import sys

from supportdesk import create_app
from supportdesk.accounts.models import Organization
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from supportdesk.webhooks.models import WebhookEndpoint
from supportdesk.webhooks.signing import new_secret


def main(count: int, url: str) -> None:
    """Open `count` tickets in a fresh organization whose one endpoint wants ticket.created."""
    app = create_app()
    with app.app_context():
        slug = f"bench-{secrets.token_hex(4)}"
        org = Organization(name=slug, slug=slug)
        db.session.add(org)
        db.session.flush()
        customer = Customer(organization_id=org.id, email=f"{slug}@example.com")
        endpoint = WebhookEndpoint(
            organization_id=org.id, url=url, event_types=["ticket.created"], secret=new_secret()
        )
        db.session.add_all([customer, endpoint])
        db.session.commit()
        for n in range(count):
            tickets.open_ticket(
                org.id, actor=None, customer_email=customer.email, subject=f"Bench {n}", body="."
            )
            db.session.commit()
        print(f"{count} deliveries queued for endpoint {endpoint.id} ({slug})")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
