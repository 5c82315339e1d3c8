"""The names the console shows for the domain's states and kinds (supportdesk.labels): English
as the enums' own labels say it (the API's and the logs' words), every member named, and the
reader's language on the pages and in the admin's selects."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from supportdesk import labels
from supportdesk.accounts.models import Role, TwoFactorPolicy
from supportdesk.admin.forms import AgentForm
from supportdesk.customers.models import Tier
from supportdesk.extensions import db
from supportdesk.mail.inbound.models import Decision
from supportdesk.outbox import OutboxState
from tests.factories import UserFactory
from tests.fixtures.web import login_as

ENUMS = sorted({type(member) for member in labels.ENUM_LABELS}, key=lambda e: e.__qualname__)


@pytest.mark.parametrize("enum_class", ENUMS, ids=lambda e: f"{e.__module__}.{e.__name__}")
def test_every_member_is_named_and_english_says_what_the_enum_says(app, enum_class):
    with app.test_request_context("/"), force_locale("en"):
        assert [labels.label_of(member) for member in enum_class] == [
            member.label for member in enum_class
        ]


def test_inside_a_sentence_english_writes_them_in_lower_case(app):
    with app.test_request_context("/"), force_locale("en"):
        for member in labels.ENUM_WORDS:
            assert labels.label_of(member, in_sentence=True) == member.label.lower(), member
        assert {type(m) for m in labels.ENUM_WORDS} == {OutboxState, Role, TwoFactorPolicy}
        for enum_class in (OutboxState, Role, TwoFactorPolicy):
            assert set(enum_class) <= set(labels.ENUM_WORDS), enum_class


@pytest.mark.parametrize(
    ("member", "german"),
    [
        (Role.VIEWER, "Betrachter"),
        (Role.SENIOR_AGENT, "Senior-Agent"),
        (TwoFactorPolicy.ADMINS, "Pflicht für Admins"),
        (OutboxState.DEFERRED, "Zurückgestellt"),
        (Decision.REPLY_BY_SUBJECT_TOKEN, "Zugeordnet über die Ticketnummer im Betreff"),
        (Tier.FREE, "Free"),
    ],
)
def test_a_german_page_names_them_in_german(app, member, german):
    with app.test_request_context("/"), force_locale("de"):
        assert labels.label_of(member) == german


def test_a_german_sentence_keeps_german_capitals(app):
    with app.test_request_context("/"), force_locale("de"):
        assert labels.label_of(Role.VIEWER, in_sentence=True) == "Betrachter"
        assert labels.label_of(OutboxState.SENT, in_sentence=True) == "gesendet"


def test_a_select_of_them_speaks_the_page_s_language(app):
    with app.test_request_context("/"), force_locale("de"):
        assert [str(c.label) for c in AgentForm().role.choices] == [
            "Admin",
            "Senior-Agent",
            "Agent",
            "Betrachter",
        ]


def test_a_german_admin_reads_roles_in_german_on_the_agents_page(client, admin):
    UserFactory(organization=admin.organization, role=Role.VIEWER, name="Vera Viewer")
    admin.language = "de"
    db.session.commit()
    login_as(client, admin)
    page = client.get("/admin/agents").get_data(as_text=True)
    assert "Vera Viewer" in page
    assert ">Betrachter<" in page and ">Viewer<" not in page
