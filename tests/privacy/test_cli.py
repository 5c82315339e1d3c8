"""`flask gdpr scan`: exit 1 and the places when a string is found, 0 when nothing is."""

from __future__ import annotations

import secrets

import pytest

from supportdesk.extensions import db
from tests import factories

pytestmark = pytest.mark.integration


def test_the_scan_command_names_where_a_customer_is_and_exits_1(app, org):
    email = f"cli-{secrets.token_hex(4)}@example.org"
    factories.CustomerFactory(organization=org, email=email, name="Ola Nordmann")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["gdpr", "scan", "--email", email])

    assert result.exit_code == 1 and "customers.email" in result.output


def test_the_scan_command_exits_0_when_nothing_is_found(app):
    result = app.test_cli_runner().invoke(
        args=["gdpr", "scan", "--string", f"nowhere-{secrets.token_hex(6)}"]
    )
    assert result.exit_code == 0 and "No occurrence" in result.output
