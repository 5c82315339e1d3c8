"""Property-based run of schemathesis against our own OpenAPI document, through the WSGI app:
no answer may be a 5xx, and every answer must match the document (status, headers, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from supportdesk.api.openapi import openapi_document
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests.factories import CustomerFactory, TeamFactory, make_ticket

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture
def isolated_wsgi(app):
    """The app as a WSGI callable serving each request in its own app context (like production)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app(environ, start_response)

    return wsgi


@pytest.fixture
def admin_token(admin, org) -> str:
    """A read-write token of an admin, on an organization with a few tickets to find."""
    team = TeamFactory(organization=org, members=[admin])
    customer = CustomerFactory(organization=org)
    for i in range(3):
        make_ticket(org, customer=customer, team=team if i else None, assignee=admin)
    _token, plain = create_token(admin, name="schemathesis", scope=Scope.READ_WRITE)
    return plain


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_honours_its_own_document(case, isolated_wsgi, admin_token):
    case.call_and_validate(
        app=isolated_wsgi,
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=CHECKS,
    )
