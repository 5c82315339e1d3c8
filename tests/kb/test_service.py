"""Knowledge-base services: articles with revisions and restore, categories in order, roles,
tenancy, search (ranked, snippets, published only) and suggestions, votes and counters."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Role
from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.audit.models import AuditEntry
from supportdesk.errors import Conflict, NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb import branding, categories, queries, service, visitors
from supportdesk.kb.models import ArticleStatus, SuggestionCount
from supportdesk.kb.search import search_articles, suggest_articles
from tests import factories

pytestmark = pytest.mark.integration


def _article(actor, title="Refund a booking", body="Open **Bookings**, then choose Refund.", **kw):
    return service.create_article(actor, title=title, body=body, **kw)


def test_an_article_gets_a_slug_sanitized_html_and_a_first_revision(agent):
    article = _article(agent, body="Click <script>alert(1)</script> **Refund**")

    assert article.slug == "refund-a-booking"
    assert article.status is ArticleStatus.DRAFT
    assert "<script>" not in article.body_html and "<strong>Refund</strong>" in article.body_html
    assert [(r.number, r.note) for r in queries.revisions(agent.organization_id, article.id)] == [
        (1, "Created")
    ]


def test_a_second_article_with_the_same_title_gets_a_free_slug(agent):
    _article(agent)
    assert _article(agent).slug == "refund-a-booking-2"


@pytest.mark.parametrize(
    ("slug", "error"),
    [
        pytest.param("Has Spaces", ValidationFailed, id="malformed"),
        pytest.param("a--b", ValidationFailed, id="double-dash"),
        pytest.param("refund-a-booking", Conflict, id="taken"),
    ],
)
def test_a_bad_or_taken_slug_is_refused_naming_the_field(agent, slug, error):
    _article(agent)
    with pytest.raises(error) as raised:
        _article(agent, title="Other", slug=slug)
    assert "slug" in raised.value.fields


def test_every_change_is_a_revision_and_a_revision_can_be_restored(agent):
    article = _article(agent, body="First text")
    service.update_article(agent, article.id, body="Second text")
    service.update_article(agent, article.id, title="Refunds", body="Third text")
    first = queries.revisions(agent.organization_id, article.id)[-1]

    restored = service.restore_revision(agent, article.id, first.id)

    assert (restored.title, restored.body, restored.version) == (
        "Refund a booking",
        "First text",
        4,
    )
    notes = [r.note for r in queries.revisions(agent.organization_id, article.id)]
    assert notes == ["Restored revision 1", "", "", "Created"]


def test_a_save_that_changes_nothing_keeps_the_version(agent):
    article = _article(agent)
    service.update_article(agent, article.id, title=article.title)
    assert article.version == 1


def test_a_stale_version_is_refused(agent):
    article = _article(agent)
    service.update_article(agent, article.id, body="Newer")
    with pytest.raises(Conflict):
        service.update_article(agent, article.id, expected_version=1, body="Older")


def test_publishing_and_unpublishing_are_audited(agent):
    article = _article(agent)
    service.set_status(agent, article.id, "published")
    service.set_status(agent, article.id, "archived")

    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.target_id == article.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["kb_article.published", "kb_article.unpublished"]
    assert article.published_at is not None


@pytest.mark.parametrize(
    ("role_fixture", "can_write", "can_manage"),
    [
        pytest.param("viewer", False, False, id="viewer"),
        pytest.param("agent", True, False, id="agent"),
        pytest.param("senior_agent", True, True, id="senior"),
        pytest.param("admin", True, True, id="admin"),
    ],
)
def test_roles_write_and_manage_as_the_matrix_says(
    request, agent, role_fixture, can_write, can_manage
):
    user = request.getfixturevalue(role_fixture)
    article = _article(agent)
    if can_write:
        service.update_article(user, article.id, body="Changed")
    else:
        with pytest.raises(PermissionDenied):
            service.update_article(user, article.id, body="Changed")
    if can_manage:
        categories.create_category(user, name="Billing")
        service.delete_article(user, article.id)
    else:
        with pytest.raises(PermissionDenied):
            categories.create_category(user, name="Billing")
        with pytest.raises(PermissionDenied):
            service.delete_article(user, article.id)


def test_another_organizations_article_and_category_are_not_found(agent, other_org):
    stranger = factories.UserFactory(organization=other_org, role=Role.ADMIN)
    article = _article(stranger)
    category = categories.create_category(stranger, name="Theirs")

    with pytest.raises(NotFound):
        service.update_article(agent, article.id, body="mine now")
    with pytest.raises(NotFound):
        _article(agent, title="Mine", category_id=category.id)
    assert search_articles(agent.organization_id, "refund", published_only=False).hits == []


def test_categories_keep_their_order_and_move(senior_agent):
    names = ["Billing", "Bookings", "Account"]
    made = [categories.create_category(senior_agent, name=n) for n in names]
    categories.move_category(senior_agent, made[2].id, -1)

    assert [c.name for c in queries.list_categories(senior_agent.organization_id)] == [
        "Billing",
        "Account",
        "Bookings",
    ]
    assert made[0].slug == "billing"


def test_deleting_a_category_keeps_its_articles(senior_agent):
    category = categories.create_category(senior_agent, name="Billing")
    article = _article(senior_agent, category_id=category.id)
    categories.delete_category(senior_agent, category.id)
    db.session.expire_all()
    assert queries.get_article(senior_agent.organization_id, article.id).category_id is None


def _published(actor, title, body, tags=()):
    return _article(actor, title=title, body=body, status="published", tags=list(tags))


def test_search_ranks_title_matches_first_and_marks_the_snippet(agent):
    _published(agent, "Change your password", "Open settings. Choose a new refund policy.")
    _published(agent, "Refund a booking", "Refunds take five days to reach your card.")
    _article(agent, title="Refund draft", body="refund refund")

    results = search_articles(agent.organization_id, "refund")

    assert [h.article.title for h in results.hits] == ["Refund a booking", "Change your password"]
    assert "<mark>Refund</mark>" in str(results.hits[0].title)
    assert "<mark>" in str(results.hits[1].snippet)


def test_search_escapes_article_text_in_snippets(agent):
    _published(agent, "Scripts", "Never paste <script>refund()</script> into the console.")
    hit = search_articles(agent.organization_id, "paste").hits[0]
    assert "<mark>paste</mark>" in str(hit.snippet)
    assert "<" not in str(hit.snippet).replace("<mark>", "").replace("</mark>", "")


def test_console_search_finds_drafts_too(agent):
    _article(agent, title="Refund draft", body="x")
    assert [
        h.article.title
        for h in search_articles(agent.organization_id, "draft", published_only=False).hits
    ] == ["Refund draft"]
    assert search_articles(agent.organization_id, "draft").hits == []


def test_suggestions_take_any_meaningful_word_of_a_sentence(agent):
    _published(agent, "Refund a booking", "Refunds take five days.", tags=["billing"])
    _published(agent, "Change your password", "Open settings.")

    found = suggest_articles(agent.organization_id, "How do I get a refund for my trip?", 5)

    assert [h.article.title for h in found] == ["Refund a booking"]
    assert suggest_articles(agent.organization_id, "how do I", 5) == []


def test_one_vote_per_visitor_which_may_change(agent):
    article = _published(agent, "Refund a booking", "x")
    assert visitors.vote(article, "v1", True) is True
    assert visitors.vote(article, "v1", True) is False
    visitors.vote(article, "v2", True)
    visitors.vote(article, "v1", False)
    db.session.refresh(article)
    assert (article.helpful_count, article.unhelpful_count) == (1, 1)


def test_drafts_cannot_be_voted_on(agent):
    with pytest.raises(ValidationFailed):
        visitors.vote(_article(agent), "v1", True)


def test_suggestion_counters_add_up_per_day(agent):
    article = _published(agent, "Refund a booking", "x")
    day = dt.date(2026, 11, 28)
    for kind in ("opened", "opened", "solved"):
        visitors.count(agent.organization_id, article.id, "contact_form", kind, day=day)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SuggestionCount)) == 2
    assert visitors.totals(agent.organization_id, day, day) == {
        ("contact_form", "opened"): 2,
        ("contact_form", "solved"): 1,
    }


@pytest.mark.parametrize(
    ("color", "logo", "field"),
    [
        pytest.param("blue", None, "color", id="bad-colour"),
        pytest.param("#2f5bd3", b"<svg onload=alert(1)>", "logo", id="svg-logo"),
        pytest.param("#2f5bd3", b"\x89PNG\r\n\x1a\n" + b"0" * 300_000, "logo", id="huge-logo"),
    ],
)
def test_help_center_branding_refuses_bad_input(senior_agent, color, logo, field):
    with pytest.raises(ValidationFailed) as raised:
        branding.update_help_center(senior_agent, title="", color=color, logo=logo)
    assert field in raised.value.fields


@pytest.mark.parametrize(
    ("color", "text"),
    [
        ("#ffffff", "#000000"),
        ("#000000", "#ffffff"),
        ("#2f5bd3", "#ffffff"),
        ("#fde047", "#000000"),
    ],
)
def test_the_header_text_colour_contrasts_with_the_brand(color, text):
    assert branding.contrast_text(color) == text
