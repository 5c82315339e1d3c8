"""Browser tests: the app served on a free port against PostgreSQL, driven by Debian's Chromium.

The served app has its own migrated database whose transactions really commit (a browser's
requests run on the server's threads, which cannot join a test's rolled-back transaction); every
table is emptied after each test. Test data is made with the usual factories inside the
`e2e_app` context and committed with `persist()`. One Chromium runs for the whole session
(pytest-playwright's `browser`); each test gets a fresh context and page.

Environment: SUPPORTDESK_TEST_CHROMIUM names the Chromium binary (default: `chromium` on PATH,
else /usr/bin/chromium). Jobs run in-process and emails are written to a folder (no Redis,
no SMTP), as in the embedded default.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask, current_app, session
from flask_login import login_user
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from supportdesk import create_app
from supportdesk.accounts.models import Role, User
from supportdesk.auth.service import establish
from supportdesk.extensions import db
from supportdesk.live.presence import MemoryPresence
from tests import factories
from tests.fixtures import postgres

# A shared machine can stall for seconds: a page that gets there in 9 s has not failed. Waits
# end as soon as they are met, so a passing test is no slower (Playwright's default is 5 s).
expect.set_options(timeout=10_000)

# Pictures of pages for a person to look at (the brief: "look at the screenshot"), written only
# when SUPPORTDESK_TEST_SCREENSHOTS names a folder: no test depends on them, and taking them in
# every run cost time and, once, a Chromium protocol error ("Unable to capture screenshot").
SCREENSHOTS = os.environ.get("SUPPORTDESK_TEST_SCREENSHOTS")


def screenshot(target, name: str, **options) -> None:
    """Save a picture of `target` (a page or a locator) as `name` in SUPPORTDESK_TEST_SCREENSHOTS."""
    if SCREENSHOTS:
        target.screenshot(path=str(Path(SCREENSHOTS) / name), **options)


WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
E2E_DIR = Path(__file__).parent
STATIC = (E2E_DIR.parent.parent / "static").resolve()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The three widths every layout is checked at: a phone, a half-screen window, a desktop.
WIDTHS = {"phone": 390, "half": 960, "desktop": 1440}


def chromium_path() -> str:
    """The Chromium binary the suite drives (Playwright's own browser download is not used)."""
    configured = os.environ.get("SUPPORTDESK_TEST_CHROMIUM")
    found = configured or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise RuntimeError(
            f"Chromium not found at {found}: install it (Debian: apt-get install chromium) "
            "or set SUPPORTDESK_TEST_CHROMIUM to its path."
        )
    return found


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test."""
    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


# -- the served app ------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The app served on a free port in a thread of the test process."""

    app: Flask
    url: str


@pytest.fixture(scope="session")
def e2e_app(
    postgresql_server: postgres.Server, migrated_template: str, tmp_path_factory
) -> Iterator[Flask]:
    """The app on its own migrated, committing database (dropped at the end of the session): a
    copy of the session's `migrated_template`, so the migrations do not run again for it."""
    name = f"supportdesk_e2e_{WORKER}_{secrets.token_hex(4)}"
    with postgres.temporary_database(postgresql_server, name, template=migrated_template) as url:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "REDIS_URL": None,
                "SECRET_KEY": "e2e",
                "PASSWORD_HASH_FAST": True,
                "MAIL_DIR": str(tmp_path_factory.mktemp("mail")),
                "STORAGE_DIR": str(tmp_path_factory.mktemp("files")),
                "WEBHOOKS_ALLOW_PRIVATE": True,
            }
        )
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _static_bodies_read_whole(wsgi_app):
    """`wsgi_app`, with a static file's body read whole before the server sends it.

    Chromium fetches a page's favicon outside Playwright's routing (_static_files_from_disk), and
    a page that navigates at once drops that request midway: Werkzeug's test server then leaves
    the file it had opened to the garbage collector, a ResourceWarning that the suite's `error`
    filter pins on whichever test runs at that moment (seen once in a layout test). A body read
    whole holds no file.
    """

    def app(environ, start_response):
        body = wsgi_app(environ, start_response)
        if not environ.get("PATH_INFO", "").startswith("/static/"):
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return app


