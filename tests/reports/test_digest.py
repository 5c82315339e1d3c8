"""Summary emails: when each is due (time zones, DST), once per period, the dashboard's own
figures, delivered over real SMTP, and only the subscriber's organization's tickets."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.extensions import db
from supportdesk.jobs.reports import refresh_reports, send_report_summaries
from supportdesk.jobs.schedule import PERIODIC
from supportdesk.mail.outbound.models import REPORT_SUMMARY, EmailMessage
from supportdesk.reports import digest
from supportdesk.reports.models import Frequency, ReportSubscription
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Status
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

W, M = Frequency.WEEKLY, Frequency.MONTHLY
BERLIN, TOKYO, NEW_YORK, SYDNEY = (
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/New_York",
    "Australia/Sydney",
)


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


@pytest.mark.parametrize(
    ("frequency", "last", "reader", "org", "now", "expected"),
    [
        pytest.param(W, _d(11, 2), BERLIN, BERLIN, _utc(2026, 11, 15, 22, 59), None,
                     id="sunday-23:59-berlin-the-week-is-not-over"),
        pytest.param(W, _d(11, 2), BERLIN, BERLIN, _utc(2026, 11, 15, 23, 0),
                     (_d(11, 9), _d(11, 15)), id="monday-00:00-berlin-last-week-is-due"),
        pytest.param(W, _d(11, 9), BERLIN, BERLIN, _utc(2026, 11, 18, 12, 0), None,
                     id="already-sent-this-week"),
        pytest.param(W, None, BERLIN, BERLIN, _utc(2026, 11, 18, 12, 0),
                     (_d(11, 9), _d(11, 15)), id="never-sent-is-due"),
        pytest.param(W, _d(11, 2), TOKYO, BERLIN, _utc(2026, 11, 15, 15, 0), None,
                     id="monday-in-tokyo-but-sunday-in-the-organization"),
        pytest.param(W, _d(11, 2), TOKYO, BERLIN, _utc(2026, 11, 15, 23, 0),
                     (_d(11, 9), _d(11, 15)), id="tokyo-reader-once-berlin-sunday-ends"),
        pytest.param(W, _d(11, 2), NEW_YORK, BERLIN, _utc(2026, 11, 16, 4, 59), None,
                     id="sunday-evening-in-new-york"),
        pytest.param(W, _d(11, 2), NEW_YORK, BERLIN, _utc(2026, 11, 16, 5, 0),
                     (_d(11, 9), _d(11, 15)), id="monday-00:00-in-new-york"),
        pytest.param(W, _d(3, 16), BERLIN, BERLIN, _utc(2026, 3, 29, 21, 59), None,
                     id="berlin-spring-forward-sunday-not-over"),
        pytest.param(W, _d(3, 16), BERLIN, BERLIN, _utc(2026, 3, 29, 22, 0),
                     (_d(3, 23), _d(3, 29)), id="berlin-spring-forward-monday-cest"),
        pytest.param(W, _d(10, 12), BERLIN, BERLIN, _utc(2026, 10, 25, 22, 59), None,
                     id="berlin-fall-back-sunday-has-25-hours"),
        pytest.param(W, _d(10, 12), BERLIN, BERLIN, _utc(2026, 10, 25, 23, 0),
                     (_d(10, 19), _d(10, 25)), id="berlin-fall-back-monday-cet"),
        pytest.param(W, _d(2, 23), NEW_YORK, NEW_YORK, _utc(2026, 3, 9, 3, 59), None,
                     id="new-york-spring-forward-sunday-not-over"),
        pytest.param(W, _d(2, 23), NEW_YORK, NEW_YORK, _utc(2026, 3, 9, 4, 0),
                     (_d(3, 2), _d(3, 8)), id="new-york-spring-forward-monday-edt"),
        pytest.param(M, _d(9, 1), BERLIN, BERLIN, _utc(2026, 10, 31, 22, 59), None,
                     id="october-31-23:59-cet"),
        pytest.param(M, _d(9, 1), BERLIN, BERLIN, _utc(2026, 10, 31, 23, 0),
                     (_d(10, 1), _d(10, 31)), id="november-1st-00:00-cet"),
        pytest.param(M, _d(10, 1), BERLIN, BERLIN, _utc(2026, 11, 20, 9, 0), None,
                     id="october-already-sent"),
        pytest.param(M, _d(9, 1), SYDNEY, "UTC", _utc(2026, 11, 30, 13, 0), None,
                     id="december-in-sydney-but-november-in-utc"),
        pytest.param(M, _d(10, 1), SYDNEY, "UTC", _utc(2026, 12, 1, 0, 0),
                     (_d(11, 1), _d(11, 30)), id="sydney-reader-once-utc-november-ends"),
        pytest.param(M, _d(1, 1), BERLIN, BERLIN, _utc(2026, 3, 1, 0, 0),
                     (_d(2, 1), _d(2, 28)), id="february-of-28-days"),
    ],
)  # fmt: skip
def test_when_a_summary_is_due(frequency, last, reader, org, now, expected):
    assert digest.due_period(frequency, last, reader, org, now) == expected


# -- a week of tickets ------------------------------------------------------------------------

WEEK = (_d(11, 2), _d(11, 8))
AFTER = _utc(2026, 11, 9, 8, 0)  # Monday morning in Berlin


def _work(staff, at: dt.datetime, *, resolve: bool, channel: Channel = Channel.WEB) -> None:
    with time_machine.travel(at, tick=False):
        ticket = factories.make_ticket(
            staff.org, assignee=staff.agent, team=staff.team, channel=channel
        )
        db.session.commit()
    if resolve:
        with time_machine.travel(at + dt.timedelta(hours=3), tick=False):
            tickets.reply(staff.agent, ticket, "Fixed it for you.")
            tickets.change_status(staff.agent, ticket, Status.RESOLVED)
            db.session.commit()


@pytest.fixture
def world(app):
    """An organization in Berlin with work in the week of 2 Nov and the week before, a lead
    subscribed (weekly) since the week before, and another organization with tickets of its own."""
    staff = factories.make_staff()
    staff.org.time_zone = BERLIN
    staff.senior_agent.language = None
    db.session.commit()
    for day, resolve, channel in [
        (27, True, Channel.WEB),
        (29, False, Channel.EMAIL),
        (30, True, Channel.EMAIL),
    ]:
        _work(staff, _utc(2026, 10, day, 9, 0), resolve=resolve, channel=channel)
    for day, resolve, channel in [
        (2, True, Channel.WEB),
        (3, True, Channel.EMAIL),
        (4, False, Channel.WEB),
        (5, True, Channel.WEB),
        (8, False, Channel.EMAIL),
    ]:
        _work(staff, _utc(2026, 11, day, 9, 0), resolve=resolve, channel=channel)
    other = factories.make_staff()
    for day in (3, 4, 5, 6):
        _work(other, _utc(2026, 11, day, 10, 0), resolve=True)
    with time_machine.travel(_utc(2026, 11, 4, 12, 0), tick=False):
        digest.subscribe(staff.senior_agent, "weekly")
        digest.subscribe(other.senior_agent, "weekly")
        db.session.commit()
    refresh_reports()
    return staff, other


def _summaries(org_id: int | None = None) -> list[EmailMessage]:
    query = sa.select(EmailMessage).where(EmailMessage.kind == REPORT_SUMMARY)
    if org_id is not None:
        query = query.where(EmailMessage.organization_id == org_id)
    return list(db.session.scalars(query.order_by(EmailMessage.id)))


def _run_at(at: dt.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return send_report_summaries()


def test_the_first_email_covers_the_period_after_subscribing(world):
    staff, _other = world
    [row] = digest.subscriptions(staff.senior_agent)
    assert row.last_period_start == _d(10, 26)  # the week that had ended: not mailed
    assert _run_at(_utc(2026, 11, 8, 12, 0)) == 0  # Sunday: the week of 2 Nov is not over


def test_running_the_job_twice_mails_one_summary_per_subscriber(world):
    staff, other = world
    assert _run_at(AFTER) == 2
    assert _run_at(AFTER + dt.timedelta(minutes=5)) == 0
    assert _run_at(AFTER + dt.timedelta(days=3)) == 0
    [mine] = _summaries(staff.org.id)
    assert mine.to_address == staff.senior_agent.email.lower()
    assert len(_summaries(other.org.id)) == 1
    [row] = digest.subscriptions(staff.senior_agent)
    assert row.last_period_start == WEEK[0]


def test_a_period_taken_by_another_run_is_not_mailed_again(world):
    """The compare-and-set: a run that read the subscription before another run moved it on
    mails nothing (what a second scheduler racing the first sees once the first commits)."""
    staff, _other = world
    [row] = digest.subscriptions(staff.senior_agent)
    db.session.execute(
        sa.update(ReportSubscription)
        .where(ReportSubscription.id == row.id)
        .values(last_period_start=WEEK[0])
    )
    recorded, _ = digest.send_due(now=AFTER)
    db.session.commit()
    assert recorded == 1  # the other organization's lead only
    assert _summaries(staff.org.id) == []


def test_no_summary_while_changes_of_the_period_wait_to_be_counted(world):
    staff, _other = world
    with time_machine.travel(_utc(2026, 11, 8, 20, 0), tick=False):
        factories.make_ticket(staff.org, assignee=staff.agent)
        db.session.commit()  # marked for the refresh job, not counted yet
    assert _run_at(AFTER) == 1  # the other organization's
    refresh_reports()
    assert _run_at(AFTER + dt.timedelta(minutes=5)) == 1


def test_an_agent_who_left_gets_no_summary(world):
    staff, _other = world
    staff.senior_agent.active = False
    db.session.commit()
    _run_at(AFTER)
    assert _summaries(staff.org.id) == []


def _page_figures(html: str) -> dict[str, str]:
    """The dashboard's headline figures by label, as printed."""
    found = re.findall(
        r'<h2 class="kpi-label"[^>]*>([^<]+)</h2>\s*<p class="kpi-value">(?:<a [^>]*>)?([^<]+)',
        html,
    )
    return {label: value.strip() for label, value in found}


