"""No GET route answers 500, whatever its path and query string hold (hypothesis-drawn).

Routes: every GET rule of `app.url_map`, so a new page or API read is covered the day it lands.
Path parameters are filled with real ids of a populated organization (REAL_IDS names where each
comes from; a rule with a parameter it does not know fails the test) and with junk.

Query parameters: a parameter is what a view reads from `request.args`, so the test finds them
by reading the reads. Requests go through a request class whose `args` records every name asked
for (get, getlist, [], in, setdefault, pop); each route is requested until no new name appears
(a parameter read only when another is present is found in the next round). API routes also
take every field of their operation's declared query model (the model that validates the query
and refuses unknown names, so the API cannot read one it does not declare). Values drawn for one
parameter keep being recorded: a name read during the drawn requests that discovery had not
found fails the test, so no parameter is missed silently.

PostgreSQL (the session's app), signed in as an admin and as a viewer (session cookie for pages,
bearer token for the API). Deterministic: derandomized examples, no example database.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from supportdesk.accounts.links import PasswordReset, new_secret
from supportdesk.api.operations import OPERATIONS
from supportdesk.attachments.models import Attachment
from supportdesk.bulk_actions.models import BulkJobFailure
from supportdesk.bulk_actions.service import start_job as start_bulk_job
from supportdesk.db import utcnow
from supportdesk.exports.service import request_export
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields import service as field_service
from supportdesk.fields.models import FieldType
from supportdesk.kb import categories as kb_categories
from supportdesk.kb import queries as kb_queries
from supportdesk.kb import service as kb_service
from supportdesk.macros.service import create_macro, create_reply
from supportdesk.mail.inbound.service import receive_email
from supportdesk.privacy import export as privacy_export
from supportdesk.satisfaction import links as survey_links
from supportdesk.sla.models import BusinessCalendar, EscalationRule, EscalationTrigger, SlaPolicy
from supportdesk.tickets.cursors import encode_cursor
from supportdesk.tickets.models import Message, Priority, Status
from supportdesk.tickets.service import set_custom_fields
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests.factories import CustomerFactory, make_staff, make_ticket
from tests.fixtures.mail import mail_world  # noqa: F401  (fixture)
from tests.fixtures.web import login_as
from tests.fixtures.webhooks import deliveries, make_endpoint
from tests.mail.helpers import make_email

# Coverage is not measured during these calls (pytest-cov's no_cover): they request every GET
# route thousands of times to find a 500, which the routes' own tests cover line by line; the
# tracing cost them a third of their time in `make test`.
pytestmark = [pytest.mark.integration, pytest.mark.no_cover]

# Drawn values per query parameter and role, on top of one per class in EXAMPLES: about 50
# parameters x 2 roles x (this + 7) requests, plus every path, stays near a minute.
EXAMPLES_PER_PARAMETER = 5
STATIC = Path(__file__).resolve().parent.parent / "static"

# -- recording what views read -------------------------------------------------------------------


class RecordingArgs(MultiDict):
    """request.args that notes every parameter name a view asks for."""

    read: set[str] = set()

    def _note(self, key) -> None:
        if isinstance(key, str):
            RecordingArgs.read.add(key)

    def get(self, key, default=None, type=None):  # noqa: A002  (MultiDict's signature)
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)

    def setdefault(self, key, default=None):
        self._note(key)
        return super().setdefault(key, default)

    def pop(self, key, *args):
        self._note(key)
        return super().pop(key, *args)


@pytest.fixture
def recording(app, monkeypatch) -> type[RecordingArgs]:
    """The app's requests, with `args` recording the names views read."""

    class RecordingRequest(app.request_class):
        @cached_property
        def args(self) -> RecordingArgs:
            return RecordingArgs(super().args)

    monkeypatch.setattr(app, "request_class", RecordingRequest)
    RecordingArgs.read = set()
    return RecordingArgs


# -- a populated organization --------------------------------------------------------------------


@dataclass
class World:
    """Signed-in users, real ids by path-parameter name, and real values for query parameters."""

    admin: object
    viewer: object
    ids: dict[str, list] = field(default_factory=dict)
    values: list[str] = field(default_factory=list)


