"""Admin mail pages: problem mail with "Retry now", previews, notification settings; badges."""

from __future__ import annotations

import pytest
from rq import Queue

from supportdesk import jobs
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage, NotificationSettings
from supportdesk.mail.outbound.service import SEND_JOB
from supportdesk.outbox import OutboxState
from supportdesk.tickets import service as tickets
from tests.factories import make_ticket
from tests.fixtures.web import csrf_token, login_as
from tests.mail.helpers import make_email

pytestmark = pytest.mark.integration


def _email(email_id: int) -> EmailMessage:
    db.session.expire_all()
    return db.session.get(EmailMessage, email_id)


def test_a_rejected_email_is_listed_and_retried_until_it_is_sent(
    client, admin, org, smtp, run_worker
):
    smtp.mailbox.rcpt_reply = "550 5.1.1 Mailbox unavailable"
    email = make_email(org, subject="[#3] Your invoice", to_address="gone@example.com")
    jobs.defer(db.session, SEND_JOB, email.id, queue="emails")
    db.session.commit()
    email_id = email.id
    login_as(client, admin)  # before the worker, which ends with a fresh session
    run_worker()

    page = client.get("/admin/mail")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "gone@example.com" in html and "[#3] Your invoice" in html
    assert "550 5.1.1 Mailbox unavailable" in html
    assert 'class="badge mail-failed">Failed' in html

    smtp.mailbox.rcpt_reply = None  # the mailbox exists again
    response = client.post(f"/admin/mail/{email_id}/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert _email(email_id).state is OutboxState.QUEUED
    assert Queue("emails", connection=client.application.extensions["redis"]).count == 1
    run_worker()
    assert _email(email_id).state is OutboxState.SENT
    assert len(smtp.mailbox.messages) == 1


def test_retry_without_the_csrf_token_does_nothing(client, admin, org):
    email_id = make_email(org, state=OutboxState.FAILED).id
    login_as(client, admin)
    client.post(f"/admin/mail/{email_id}/retry", data={})
    assert _email(email_id).state is OutboxState.FAILED


def test_a_sent_email_cannot_be_retried(client, admin, org):
    email_id = make_email(org, state=OutboxState.SENT).id
    login_as(client, admin)
    token = csrf_token(client.get("/admin/mail"))
    response = client.post(f"/admin/mail/{email_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert "only deferred or failed mail can be retried" in client.get("/admin/mail").get_data(
        as_text=True
    )


def test_another_organizations_email_is_a_404(client, admin, other_org):
    email_id = make_email(other_org, state=OutboxState.FAILED).id
    login_as(client, admin)
    token = csrf_token(client.get("/admin/mail"))
    assert client.get(f"/admin/mail/{email_id}").status_code == 404
    assert client.get(f"/admin/mail/{email_id}/html").status_code == 404
    client.post(f"/admin/mail/{email_id}/retry", data={"csrf_token": token})
    assert _email(email_id).state is OutboxState.FAILED


@pytest.mark.parametrize(
    "path", ["/admin/mail", "/admin/notifications"], ids=["mail", "notifications"]
)
def test_only_admins_manage_mail(client, senior_agent, path):
    login_as(client, senior_agent)
    assert client.get(path).status_code == 403


def test_agents_do_not_see_the_mail_link(client, agent, admin):
    login_as(client, agent)
    assert "/admin/mail" not in client.get("/").get_data(as_text=True)
    login_as(client, admin)
    assert 'href="/admin/mail"' in client.get("/").get_data(as_text=True)


def test_the_preview_shows_text_and_frames_the_html_in_a_sandbox(client, agent, org, ticket):
    email_id = make_email(
        org,
        ticket=ticket,
        text_body="Hi <b>there</b>\n",
        html_body="<p>Hi <b>there</b></p>",
        to_name="Inès",
    ).id
    login_as(client, agent)
    html = client.get(f"/admin/mail/{email_id}").get_data(as_text=True)
    assert "Hi &lt;b&gt;there&lt;/b&gt;" in html
    assert f'src="/admin/mail/{email_id}/html" sandbox' in html
    part = client.get(f"/admin/mail/{email_id}/html")
    assert part.get_data(as_text=True) == "<p>Hi <b>there</b></p>"
    policy = part.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy
    assert part.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    ("role", "about_a_ticket", "status"),
    [
        pytest.param("viewer", True, 200, id="viewer-reads-a-ticket-email"),
        pytest.param("agent", True, 200, id="agent-reads-a-ticket-email"),
        pytest.param("viewer", False, 403, id="viewer-not-organization-mail"),
        pytest.param("agent", False, 403, id="agent-not-organization-mail"),
        pytest.param("senior_agent", False, 403, id="senior-not-organization-mail"),
        pytest.param("admin", False, 200, id="admin-reads-organization-mail"),
    ],
)
def test_who_may_read_an_email_follows_who_may_read_its_ticket(
    request, client, org, ticket, role, about_a_ticket, status
):
    """Mail about no ticket (to admins about a webhook, say) is for admins only."""
    email = make_email(org, ticket=ticket if about_a_ticket else None, kind="webhook_disabled")
    login_as(client, request.getfixturevalue(role))
    assert client.get(f"/admin/mail/{email.id}").status_code == status
    assert client.get(f"/admin/mail/{email.id}/html").status_code == status