def _email_figures(message: EmailMessage) -> dict[str, str]:
    text = message.text_body
    return dict(re.findall(r"^- ([^:\n]+): (.+?) / ", text, flags=re.MULTILINE))


KPI_LABELS = [
    "Created",
    "Solved",
    "Backlog",
    "First response (business hours)",
    "Full resolution (business hours)",
    "SLA first response achieved",
    "SLA resolution achieved",
    "One-touch resolution",
    "Replies per solved ticket",
    "Reopened",
]


@pytest.mark.parametrize(
    ("role", "team_view"),
    [
        pytest.param("senior_agent", True, id="lead-every-team"),
        pytest.param("agent", False, id="agent-own-figures"),
    ],
)
def test_the_email_says_what_the_dashboard_says_for_the_same_range(client, world, role, team_view):
    staff, _other = world
    reader = getattr(staff, role)
    if role == "agent":
        with time_machine.travel(_utc(2026, 11, 4, 12, 0), tick=False):
            digest.subscribe(reader, "weekly")
            db.session.commit()
    _run_at(AFTER)
    [message] = [m for m in _summaries(staff.org.id) if m.to_address == reader.email.lower()]
    figures = _email_figures(message)
    login_as(client, reader)
    [link] = re.findall(r"https?://\S+/reports\?\S+", message.text_body)
    page = client.get(link[link.index("/reports") :]).get_data(as_text=True)
    assert "02 Nov 2026 – 08 Nov 2026" in page and "02 Nov 2026 to 08 Nov 2026" in message.subject
    shown = _page_figures(page)
    for label in KPI_LABELS:
        assert figures[label] == shown[label], label
    assert figures["Created"] == ("5" if team_view else "5")
    assert figures["Solved"] == "3"


