"""The embedded default still works: SQLite, no Redis, the same console end to end."""

from __future__ import annotations

import re

import pytest

from supportdesk import create_app
from supportdesk.extensions import db
from tests.fixtures.web import IsolatedClient, csrf_token

pytestmark = pytest.mark.sqlite


@pytest.fixture
def embedded_app(tmp_path, migrated_sqlite):
    """An app as `make run` builds it: a SQLite file, no Redis, migrations applied."""
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(tmp_path / "supportdesk.db"),
            "SECRET_KEY": "smoke",
            "MAIL_DIR": str(tmp_path / "mail"),  # .eml files of the embedded default
            "PASSWORD_HASH_FAST": True,
            "TESTING": True,
        }
    )
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_admin_created_on_the_cli_works_the_console_on_sqlite(embedded_app):
    runner = embedded_app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Boss@Example.com",
            "--password",
            "a long password!",
            "--org",
            "Embedded Desk",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Admin boss@example.com created" in result.output

    client = embedded_app.test_client()
    page = client.get("/login")
    signed_in = client.post(
        "/login",
        data={
            "email": "boss@example.com",
            "password": "a long password!",
            "csrf_token": csrf_token(page),
        },
    )
    assert signed_in.status_code == 302

    token = csrf_token(client.get("/tickets/new"))
    created = client.post(
        "/tickets/new",
        data={
            "csrf_token": token,
            "customer_email": "c@example.com",
            "subject": "Printer jam",
            "body": "Page 3 is stuck.",
            "priority": "high",
            "team_id": "0",
            "assignee_id": "0",
            "tags": "hardware",
        },
    )
    assert created.status_code == 302
    number = created.headers["Location"].rsplit("/", 1)[1]

    replied = client.post(
        f"/tickets/{number}/messages",
        data={"csrf_token": token, "body": "Open the back panel.", "kind": "public"},
    )
    assert replied.status_code == 302
    ticket_page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "Open the back panel." in ticket_page and "Printer jam" in ticket_page
    queue = client.get("/?queue=all&tag=hardware&sort=priority").get_data(as_text=True)
    assert re.search(rf'href="/tickets/{number}"', queue)


def test_the_create_admin_command_explains_a_short_password(embedded_app):
    result = embedded_app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@example.com", "--password", "short", "--org", "X"]
    )
    assert result.exit_code == 1
    assert "Use at least 12 characters" in result.output


def test_failed_logins_are_throttled_in_memory_without_redis(embedded_app):
    embedded_app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "--email",
            "a@example.com",
            "--password",
            "a long password!",
            "--org",
            "X",
        ]
    )
    client = embedded_app.test_client()
    statuses = []
    for _ in range(embedded_app.config["LOGIN_MAX_FAILURES"] + 1):
        page = client.get("/login")
        statuses.append(
            client.post(
                "/login",
                data={
                    "email": "a@example.com",
                    "password": "wrong!",
                    "csrf_token": csrf_token(page),
                },
            ).status_code
        )
    assert statuses[-2:] == [401, 429]


def test_without_redis_deferred_jobs_run_in_process_after_the_commit(embedded_app):
    from supportdesk import jobs
    from supportdesk.accounts.service import create_organization
    from supportdesk.tickets import service
    from supportdesk.tickets.models import Status

    with embedded_app.app_context():
        org = create_organization("In-process Desk")
        ticket = service.open_ticket(
            org.id, actor=None, customer_email="c@example.com", subject="s", body="b"
        )
        ticket.status = Status.RESOLVED
        ticket.resolved_at = ticket.created_at.replace(year=2000)
        db.session.flush()
        jobs.defer(db.session, "supportdesk.jobs.tickets.close_resolved_tickets")
        assert ticket.status is Status.RESOLVED
        db.session.commit()
        db.session.expire_all()
        assert ticket.status is Status.CLOSED


def test_background_commands_explain_that_they_need_redis(embedded_app):
    for command in (["worker"], ["cron"]):
        result = embedded_app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 1
        assert "SUPPORTDESK_REDIS_URL is not set" in result.output


def test_canned_replies_and_a_macro_work_on_sqlite(embedded_app):
    runner = embedded_app.test_cli_runner()
    args = ["create-admin", "--email", "boss@example.com", "--password", "a long password!"]
    assert runner.invoke(args=[*args, "--org", "Embedded Desk"]).exit_code == 0
    client = embedded_app.test_client()
    page = client.get("/login")
    login = {"email": "boss@example.com", "password": "a long password!"}
    client.post("/login", data={**login, "csrf_token": csrf_token(page)})
    token = csrf_token(client.get("/tickets/new"))
    created = client.post(
        "/tickets/new",
        data={"csrf_token": token, "customer_email": "c@example.com", "customer_name": "Cy Doe",
              "subject": "Refund", "body": "Where is it?", "priority": "low", "team_id": "0",
              "assignee_id": "0", "tags": "new"},
    )  # fmt: skip
    number = created.headers["Location"].rsplit("/", 1)[1]
    reply = {"csrf_token": token, "title": "Refund 100%", "body": "Hi {{ customer.first_name }}"}
    assert client.post("/admin/canned-replies/new", data=reply).status_code == 302
    found = client.get(f"/tickets/{number}/canned-replies?q=100%25").get_json()["replies"]
    assert [r["body"] for r in found] == ["Hi Cy"]
    macro = {"csrf_token": token, "name": "Done", "reply_body": "Bye {{ customer.name }}",
             "reply_kind": "internal", "status": "resolved", "priority": "", "assignee_id": "0",
             "team_id": "0", "add_tags": "refund", "remove_tags": "new"}  # fmt: skip
    assert client.post("/admin/macros/new", data=macro).status_code == 302
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    macro_id = re.search(r'<option value="(\d+)">Done</option>', page).group(1)
    version = re.search(r'name="macro-version" type="hidden" value="(\d+)"', page).group(1)
    applied = client.post(
        f"/tickets/{number}/macros",
        data={"csrf_token": token, "macro-version": version, "macro-macro_id": macro_id},
    )
    assert applied.status_code == 302
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "applied the macro <em>Done</em>" in page and "Bye Cy Doe" in page


def test_the_help_center_and_reports_work_on_sqlite(embedded_app):
    """The embedded default has no LATERAL joins: the help center's home numbers its rows."""
    runner = embedded_app.test_cli_runner()
    args = ["create-admin", "--email", "boss@example.com", "--password", "a long password!"]
    assert runner.invoke(args=[*args, "--org", "Embedded Desk"]).exit_code == 0
    from supportdesk.accounts.models import User
    from supportdesk.kb import categories, service

    with embedded_app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "boss@example.com"))
        billing = categories.create_category(admin, name="Billing")
        for title in ("Refunds", "Invoices", "Card declined"):
            service.create_article(
                admin, title=title, body="Open **Billing**.", status="published",
                category_id=billing.id,
            )  # fmt: skip
        service.create_article(admin, title="Sign in", body="Use your email.", status="published")
        service.create_article(admin, title="Draft only", body="Not yet.")
        slug = admin.organization.slug
        db.session.commit()
    client = embedded_app.test_client()
    home = client.get(f"/help/{slug}/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert all(t in text for t in ("Refunds", "Invoices", "Card declined", "Sign in"))
    assert "Draft only" not in text
    page = client.get("/login")
    login = {"email": "boss@example.com", "password": "a long password!"}
    client.post("/login", data={**login, "csrf_token": csrf_token(page)})
    assert client.get("/reports").status_code == 200
