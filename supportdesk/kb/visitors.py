"""What help center visitors do: "was this helpful?" votes (one per visitor, changeable) and
the suggestion counters reports read ("suggested → solved without a ticket").

Counters (table kb_suggestion_counts): one row per organization, day (UTC), article, source and
kind, incremented in place:
- source `contact_form`: a suggestion the customer saw while writing a request;
  `composer`: a suggestion an agent saw in the reply composer.
- kind `opened`: the suggestion was followed; `solved`: the visitor who followed it then said the
  article helped (so no ticket was needed); `inserted`: an agent put it into a reply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.db import utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb.models import Article, ArticleStatus, ArticleVote, SuggestionCount

SOURCES = ("contact_form", "composer")
KINDS = ("opened", "solved", "inserted")


def visitor_key(secret: str, cookie: str) -> str:
    """The stored form of a visitor's cookie: a keyed hash (the cookie itself is never kept)."""
    return hmac.new(secret.encode(), cookie.encode(), hashlib.sha256).hexdigest()


def vote(article: Article, visitor: str, helpful: bool) -> bool:
    """Record a visitor's vote on a published article; a second vote replaces the first.
    Returns whether the counts changed. The article's counters move with the votes."""
    if article.status is not ArticleStatus.PUBLISHED:
        raise ValidationFailed("This article cannot be rated.")
    earlier = db.session.scalar(
        sa.select(ArticleVote).where(
            ArticleVote.article_id == article.id, ArticleVote.visitor == visitor
        )
    )
    if earlier is not None and earlier.helpful is helpful:
        return False
    was = None if earlier is None else earlier.helpful
    if earlier is None:
        db.session.add(
            ArticleVote(
                organization_id=article.organization_id,
                article_id=article.id,
                visitor=visitor,
                helpful=helpful,
            )
        )
    else:
        earlier.helpful = helpful
        earlier.updated_at = utcnow()
    # Counted in SQL: two visitors voting at once both count.
    delta_yes = (1 if helpful else 0) - (1 if was is True else 0)
    delta_no = (0 if helpful else 1) - (1 if was is False else 0)
    db.session.execute(
        sa.update(Article)
        .where(Article.id == article.id)
        .values(
            helpful_count=Article.helpful_count + delta_yes,
            unhelpful_count=Article.unhelpful_count + delta_no,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return True


def count(
    organization_id: int, article_id: int, source: str, kind: str, *, day: dt.date | None = None
) -> None:
    """Add one to a suggestion counter (an upsert: no read, no race)."""
    if source not in SOURCES or kind not in KINDS:
        raise ValueError(f"unknown counter {source}/{kind}")
    values = {
        "organization_id": organization_id,
        "day": day or utcnow().date(),
        "article_id": article_id,
        "source": source,
        "kind": kind,
        "count": 1,
    }
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(SuggestionCount)
    db.session.execute(
        insert.values(**values).on_conflict_do_update(
            index_elements=["organization_id", "day", "article_id", "source", "kind"],
            set_={"count": SuggestionCount.count + 1},
        )
    )


def totals(organization_id: int, since: dt.date, until: dt.date) -> dict[tuple[str, str], int]:
    """(source, kind) → count over [since, until] (what a report shows)."""
    rows = db.session.execute(
        sa.select(SuggestionCount.source, SuggestionCount.kind, sa.func.sum(SuggestionCount.count))
        .where(
            SuggestionCount.organization_id == organization_id,
            SuggestionCount.day >= since,
            SuggestionCount.day <= until,
        )
        .group_by(SuggestionCount.source, SuggestionCount.kind)
    )
    return {(source, kind): int(total) for source, kind, total in rows}