def test_the_email_reaches_a_real_smtp_server(world, smtp, run_worker):
    staff, _other = world
    address = staff.senior_agent.email.lower()
    _run_at(AFTER)
    run_worker()
    [mine] = [m for m in smtp.mailbox.messages if m["To"].addresses[0].addr_spec == address]
    assert str(mine["Subject"]) == "Your weekly summary: 02 Nov 2026 to 08 Nov 2026"
    assert mine["Auto-Submitted"] == "auto-generated"
    html = mine.get_body(("html",)).get_content()
    text = mine.get_body(("plain",)).get_content()
    assert "<script" not in html and "<img" not in html
    assert "Manage or unsubscribe" in html and "/reports/summaries" in text
    assert re.search(r'bgcolor="#1f4e96"', html)  # the bars: table cells, no images


def test_a_german_reader_gets_it_in_german(world):
    staff, _other = world
    staff.senior_agent.language = "de"
    db.session.commit()
    _run_at(AFTER)
    [message] = _summaries(staff.org.id)
    assert message.subject == "Ihre wöchentliche Zusammenfassung: 02.11.2026 bis 08.11.2026"
    assert "Erstellt" in message.text_body and "Verwalten oder abbestellen" in message.html_body


def test_the_summary_counts_only_the_readers_organization(world):
    staff, other = world
    _run_at(AFTER)
    [theirs] = _summaries(other.org.id)
    assert _email_figures(theirs)["Created"] == "4"
    [mine] = _summaries(staff.org.id)
    assert _email_figures(mine)["Created"] == "5"


# -- subscribing from the console -------------------------------------------------------------