@pytest.fixture
def world(mail_world) -> World:  # noqa: F811  (the fixture imported above)
    """An organization with every kind of row a GET route can show."""
    org = mail_world.org
    staff = make_staff(org)
    endpoint = make_endpoint(org, "https://hooks.example.com/in")
    customers = [mail_world.customer, CustomerFactory(organization=org, company="Acme")]
    tickets = [mail_world.ticket] + [
        make_ticket(
            org,
            customer=customers[i % 2],
            subject=f"Refund request {i}",
            status=status,
            priority=priority,
            assignee=staff.agent if i % 2 else None,
            team=staff.team if i % 3 else None,
            tags="billing, Billing Issue",
        )
        for i, (status, priority) in enumerate(zip(Status, Priority, strict=False))
    ]
    inbound = [receive_email(mail_world.load(n), source="test") for n in ("attachment_pdf.eml",)]
    inbound.append(receive_email(mail_world.load("inline_image.eml"), source="test"))
    calendar = BusinessCalendar(
        organization_id=org.id,
        name="Office",
        time_zone="Europe/Berlin",
        weekly_hours={str(d): [["09:00", "17:00"]] for d in range(5)},
        holidays=["2026-12-25"],
    )
    db.session.add(calendar)
    db.session.flush()
    policy = SlaPolicy(organization_id=org.id, name="Standard", calendar_id=calendar.id)
    rule = EscalationRule(
        organization_id=org.id,
        name="Late",
        trigger=next(iter(EscalationTrigger)),
        threshold_minutes=30,
    )
    db.session.add_all([policy, rule])
    secret, hashed = new_secret()
    db.session.add(
        PasswordReset(
            organization_id=org.id,
            user_id=staff.agent.id,
            token_hash=hashed,
            expires_at=utcnow() + dt.timedelta(hours=1),
        )
    )
    email = make_email(org, ticket=tickets[0])
    canned = create_reply(
        staff.admin, title="Refund", body="Hi {{ customer.first_name }}", shared=True
    )
    macro = create_macro(staff.admin, name="Refund approved", reply_body="Done.", status="pending")
    data_export = privacy_export.request_export(staff.admin, tickets[0].customer)
    job = start_bulk_job(
        staff.agent, org.id, [t.id for t in tickets], "priority", {"priority": "low"},
        selection={"queue": "open", "status": ["open", "pending"], "tag": "billing"},
    )  # fmt: skip
    db.session.add(
        BulkJobFailure(
            organization_id=org.id, bulk_job_id=job.id, ticket_id=tickets[1].id,
            ticket_number=tickets[1].number, reason="A ticket that is closed cannot be moved.",
        )
    )  # fmt: skip
    custom = [
        field_service.create_field(
            staff.admin, key=f"f_{kind.value}", label=kind.label, type=kind,
            options=["Pro", "Free"] if kind.has_options else [],
        )
        for kind in FieldType
    ]  # fmt: skip
    set_custom_fields(
        staff.admin, tickets[1], {"f_number": 12.5, "f_date": "2026-01-02", "f_select": "Pro"}
    )
    view = saved_views.create_view(
        staff.admin, name="Pro", filters={"queue": "all", "cf.f_select": "Pro"},
        columns=["f_select", "f_number"], shared=True,
    )  # fmt: skip
    kb_category = kb_categories.create_category(staff.admin, name="Billing")
    article = kb_service.create_article(
        staff.admin, title="Refund a booking", body="Open **Bookings**.", status="published",
        category_id=kb_category.id, tags=["refund"],
    )  # fmt: skip
    kb_service.update_article(staff.admin, article.id, body="Open **Bookings**, then Refund.")
    export = request_export(staff.admin, "tickets", "csv", {"queue": "all"})
    db.session.commit()
    attachments = db.session.scalars(
        db.select(Attachment.id).where(Attachment.organization_id == org.id)
    ).all()
    real = World(admin=staff.admin, viewer=staff.viewer)
    real.ids = {
        "number": [t.number for t in tickets],
        "customer_id": [c.id for c in customers],
        "agent_id": [staff.admin.id, staff.agent.id, staff.viewer.id],
        "team_id": [staff.team.id],
        "inbound_id": [i.inbound_id for i in inbound],
        "attachment_id": list(attachments),
        "message_id": list(
            db.session.scalars(
                db.select(Message.id).where(Message.organization_id == org.id).limit(3)
            )
        ),
        "email_id": [email.id],
        "calendar_id": [calendar.id],
        "policy_id": [policy.id],
        "rule_id": [rule.id],
        "endpoint_id": [endpoint.id],
        "canned_reply_id": [canned.id],
        "macro_id": [macro.id],
        "field_id": [f.id for f in custom],
        "view_id": [view.id],
        "article_id": [article.id],
        "revision_id": [r.id for r in kb_queries.revisions(org.id, article.id)],
        "category_id": [kb_category.id],
        "org_slug": [org.slug],
        "category_slug": [kb_category.slug],
        "article_slug": [article.slug],
        "delivery_id": [d.id for d in deliveries(endpoint.id)][:3],
        "secret": [secret],  # a live password reset link's (an invitation's is the same shape)
        "job_id": [job.id],
        "data_export_id": [data_export.id],
        "slug": [org.slug],  # an organization's single sign-on link
        # The customer portal (supportdesk.portal): a survey link's token (of a survey that does
        # not exist: a link of no survey) and the ratings; the slug is the help center's above.
        "token": [survey_links.sign(org.id, 1)],
        "rating": ["good", "bad"],
        "export_id": [export.id],
        "filename": [str(p.relative_to(STATIC)) for p in sorted(STATIC.rglob("*")) if p.is_file()],
    }
    for name, found in real.ids.items():
        assert found, f"the populated organization has no {name}"
    real.values = [
        *(str(i) for found in real.ids.values() for i in found if isinstance(i, int)),
        *(s.value for s in Status),
        *(p.value for p in Priority),
        *["mine", "unassigned", "breaching", "breached", "open", "all", "none", "updated", "created", "number", "asc", "desc", "priority", "billing", "Billing-Issue", "refund", "jane@example.com", "Pro", "yes", "2026-01-02", "12.5", "f_select", "f_number"],
        encode_cursor(tickets[1].updated_at, tickets[1].id),
        encode_cursor(tickets[1].number, tickets[1].id),
        tickets[1].updated_at.isoformat(),
    ]  # fmt: skip
    return real


