"""Portal test helpers: sign a customer in on a test client, read a form's hidden stamp."""

from __future__ import annotations

import re
import time

import pytest

from supportdesk.portal.session import KEY


def portal_sign_in(client, customer) -> None:
    """Give `client` the portal session the emailed link would have started."""
    with client.session_transaction() as session:
        session[KEY] = {
            "org": customer.organization_id,
            "customer": customer.id,
            "at": int(time.time()),
        }


def stamp_of(response) -> str:
    return re.search(
        r'name="stamp" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    ).group(1)


@pytest.fixture
def no_time_trap(app, monkeypatch):
    """Accept a contact form posted at once (the time trap's own tests set it back)."""
    monkeypatch.setitem(app.config, "CONTACT_MIN_SECONDS", 0)


from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: E402, F401  (fixtures)
