"""Property-based run of schemathesis against our own OpenAPI document, through the WSGI app:
no answer may be a 5xx, every answer must match the document (status, headers, body), every
request the document allows is accepted (or refused for a reason about stored rows: 403, 404,
409), and every request it forbids is refused. A stateful run follows the document's links:
create a ticket, then read, update, reply to, list and delete it; create a customer, then read
and update them."""

from __future__ import annotations

import copy
import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from supportdesk.api.errors import InvalidInput
from supportdesk.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from supportdesk.api.idempotency import requested_key
from supportdesk.api.openapi import openapi_document
from supportdesk.extensions import db
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests.factories import CustomerFactory, TeamFactory, make_ticket
from tests.fixtures.schemathesis_examples import defer_explicit_examples

# Coverage is not measured during these calls (pytest-cov's no_cover): thousands of generated
# requests whose lines the API's own tests cover; the tracing cost them a third of their time.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.no_cover]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    ignored_auth,
]


class IsolatedWsgi:
    """The test's app as a WSGI callable serving each request in its own app context (as in
    production). The schema holds it from import time; the `wsgi_app` fixture points it at the app."""

    app = None

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app(environ, start_response)


# Each operation's explicit cases are made by the worker that runs it (see the module).
defer_explicit_examples()
WSGI = IsolatedWsgi()
KEY_SUFFIX = itertools.count(1)
# A copy: schemathesis adds the links it infers to the dict it is given, and the app serves
# the cached original.
schema = schemathesis.openapi.from_dict(copy.deepcopy(openapi_document()))
schema.app = WSGI  # every request, including those checks replay, goes through it


@pytest.fixture
def wsgi_app(app):
    """Point the schema's WSGI callable at the session's app for this test (no rate limit)."""
    limiter = app.extensions["api_rate_limiter"]
    saved, limiter.limit = limiter.limit, 10**9
    WSGI.app = app
    yield WSGI
    WSGI.app = None
    limiter.limit = saved


@pytest.fixture
def admin_token(admin, org) -> str:
    """A read-write token of an admin, on an organization with a few tickets to find (and time
    tracking on, so minutes on replies are accepted as the document allows)."""
    org.time_tracking = True
    team = TeamFactory(organization=org, members=[admin])
    customer = CustomerFactory(organization=org)
    for i in range(3):
        make_ticket(org, customer=customer, team=team if i else None, assignee=admin)
    _token, plain = create_token(admin, name="schemathesis", scope=Scope.READ_WRITE)
    return plain


def unique_idempotency_key(case) -> None:
    """Make a generated, valid Idempotency-Key unique to this call.

    Hypothesis repeats values across examples, and the same key with another body is refused
    with 422 by design (tests/api/test_idempotency.py covers it); an invalid generated key is
    left as it is, to be refused.
    """
    key = (case.headers or {}).get(IDEMPOTENCY_HEADER)
    if key is None:
        return
    try:
        with WSGI.app.test_request_context(headers={IDEMPOTENCY_HEADER: key}):
            requested_key()
    except InvalidInput:
        return
    case.headers[IDEMPOTENCY_HEADER] = f"{key[:200]}-{next(KEY_SUFFIX)}"


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_honours_its_own_document(case, wsgi_app, admin_token):
    unique_idempotency_key(case)
    checks = CHECKS
    if case.operation.path.startswith("/reports/"):
        # A period longer than three years is refused with 422 naming `start`: a rule between
        # two parameters, which the document says in words but a JSON schema cannot state.
        checks = [check for check in CHECKS if check is not positive_data_acceptance]
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=checks)


# The walk stays on tickets and customers, whose links it must find: with every resource in it,
# 25 short walks spread over ~60 operations and may never chain a create into a read.
WORKFLOW_SCHEMA = schema.include(tag=["Tickets", "Customers"])


class ApiWorkflows(WORKFLOW_SCHEMA.as_state_machine()):
    """Sequences of calls chained by the document's links, as one token of an admin."""

    token: str = ""
    answered: list[tuple[str, int]] = []  # (operation label, status) of every call

    def setup(self):
        # Every scenario starts from the same rows, so Hypothesis can replay one exactly.
        self._scenario = db.session.bind.begin_nested()

    def teardown(self):
        self._scenario.rollback()

    def after_call(self, response, case):
        self.answered.append((case.operation.label, response.status_code))

    def before_call(self, case):
        unique_idempotency_key(case)

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"Bearer {self.token}"}}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response, checks=CHECKS, headers=kwargs.get("headers"), transport_kwargs=kwargs
        )


def test_the_document_links_operations_into_working_sequences(wsgi_app, admin_token):
    ApiWorkflows.token, ApiWorkflows.answered = admin_token, []
    ApiWorkflows.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            phases=[Phase.generate],
        )
    )
    reached = {label for label, status in ApiWorkflows.answered if status in (200, 201, 204, 409)}
    # Rows the run created were found again through the links, not only by chance ids.
    assert reached & {
        "GET /tickets/{number}",
        "PATCH /tickets/{number}",
        "DELETE /tickets/{number}",
        "POST /tickets/{number}/messages",
        "GET /customers/{customer_id}",
        "PATCH /customers/{customer_id}",
    }