def test_the_preview_lists_the_attempts(client, admin, org, smtp):
    from supportdesk.jobs.email import send_email

    email_id = make_email(org).id
    db.session.commit()
    send_email(email_id)
    login_as(client, admin)
    html = client.get(f"/admin/mail/{email_id}").get_data(as_text=True)
    assert "primary" in html and "250" in html and "accepted" in html


def test_settings_are_created_with_defaults_and_saved(client, admin, org):
    login_as(client, admin)
    page = client.get("/admin/notifications")
    assert page.status_code == 200
    response = client.post(
        "/admin/notifications",
        data={
            "csrf_token": csrf_token(page),
            "ticket_acknowledged": "y",
            "agent_replied": "y",
            "sender_name": "Acme\r\nSupport",
            "accent_color": "#AA3300",
            "logo_url": "https://cdn.acme.example/logo.png",
            "footer_text": "Acme Ltd",
        },
    )
    assert response.status_code == 302
    row = db.session.scalar(
        db.select(NotificationSettings).where(NotificationSettings.organization_id == org.id)
    )
    db.session.refresh(row)
    assert (row.ticket_acknowledged, row.agent_replied, row.ticket_resolved) == (True, True, False)
    assert (row.sender_name, row.accent_color) == ("Acme Support", "#aa3300")


@pytest.mark.parametrize(
    "field, value, message",
    [
        pytest.param("accent_color", "red", "Use a colour like #2563eb.", id="named-colour"),
        pytest.param("accent_color", "#12345", "Use a colour like #2563eb.", id="short-hex"),
        pytest.param(
            "logo_url", "http://cdn.example/logo.png", "Use an https:// address", id="http-logo"
        ),
        pytest.param("logo_url", "javascript:alert(1)", "Use an https:// address", id="js-logo"),
    ],
)
def test_bad_branding_is_refused_with_the_reason(client, admin, field, value, message):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/notifications"))
    data = {"csrf_token": token, "accent_color": "#2563eb", field: value}
    response = client.post("/admin/notifications", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_empty_settings_form_is_refused(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/notifications"))
    response = client.post("/admin/notifications", data={"csrf_token": token, "accent_color": ""})
    assert response.status_code == 422


def _emailed_reply(author, org, customer) -> tuple:
    """A ticket of `customer` with `author`'s reply, and the email that reply sent."""
    ticket = make_ticket(org, customer=customer)
    db.session.commit()
    tickets.reply(author, ticket, "Here is the answer")
    db.session.commit()
    reply = db.session.scalars(
        db.select(EmailMessage).where(
            EmailMessage.ticket_id == ticket.id, EmailMessage.kind == "agent_replied"
        )
    ).one()
    return ticket, reply


def test_emailed_messages_carry_a_badge_with_the_state(client, agent, org, customer):
    ticket, reply = _emailed_reply(agent, org, customer)
    reply.state, reply.last_error = OutboxState.DEFERRED, "primary: 451 try later"
    db.session.commit()
    login_as(client, agent)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert html.count('class="badge mail-badge') == 2
    assert (
        f'class="badge mail-badge mail-deferred" href="/admin/mail/{reply.id}" '
        f'title="primary: 451 try later">Email to {customer.email}: deferred</a>'
    ) in html


def test_a_german_reader_sees_the_mail_states_in_german(client, admin, org, customer):
    ticket, reply = _emailed_reply(admin, org, customer)
    reply.state = OutboxState.DEFERRED
    admin.language = "de"
    db.session.commit()
    login_as(client, admin)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f"E-Mail an {customer.email}: zurückgestellt</a>" in page
    listed = client.get("/admin/mail").get_data(as_text=True)
    assert ">Zurückgestellt</span>" in listed and ">Deferred<" not in listed
    shown = client.get(f"/admin/mail/{reply.id}").get_data(as_text=True)
    assert ">Zurückgestellt</span>" in shown


def test_badges_cost_one_query_whatever_the_number_of_emails(
    client, agent, org, customer, query_counter
):
    ticket = make_ticket(org, customer=customer)
    db.session.commit()
    login_as(client, agent)

    number = ticket.number  # read here: after a commit it is a query of the test's own

    def page_queries() -> int:
        with query_counter() as counted:
            assert client.get(f"/tickets/{number}").status_code == 200
        return counted.count

    client.get(f"/tickets/{number}")  # fills the organization's cache (accounts.orgcache)
    one = page_queries()
    for n in range(3):
        tickets.reply(agent, ticket, f"Reply {n}")
        db.session.commit()
    assert page_queries() == one
