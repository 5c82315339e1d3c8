"""The console side: the bell and its count, the list, marking read, preferences, mentions."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.notifications import preferences, queries
from supportdesk.notifications.models import AgentNotification, NotificationKind
from supportdesk.tickets import service as tickets
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as
from tests.notifications.conftest import Pair

pytestmark = pytest.mark.integration


@pytest.fixture
def noted(org, pair: Pair):
    """A ticket on which Ana mentioned Bruno twice (committed)."""
    ticket = make_ticket(org, subject="Invoice wrong")
    db.session.commit()
    for n in range(2):
        tickets.add_note(pair.ana, ticket, f"{pair.handle} please check {n}")
    db.session.commit()
    return ticket


def _bell(html: str) -> str:
    return re.search(r'class="bell-count" data-unread="(\d+)"', html).group(1)


def _ids(user) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(AgentNotification.id)
            .where(AgentNotification.user_id == user.id)
            .order_by(AgentNotification.id.desc())
        )
    )


def test_the_bell_shows_the_unread_count_on_every_page(client, pair, noted):
    login_as(client, pair.bruno)

    for path in ("/", f"/tickets/{noted.number}", "/account", "/notifications"):
        assert _bell(client.get(path).get_data(as_text=True)) == "2"


def test_the_list_is_newest_first_and_opening_one_marks_it_read(client, pair, noted):
    login_as(client, pair.bruno)
    page = client.get("/notifications")
    html = page.get_data(as_text=True)
    newest, oldest = _ids(pair.bruno)

    assert html.index("please check 1") < html.index("please check 0")
    opened = client.post(f"/notifications/{newest}/open", data={"csrf_token": csrf_token(page)})

    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/tickets/{noted.number}")
    assert queries.unread_count(pair.bruno.id) == 1
    unread = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "please check 0" in unread and "please check 1" not in unread


def test_mark_one_and_mark_all_read(client, pair, noted):
    login_as(client, pair.bruno)
    token = csrf_token(client.get("/notifications"))
    newest, _ = _ids(pair.bruno)

    one = client.post(f"/notifications/{newest}/read", data={"csrf_token": token})
    assert one.status_code == 302 and queries.unread_count(pair.bruno.id) == 1
    everything = client.post(
        "/notifications/read-all", data={"csrf_token": token}, follow_redirects=True
    )
    assert "1 notification marked read." in everything.get_data(as_text=True)
    assert queries.unread_count(pair.bruno.id) == 0


def test_another_agents_notification_is_a_404(client, org, other_org, pair, noted):
    newest, _ = _ids(pair.bruno)
    for someone in (pair.ana, UserFactory(organization=other_org)):
        login_as(client, someone)
        token = csrf_token(client.get("/notifications"))
        for action in ("open", "read"):
            answer = client.post(f"/notifications/{newest}/{action}", data={"csrf_token": token})
            assert answer.status_code == 404
    assert queries.unread_count(pair.bruno.id) == 2


def test_marking_read_needs_the_csrf_token(client, pair, noted):
    login_as(client, pair.bruno)
    newest, _ = _ids(pair.bruno)

    assert client.post(f"/notifications/{newest}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert queries.unread_count(pair.bruno.id) == 2


def test_the_dropdown_is_the_list_without_the_page(client, pair, noted):
    login_as(client, pair.bruno)

    menu = client.get("/notifications?menu=1").get_data(as_text=True)

    assert "<html" not in menu and "please check 1" in menu and "See all notifications" in menu


def test_the_page_and_the_ticket_page_cost_constant_queries(client, pair, noted, query_counter):
    login_as(client, pair.bruno)

    def count(path: str) -> int:
        with query_counter() as queries_run:
            assert client.get(path).status_code == 200
        return queries_run.count

    client.get(f"/tickets/{noted.number}")  # fills the organization's cache (accounts.orgcache)
    before = count("/notifications"), count(f"/tickets/{noted.number}")
    for n in range(20):
        tickets.add_note(pair.ana, noted, f"{pair.handle} more {n}")
    db.session.commit()

    # The list: session (with the bell's count), notifications with ticket and actor. The ticket
    # page (5, and 1 for its acknowledgement mail: tests/console/test_ticket.py) adds one query
    # (who can be mentioned) only because its notes mention someone.
    assert (count("/notifications"), count(f"/tickets/{noted.number}")) == before
    assert before == (2, 7)


def test_notes_highlight_mentions_of_agents_and_replies_do_not(client, org, pair):
    ticket = make_ticket(org)
    db.session.commit()
    tickets.add_note(pair.ana, ticket, f"{pair.handle} and @nobody <b>hi</b>")
    tickets.reply(pair.ana, ticket, f"Reply naming {pair.handle}")
    db.session.commit()
    login_as(client, pair.ana)

    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)

    assert f'<span class="mention">{pair.handle}</span> and @nobody &lt;b&gt;hi&lt;/b&gt;' in html
    assert f"Reply naming {pair.handle}" in html


def test_the_autocomplete_lists_only_this_organizations_active_agents(client, org, other_org, pair):
    UserFactory(organization=other_org, name="Stranger")
    UserFactory(organization=org, name="Gone", active=False)
    login_as(client, pair.ana)

    people = client.get("/mentionable").get_json()

    assert people == [
        {"handle": pair.ana.email.split("@")[0], "name": "Ana Admin", "email": pair.ana.email},
        {"handle": pair.handle[1:], "name": "Bruno Agent", "email": pair.bruno.email},
    ]


def test_the_account_page_saves_preferences_per_kind(client, pair):
    login_as(client, pair.bruno)
    page = client.get("/account")
    html = page.get_data(as_text=True)
    assert 'name="sla_warning_in_app"' in html and 'name="sla_warning_email"' not in html

    # Only the boxes left checked are sent: mentions in the console only, nothing else by email.
    saved = client.post(
        "/account/notifications",
        data={
            "csrf_token": csrf_token(page),
            **{f"{k.value}_in_app": "y" for k in NotificationKind},
            "sla_breached_email": "y",
        },
    )

    assert saved.status_code == 302 and saved.headers["Location"].endswith("/account#notifications")
    choices = preferences.choices(pair.bruno.id)
    assert all(c.in_app for c in choices.values())
    assert [k for k, c in choices.items() if c.email] == [NotificationKind.SLA_BREACHED]
    again = client.get("/account").get_data(as_text=True)
    assert " checked " in _input(again, "sla_breached_email")
    assert " checked " not in _input(again, "mentioned_email")
    assert " checked " in _input(again, "mentioned_in_app")


def _input(html: str, name: str) -> str:
    return re.search(rf'<input[^>]* name="{name}"[^>]*>', html).group(0)
