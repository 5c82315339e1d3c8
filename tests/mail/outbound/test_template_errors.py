"""A broken email template costs its email, never the change the email is about.

The templates render inside the commit of the agent's reply (the outbox row is written in the
same transaction): an error there used to roll the reply back. Each test installs a replacement
template through MAIL_TEMPLATES_DIR, as an installation would, and goes through the real views.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.outbox import OutboxState
from supportdesk.tickets.models import Message, MessageKind
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

BROKEN = [
    pytest.param("{{ ticket.no_such_field }}", "UndefinedError", id="undefined-variable"),
    pytest.param("{{ ticket.number | no_such_filter }}", "TemplateAssertionError", id="bad-filter"),
    pytest.param("{% if %}", "TemplateSyntaxError", id="syntax-error"),
    pytest.param("{{ 1 // 0 }}", "ZeroDivisionError", id="error-while-rendering"),
]


def test_a_text_template_without_a_subject_block_fails_with_that_reason(
    client, agent, ticket, templates
):
    (templates / "agent_replied.txt").write_text("Hello")

    _reply(client, agent, ticket, "We fixed the export.")

    assert "agent_replied.txt has no subject block" in _reply_email(ticket).last_error


@pytest.fixture
def templates(tmp_path, mail_config):
    """A folder of replacement templates, switched on for this test."""
    folder = tmp_path / "templates"
    folder.mkdir()
    mail_config(MAIL_TEMPLATES_DIR=str(folder))
    return folder


def _reply(client, agent, ticket, body: str):
    login_as(client, agent)
    token = csrf_token(client.get(f"/tickets/{ticket.number}"))
    return client.post(
        f"/tickets/{ticket.number}/messages",
        data={"csrf_token": token, "body": body, "kind": "public"},
    )


def _reply_email(ticket) -> EmailMessage:
    return db.session.scalar(
        sa.select(EmailMessage).where(
            EmailMessage.ticket_id == ticket.id,
            EmailMessage.kind == Notification.AGENT_REPLIED.value,
        )
    )


@pytest.mark.parametrize(("template", "error"), BROKEN)
def test_the_reply_is_saved_and_its_email_failed_with_the_reason(
    client, agent, ticket, templates, template, error
):
    (templates / "agent_replied.html").write_text(template)

    response = _reply(client, agent, ticket, "We fixed the export.")

    assert response.status_code == 302
    saved = db.session.scalars(
        sa.select(Message.body_text).where(
            Message.ticket_id == ticket.id, Message.kind == MessageKind.PUBLIC
        )
    ).all()
    assert "We fixed the export." in saved
    email = _reply_email(ticket)
    assert email.state is OutboxState.FAILED
    assert "template 'agent_replied' failed" in email.last_error
    assert error in email.last_error


def test_the_failed_email_shows_its_reason_to_admins_and_cannot_be_retried_empty(
    client, admin, agent, ticket, templates
):
    (templates / "agent_replied.txt").write_text(
        "{% block subject %}Hello{% endblock %}{{ no_such_variable }}"
    )
    _reply(client, agent, ticket, "We fixed the export.")
    email = _reply_email(ticket)

    login_as(client, admin)
    page = client.get(f"/admin/mail/{email.id}")
    assert "no_such_variable" in page.get_data(as_text=True)
    retried = client.post(f"/admin/mail/{email.id}/retry", data={"csrf_token": csrf_token(page)})
    assert "its template failed" in client.get(retried.location).get_data(as_text=True)
    db.session.refresh(email)
    assert email.state is OutboxState.FAILED


def test_a_replacement_template_that_works_is_used(client, agent, ticket, templates):
    (templates / "agent_replied.txt").write_text(
        "{% block subject %}Re: {{ ticket.subject }}{% endblock %}Custom: {{ message.body }}\n"
    )

    _reply(client, agent, ticket, "We fixed the export.")

    email = _reply_email(ticket)
    assert email.state is OutboxState.QUEUED
    assert email.text_body.endswith("Custom: We fixed the export.\n")
    assert email.subject == f"Re: {ticket.subject}"