# -- what to send -------------------------------------------------------------------------------

_INT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
JUNK_PATH_VALUES = ["0", "2147483648", "99999999999999999999", "%D9%A3", "1"]
ZONES = [None, dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-14))]


def _crafted_cursor(value, ticket_id) -> str:
    raw = json.dumps([value, ticket_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_HUGE = st.one_of(st.integers(2**31 - 2, 2**70), st.integers(-(2**70), 0))
_DATETIMES = st.datetimes(timezones=st.sampled_from(ZONES)).map(dt.datetime.isoformat)

# One strategy per class of input that has made a 500 somewhere.
JUNK = st.one_of(
    # Unicode digits: str.isdigit() says yes, int() reads some, PostgreSQL none.
    st.text(st.characters(whitelist_categories=("Nd", "No")), min_size=1, max_size=4),
    _HUGE.map(str),  # past int4 / int8, and negative
    st.text(max_size=8).map(lambda s: s + "\x00"),  # NUL
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),  # odd text, no surrogates
    st.dates().map(dt.date.isoformat),
    _DATETIMES,
    # Keyset cursors as a client could craft them: naive or extreme dates, huge ids, wrong types.
    st.builds(
        _crafted_cursor,
        st.one_of(_DATETIMES.map(lambda t: {"t": t}), _HUGE, st.booleans(), st.text(max_size=5)),
        st.one_of(_HUGE, st.booleans(), st.floats(allow_nan=False)),
    ),
)

# Each parameter of each route also gets one value of each class, always (hypothesis @example).
EXAMPLES = ["²", "2147483648", "9223372036854775808", "a\x00b", "9999-12-31T23:59:59-14:00",
            _crafted_cursor({"t": "2026-11-25T09:00:00"}, 1), _crafted_cursor(1, 2**31)]  # fmt: skip


def _get_rules(app) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())), key=lambda r: r.rule
    )


