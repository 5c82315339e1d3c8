"""Which change notifies whom, in the console and by email, per each agent's preference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk import events
from supportdesk.customers.models import Customer
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.jobs.sla import sweep_sla
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.notifications import preferences, queries, service
from supportdesk.notifications.models import AgentNotification, NotificationKind
from supportdesk.notifications.preferences import Choice
from supportdesk.sla.service import SlaBreached, SlaWarning
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority, Ticket
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.notifications.conftest import Pair

pytestmark = pytest.mark.integration

K = NotificationKind


def _rows(user) -> list[AgentNotification]:
    return list(
        db.session.scalars(
            sa.select(AgentNotification)
            .where(AgentNotification.user_id == user.id)
            .order_by(AgentNotification.id)
        )
    )


def _emails(user, kind: str) -> list[EmailMessage]:
    return list(
        db.session.scalars(
            sa.select(EmailMessage).where(
                EmailMessage.to_address == user.email, EmailMessage.kind == kind
            )
        )
    )


# -- the changes, each as Ana or as Bruno himself -----------------------------------------


def _assign(pair: Pair, ticket: Ticket, actor: str) -> None:
    tickets.assign(getattr(pair, actor), ticket, assignee_id=pair.bruno.id, team_id=None)


def _customer_reply(pair: Pair, ticket: Ticket, actor: str) -> None:
    ticket.assignee = pair.bruno
    db.session.commit()
    db.session.query(AgentNotification).delete()  # the assignment's own, if any
    customer = db.session.get(Customer, ticket.customer_id)
    tickets.customer_reply(ticket, customer, "Any news on this?")


def _mention(pair: Pair, ticket: Ticket, actor: str) -> None:
    tickets.add_note(getattr(pair, actor), ticket, f"{pair.handle} can you check the invoice?")


def _sla(event_type) -> Callable[[Pair, Ticket, str], None]:
    def record(pair: Pair, ticket: Ticket, actor: str) -> None:
        ticket.assignee = pair.bruno
        db.session.flush()
        events.record(
            db.session,
            event_type(
                ticket.organization_id,
                ticket.id,
                "first_response",
                ticket.created_at,
                assignee_id=pair.bruno.id,
            ),
        )

    return record


CHANGES = {
    K.ASSIGNED: (_assign, "ticket_assigned"),
    K.CUSTOMER_REPLIED: (_customer_reply, "customer_replied"),
    K.MENTIONED: (_mention, "mentioned"),
    K.SLA_WARNING: (_sla(SlaWarning), None),
    K.SLA_BREACHED: (_sla(SlaBreached), "sla_breached"),
}
BOTH, CONSOLE, EMAIL, NEITHER = (
    Choice(True, True),
    Choice(True, False),
    Choice(False, True),
    Choice(False, False),
)


def _cases():
    for kind in CHANGES:
        emailed = kind is not K.SLA_WARNING
        for name, choice in [("default", None), ("console", CONSOLE), ("neither", NEITHER)]:
            default = preferences.DEFAULTS[kind]
            want = choice or default
            yield pytest.param(
                kind, choice, "ana", int(want.in_app), int(want.email and emailed),
                id=f"{kind.value}-{name}",
            )  # fmt: skip
        if emailed:
            yield pytest.param(kind, EMAIL, "ana", 0, 1, id=f"{kind.value}-email-only")
        # Customer replies and SLA alerts have no agent actor: only the rest can be one's own.
        if kind in (K.ASSIGNED, K.MENTIONED):
            yield pytest.param(kind, BOTH, "bruno", 0, 0, id=f"{kind.value}-own-change")


def test_every_kind_about_a_ticket_is_in_the_table():
    # Export notifications are about an export: tests/exports/test_kinds.py covers them.
    assert set(K) - set(CHANGES) == {K.EXPORT_FINISHED}


@pytest.mark.parametrize("kind, choice, actor, rows, emails", list(_cases()))
def test_each_change_notifies_per_preference_and_never_the_actor(
    org, pair, kind, choice, actor, rows, emails
):
    ticket = make_ticket(org, customer=CustomerFactory(organization=org), subject="Invoice wrong")
    if choice is not None:
        preferences.save(pair.bruno, {kind: choice})
    db.session.commit()
    change, template = CHANGES[kind]

    change(pair, ticket, actor)
    db.session.commit()

    found = _rows(pair.bruno)
    assert [(n.kind, n.ticket_id) for n in found] == [(kind, ticket.id)] * rows
    assert all(n.read_at is None and n.organization_id == org.id for n in found)
    if template is not None:
        assert len(_emails(pair.bruno, template)) == emails
    assert _rows(pair.ana) == []


def test_the_text_names_the_actor_the_ticket_and_the_note(org, pair):
    ticket = make_ticket(org, subject="Invoice wrong")
    db.session.commit()
    tickets.add_note(pair.ana, ticket, f"Hi {pair.handle}, the   VAT line\nis off.")
    db.session.commit()

    [row] = _rows(pair.bruno)
    assert row.actor_user_id == pair.ana.id
    assert row.text == (
        f"Ana Admin mentioned you on #{ticket.number} “Invoice wrong”: "
        f"“Hi {pair.handle}, the VAT line is off.”"
    )


def test_a_mention_in_a_public_reply_notifies_nobody_and_mails_no_agent(org, pair):
    ticket = make_ticket(org, customer=CustomerFactory(organization=org))
    db.session.commit()

    tickets.reply(pair.ana, ticket, f"Thanks, {pair.handle} will look at it.")
    db.session.commit()

    assert _rows(pair.bruno) == []
    assert _emails(pair.bruno, "mentioned") == []


def test_a_mention_never_reaches_another_organizations_agent(org, other_org, pair):
    stranger = UserFactory(organization=other_org, email=f"bruno.{org.id}@other.example")
    ticket = make_ticket(org)
    db.session.commit()

    tickets.add_note(pair.ana, ticket, f"@{stranger.email} and @bruno.{org.id}")
    db.session.commit()

    assert _rows(stranger) == []
    assert _emails(stranger, "mentioned") == []
    assert [n.kind for n in _rows(pair.bruno)] == [K.MENTIONED]


def test_an_automatic_assignment_notifies_without_an_actor(org, pair):
    ticket = make_ticket(org)
    db.session.commit()

    tickets.auto_assign(ticket, pair.bruno, reason="round_robin")
    db.session.commit()

    [row] = _rows(pair.bruno)
    assert row.actor_user_id is None
    assert row.text == f"#{ticket.number} “{ticket.subject}” was assigned to you"


def test_the_unread_count_drops_as_notifications_are_read(org, pair):
    ticket = make_ticket(org)
    db.session.commit()
    for n in range(3):
        tickets.add_note(pair.ana, ticket, f"{pair.handle} ping {n}")
    db.session.commit()
    first, *_ = _rows(pair.bruno)

    assert queries.unread_count(pair.bruno.id) == 3
    service.mark_read(pair.bruno, first.id)
    assert queries.unread_count(pair.bruno.id) == 2
    assert service.mark_all_read(pair.bruno) == 2
    assert queries.unread_count(pair.bruno.id) == 0
    assert [n.id for n in queries.list_for(org.id, pair.bruno.id)][-1] == first.id  # newest first


def test_an_agent_cannot_mark_another_agents_notification(org, other_org, pair):
    ticket = make_ticket(org)
    db.session.commit()
    tickets.add_note(pair.ana, ticket, pair.handle)
    db.session.commit()
    [row] = _rows(pair.bruno)
    outsider = UserFactory(organization=other_org)

    for someone in (pair.ana, outsider):
        with pytest.raises(NotFound):
            service.mark_read(someone, row.id)
        assert service.mark_all_read(someone) == 0
    assert queries.unread_count(pair.bruno.id) == 1


def test_sla_warnings_cannot_be_mailed(pair):
    with pytest.raises(ValidationFailed) as refused:
        preferences.save(pair.bruno, {K.SLA_WARNING: BOTH})

    assert "sla_warning.email" in refused.value.fields
    assert preferences.choices(pair.bruno.id)[K.SLA_WARNING] == preferences.DEFAULTS[K.SLA_WARNING]


def test_a_mention_email_goes_out_over_smtp_escaped(org, pair, smtp, run_worker):
    ticket = make_ticket(org, subject="<b>Invoice</b> wrong")
    db.session.commit()
    tickets.add_note(pair.ana, ticket, f"{pair.handle} see <script>alert(1)</script> & fix")
    db.session.commit()

    bruno, number = pair.bruno.email, ticket.number

    run_worker()  # ends with a fresh session

    [sent] = [m for m in smtp.mailbox.messages if m["To"].addresses[0].addr_spec == bruno]
    assert sent["Subject"] == f"[#{number}] Ana Admin mentioned you: <b>Invoice</b> wrong"
    html = sent.get_body(("html",)).get_content()
    text = sent.get_body(("plain",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; fix" in html
    assert "<script>" not in html
    assert "<script>alert(1)</script> & fix" in text
    assert f"/tickets/{number}" in text


def test_the_sla_sweep_warns_then_reports_the_breach_to_the_assignee(org, pair):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(org, priority=Priority.CRITICAL, assignee=pair.bruno)
        db.session.commit()
    db.session.query(AgentNotification).delete()  # the assignment's own
    db.session.commit()

    # Without a policy the clock runs around the clock; a day later every target is missed.
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        sweep_sla()

    kinds = [(n.kind, n.text) for n in _rows(pair.bruno)]
    subject = f"#{ticket.number} “{ticket.subject}”"
    assert kinds[:2] == [
        (K.SLA_WARNING, f"{subject} is close to missing its first response target"),
        (K.SLA_BREACHED, f"{subject} missed its first response target"),
    ]
    assert {k for k, _ in kinds} == {K.SLA_WARNING, K.SLA_BREACHED}
    assert len(_emails(pair.bruno, "sla_breached")) == len(kinds) // 2


def test_the_unread_count_is_served_by_the_partial_index_of_unread_rows(org, pair):
    statement = queries.unread_statement(pair.bruno.id)
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))

    plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {sql}")))

    assert "ix_agent_notifications_unread" in plan