def test_subscribe_change_team_and_unsubscribe_from_the_console(client, app):
    staff = factories.make_staff()
    db.session.commit()
    login_as(client, staff.senior_agent)
    page = client.get(f"/reports?team={staff.team.id}")
    assert "Email me this summary (this team)" in page.get_data(as_text=True)
    response = client.post(
        "/reports/summaries",
        data={"csrf_token": csrf_token(page), "frequency": "monthly", "team": staff.team.id},
    )
    assert response.status_code == 302
    [row] = digest.subscriptions(staff.senior_agent)
    assert (row.frequency, row.team_id) == (Frequency.MONTHLY, staff.team.id)
    listing = client.get("/reports/summaries").get_data(as_text=True)
    assert staff.team.name in listing and "Monthly" in listing
    client.post(
        "/reports/summaries",
        data={"csrf_token": csrf_token(listing), "frequency": "monthly", "team": ""},
    )
    db.session.expire_all()
    [row] = digest.subscriptions(staff.senior_agent)
    assert row.team_id is None
    response = client.post(
        f"/reports/summaries/{row.id}/delete", data={"csrf_token": csrf_token(listing)}
    )
    assert response.status_code == 302
    assert digest.subscriptions(staff.senior_agent) == []


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        pytest.param({"frequency": "daily"}, 422, "Not a valid choice", id="unknown-frequency"),
        pytest.param({"frequency": "weekly", "team": "99999999"}, 422, "That team does not exist",
                     id="team-of-nobody"),
        pytest.param({"frequency": "weekly", "team": "abc"}, 422, "That team does not exist",
                     id="team-not-a-number"),
    ],
)  # fmt: skip
def test_refused_subscriptions_say_why(client, app, data, status, message):
    staff = factories.make_staff()
    db.session.commit()
    login_as(client, staff.admin)
    page = client.get("/reports/summaries")
    response = client.post("/reports/summaries", data={"csrf_token": csrf_token(page), **data})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert digest.subscriptions(staff.admin) == []


def test_an_agent_cannot_subscribe_to_a_team(client, app):
    staff = factories.make_staff()
    db.session.commit()
    login_as(client, staff.agent)
    page = client.get("/reports/summaries")
    response = client.post(
        "/reports/summaries",
        data={"csrf_token": csrf_token(page), "frequency": "weekly", "team": staff.team.id},
    )
    assert response.status_code == 403
    assert digest.subscriptions(staff.agent) == []


def test_another_agents_or_organizations_subscription_is_a_404(client, app):
    staff = factories.make_staff()
    other = factories.make_staff()
    db.session.commit()
    theirs = [digest.subscribe(staff.agent, "weekly"), digest.subscribe(other.admin, "weekly")]
    db.session.commit()
    login_as(client, staff.admin)
    page = client.get("/reports/summaries")
    for row in theirs:
        response = client.post(
            f"/reports/summaries/{row.id}/delete", data={"csrf_token": csrf_token(page)}
        )
        assert response.status_code == 404
    assert len(digest.subscriptions(staff.agent)) == 1
    assert len(digest.subscriptions(other.admin)) == 1


def test_the_job_is_scheduled_every_five_minutes():
    assert ("supportdesk.jobs.reports.send_report_summaries", "default", 300) in PERIODIC


def _waiting_on_locks(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def test_two_schedulers_racing_for_one_period_mail_it_once(committed_app, tmp_path):
    """Both runs read the subscription as due, then meet at its row: the one that waited finds
    the period taken when the first commits (a real race on PostgreSQL, held by a row lock)."""
    committed_app.config["MAIL_DIR"] = str(tmp_path)
    with committed_app.app_context():
        staff = factories.make_staff()
        with time_machine.travel(_utc(2026, 11, 4, 12, 0), tick=False):
            row = digest.subscribe(staff.senior_agent, "weekly")
        db.session.commit()
        sub_id, org_id, engine = row.id, staff.org.id, db.engine

    def run() -> None:
        with committed_app.app_context():
            digest.send_due(now=AFTER)
            db.session.commit()

    with engine.connect() as blocker:
        blocker.execute(
            sa.text("SELECT id FROM report_subscriptions WHERE id = :id FOR UPDATE"),
            {"id": sub_id},
        )
        racers = [threading.Thread(target=run) for _ in range(2)]
        for racer in racers:
            racer.start()
        for _ in range(200):
            if _waiting_on_locks(engine) >= 2:
                break
            time.sleep(0.05)
        assert _waiting_on_locks(engine) >= 2, "both runs should wait at the row"
        blocker.rollback()
    for racer in racers:
        racer.join(timeout=30)
    with committed_app.app_context():
        sent = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailMessage)
            .where(EmailMessage.organization_id == org_id, EmailMessage.kind == REPORT_SUMMARY)
        )
        assert sent == 1