@pytest.fixture(scope="session")
def live_server(e2e_app: Flask) -> Iterator[LiveServer]:
    """Serve `e2e_app` on 127.0.0.1 and a free port, threaded, for the whole session."""
    server = make_server("127.0.0.1", 0, _static_bodies_read_whole(e2e_app), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    e2e_app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield LiveServer(app=e2e_app, url=url)
    server.shutdown()
    thread.join(timeout=10)


# Sequences a test has drawn from (identity columns, serials): set back to their start, as
# TRUNCATE … RESTART IDENTITY would.
_DRAWN_SEQUENCES = sa.text(
    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value"
    " FROM pg_sequences WHERE last_value IS NOT NULL"
)


def _tables_with_rows(connection: sa.Connection, tables: list[sa.Table]) -> set[str]:
    """The names of those tables that hold a row (one statement)."""
    probe = sa.union_all(
        *(
            sa.select(sa.literal(table.name)).where(sa.exists().select_from(table))
            for table in tables
        )
    )
    return set(connection.execute(probe).scalars())


def _empty_tables(app: Flask) -> None:
    """Delete every row of the tables the models know and restart their identities (the
    migration history stays).

    DELETE, not TRUNCATE: a test leaves rows in a dozen small tables, and TRUNCATE replaces the
    files of every table it names and makes its commit wait for a WAL flush, which cost 0.3 to
    1.5 s after each browser test on a durable server; deleting the few rows and setting the
    drawn sequences back takes some 20 ms. Children go before their parents; a second pass
    takes the rows a trigger wrote meanwhile (the ticket counts a ticket's deletion updates).
    The audit log refuses deletes except through its purge setting, which lets them all go.

    Work the last test left running in the live server (a deferred job such as the reports
    refresh, a stream's last read) can hold a lock the deletes need in the other order:
    PostgreSQL then ends one of them as a deadlock, and the emptying is simply tried again.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    with app.app_context():
        for attempt in range(5):
            try:
                with db.engine.begin() as connection:
                    connection.execute(sa.text("SET LOCAL synchronous_commit = off"))
                    connection.execute(
                        sa.text("SET LOCAL supportdesk.audit_purge_before = 'infinity'")
                    )
                    for _ in range(3):
                        filled = _tables_with_rows(connection, tables)
                        if not filled:
                            break
                        for table in tables:
                            if table.name in filled:
                                connection.execute(sa.delete(table))
                    else:
                        raise AssertionError(f"Rows keep coming back in {sorted(filled)}.")
                    for sequence, start in connection.execute(_DRAWN_SEQUENCES).all():
                        connection.execute(
                            sa.text("SELECT setval(:sequence, :start, false)"),
                            {"sequence": sequence, "start": start},
                        )
                return
            except sa.exc.OperationalError as exc:
                if "deadlock" not in str(exc.orig) or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))


@pytest.fixture(autouse=True)
def e2e_data(live_server: LiveServer) -> Iterator[None]:
    """Run the test inside the served app's context; empty the database, the mail folder and the
    presence marks after."""
    with live_server.app.app_context():
        try:
            yield
        finally:
            db.session.rollback()
            db.session.remove()
    _empty_tables(live_server.app)
    # Presence marks live in the server's memory (no Redis here) for TTL_SECONDS after a page's
    # last heartbeat, and a page closed with its context never says it left: the next test's
    # ticket would show that agent (ids restart with the tables, so as a new agent's name).
    live_server.app.extensions["live_presence"] = MemoryPresence()
    # Email ids restart with the tables; an old email-<id>.eml must not pass for a new one.
    for leftover in Path(live_server.app.config["MAIL_DIR"]).glob("*.eml"):
        leftover.unlink()


def persist() -> None:
    """Commit what the factories flushed, so the server's threads see it."""
    db.session.commit()


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium (no Playwright browser download) with the flags this machine needs."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Relative URLs in page.goto() go to the served app."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, base_url: str) -> dict:
    """A desktop-sized window in UTC with English, unless a test asks otherwise."""
    return {
        **browser_context_args,
        "base_url": base_url,
        "viewport": {"width": WIDTHS["desktop"], "height": 900},
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


def _static_from_disk(route) -> None:
    path = STATIC / unquote(urlsplit(route.request.url).path).removeprefix("/static/")
    if STATIC in path.resolve().parents and path.is_file():
        route.fulfill(path=str(path), content_type=mimetypes.guess_type(path.name)[0])
    else:
        route.continue_()


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_disk(browser) -> Iterator[None]:
    """Every browser context of the suite (the `page` fixture's, and those a test opens for a
    second agent or a visitor) takes static files (CSS, scripts, the favicon) from disk, not
    from the live server.

    A page that navigates or reloads at once (the bulk job's progress page every 2 s, a post
    right after load) drops the browser's requests for them midway, and Werkzeug's threaded
    test server then leaves the file it had opened to the garbage collector: a ResourceWarning
    that the suite's `error` filter pins on whichever test runs at that moment. The app's own
    static route is tested through the test client (tests/test_generated_inputs.py).
    """
    new_context = browser.new_context

    def new_context_from_disk(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.route("**/static/**", _static_from_disk)
        return context

    browser.new_context = new_context_from_disk
    yield
    browser.new_context = new_context


# -- people and their data -----------------------------------------------------------------


@dataclass
class Desk:
    """A populated organization: an admin, an agent, a viewer, a customer and one ticket."""

    org: object
    admin: object
    senior: object
    agent: object
    viewer: object
    customer: object
    team: object
    ticket: object


@pytest.fixture
def desk() -> Desk:
    """One organization with one agent of each role, a team, a customer and an open ticket."""
    return make_desk()


def make_desk() -> Desk:
    """The `desk` data, for fixtures of a wider scope (tests that only read share one)."""
    org = factories.OrganizationFactory(name="Acme Support", slug="acme")
    admin = factories.UserFactory(organization=org, role=Role.ADMIN, name="Ada Admin")
    senior = factories.UserFactory(organization=org, role=Role.SENIOR_AGENT, name="Sam Senior")
    agent = factories.UserFactory(organization=org, role=Role.AGENT, name="Alex Agent")
    viewer = factories.UserFactory(organization=org, role=Role.VIEWER, name="Vic Viewer")
    team = factories.TeamFactory(organization=org, name="Billing", members=[agent, senior])
    customer = factories.CustomerFactory(
        organization=org, name="Aisha Bianchi", email="aisha.bianchi@driftwood-travel.example"
    )
    ticket = factories.make_ticket(
        org,
        customer=customer,
        subject="Refund for a cancelled booking",
        body="I cancelled my booking last week and I am still waiting for the refund.",
        team=team,
    )
    persist()
    return Desk(org, admin, senior, agent, viewer, customer, team, ticket)


def sign_in(
    page: Page, user, *, remember: bool = False, password: str = factories.PASSWORD
) -> None:
    """Sign `user` in through the real form and wait for the console."""
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    if remember:
        page.get_by_label("Keep me signed in").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def start_session(page: Page, user) -> None:
    """Sign `user` in without the form, for tests about something else: the session the form
    would start (supportdesk.auth.service.establish, audit entry included) and the session
    cookie it would set, put in `page`'s browser context. The page stays where it is; the test
    goes where it means to. Tests of signing in, two factors, SSO and sessions use `sign_in`.

    The form costs two page loads and a password check in every test that merely needs an
    agent; this costs one commit.
    """
    app = current_app._get_current_object()
    user_agent = page.evaluate("navigator.userAgent")
    # Its own app context, so its own database session: the test's session and objects are
    # untouched, as they are by a sign-in the server's thread handles.
    with (
        app.app_context(),
        app.test_request_context(
            "/login",
            method="POST",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"User-Agent": user_agent},
        ),
    ):
        agent = db.session.get(User, user.id)
        establish(agent, remember=False, address="127.0.0.1", user_agent=user_agent)
        db.session.commit()
        assert login_user(agent), f"{agent.email} may not sign in"
        interface = app.session_interface
        cookie = {
            "name": interface.get_cookie_name(app),
            "value": interface.get_signing_serializer(app).dumps(dict(session)),
            "url": app.config["BASE_URL"],
            "httpOnly": interface.get_cookie_httponly(app),
            "secure": interface.get_cookie_secure(app),
            "sameSite": interface.get_cookie_samesite(app),
        }
    page.context.add_cookies([cookie])