def _paths(rule: Rule, world: World) -> tuple[list[str], list[str]]:
    """The rule's URL with real values in every placeholder, and with junk in each in turn."""
    names = [m.group(2) for m in _INT.finditer(rule.rule)]
    for name in names:
        assert name in world.ids, (
            f"{rule.rule}: no real value known for <{name}>: add it to World.ids"
        )

    def fill(values: dict[str, str]) -> str:
        return _INT.sub(lambda m: values[m.group(2)], rule.rule)

    real = [fill({n: str(world.ids[n][i % len(world.ids[n])]) for n in names}) for i in range(2)]
    junk = [
        fill({n: (value if n == name else str(world.ids[n][0])) for n in names})
        for name in names
        for value in JUNK_PATH_VALUES
    ]
    return sorted(set(real)), junk


def _declared_query_names(endpoint: str) -> set[str]:
    for op in OPERATIONS:
        if op.endpoint == endpoint and op.query is not None:
            return set(op.query.model_fields)
    return set()


def _discover(client, path: str, headers: dict, recording: type[RecordingArgs]) -> set[str]:
    """Every query parameter the route reads, to a fixpoint (see the module docstring)."""
    names: set[str] = set()
    while True:
        recording.read = set()
        client.get(path, query_string=dict.fromkeys(names, "1"), headers=headers).close()
        if recording.read <= names:
            return names
        names |= recording.read


@pytest.fixture
def no_rate_limit(app) -> Iterator[None]:
    """Thousands of API requests in a minute are the point here."""
    limiter = app.extensions["api_rate_limiter"]
    saved, limiter.limit = limiter.limit, 10**9
    yield
    limiter.limit = saved


# Documented 5xx answers that are not server errors: /readyz says 503 while no worker runs.
EXPECTED_5XX = {"/readyz": 503}


def _check(client, path: str, query: dict, headers: dict) -> None:
    response = client.get(path, query_string=query, headers=headers)
    response.close()  # static files are streamed from an open file
    if EXPECTED_5XX.get(path) == response.status_code:
        return
    assert response.status_code < 500, (path, query, response.status_code)


def _probe_parameter(client, paths, name, names, known, headers) -> None:
    """Hypothesis-drawn values for `name` (and known values for some others) on real paths."""
    others = st.dictionaries(st.sampled_from(sorted(names)), st.lists(known, max_size=2))

    @settings(
        max_examples=EXAMPLES_PER_PARAMETER,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path=st.sampled_from(paths),
        values=st.lists(st.one_of(JUNK, known), min_size=1, max_size=2),
        rest=others,
    )
    def probe(path: str, values: list[str], rest: dict) -> None:
        _check(client, path, {**rest, name: values}, headers)

    for value in EXAMPLES:
        probe = example(path=paths[0], values=[value], rest={})(probe)
    probe()


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_no_get_route_answers_a_server_error(app, client, world, recording, no_rate_limit, role):
    user = getattr(world, role)
    login_as(client, user)
    _token, plain = create_token(user, name="Generated inputs", scope=Scope.READ)
    admin_client = app.test_client()
    login_as(admin_client, world.admin)
    admin_token = create_token(world.admin, name="Discovery", scope=Scope.READ)[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    known = st.sampled_from(world.values)

    for rule in _get_rules(app):
        real_paths, junk_paths = _paths(rule, world)
        for path in real_paths + junk_paths:
            _check(client, path, {}, headers)
        names = _declared_query_names(rule.endpoint) | _discover(
            admin_client, real_paths[0], {"Authorization": f"Bearer {admin_token}"}, recording
        )
        recording.read = set()
        for name in sorted(names):
            _probe_parameter(client, real_paths, name, names, known, headers)
        missed = recording.read - names
        assert not missed, f"{rule.rule} reads {sorted(missed)}, which discovery did not find"
