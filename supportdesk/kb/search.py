"""Article search: ranked full text with highlighted snippets, and `suggest_articles` for a
ticket's subject or a customer typing one.

PostgreSQL: the generated `kb_articles.search_vector` (title A, tags B, body C; GIN index)
matched with the query rules of supportdesk.search.terms, ranked by ts_rank, snippets by
ts_headline. Other databases: the same terms as regular expressions, the same weights (as
supportdesk.search.fallback does for tickets). Search needs every term; suggestions need any
word (a sentence rarely holds every word of an article), ranked by how many match and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from supportdesk.extensions import db
from supportdesk.kb.models import Article, ArticleStatus
from supportdesk.search import highlight, terms
from supportdesk.search.schema import articles_sv

MAX_QUERY = 200
MAX_RESULTS = 50
RANK_CAP = 1000
HEADLINE = (
    f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# Words a question is made of that say nothing about its subject (suggestions only).
_STOPWORDS_TEXT = """a an and are can could did do does for from have how i if in is it my of on or
our the this to was we what when where why with you your not no me please help hi hello"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
WEIGHTS = {"title": 1.0, "tags": 0.4, "body": 0.2}  # the fallback's A, B, C


@dataclass
class ArticleHit:
    """One found article: its row, score, title and snippet with matches in <mark>."""

    article: Article
    score: float
    title: Markup
    snippet: Markup | None


@dataclass
class ArticleResults:
    """A page of found articles."""

    q: str
    hits: list[ArticleHit] = field(default_factory=list)


def _clean(q: str) -> str:
    return " ".join((q or "").replace("\x00", "").split())[:MAX_QUERY]


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def search_articles(
    organization_id: int,
    q: str,
    *,
    published_only: bool = True,
    category_id: int | None = None,
    limit: int = 20,
) -> ArticleResults:
    """Articles of the organization holding every term of `q`, best first (published only,
    unless an agent searches the console)."""
    q = _clean(q)
    result = ArticleResults(q)
    parsed = terms.parse(q)
    if not parsed:
        return result
    limit = min(max(limit, 1), MAX_RESULTS)
    where = _scope(organization_id, published_only, category_id)
    if _postgresql():
        result.hits = _ranked_pg(terms.tsquery(parsed), where, limit)
    else:
        result.hits = _ranked_fallback(parsed, where, limit, every=True)
    return result


def suggest_articles(organization_id: int, text: str, limit: int = 5) -> list[ArticleHit]:
    """Published articles that may answer `text` (a ticket's subject, a message, a customer's
    sentence): any of its meaningful words, best first. The contact form and the agent
    composer both call this."""
    words = [w for w in terms.parse(_clean(text)) if w.text not in STOPWORDS]
    if not words:
        return []
    limit = min(max(limit, 1), 20)
    where = _scope(organization_id, True, None)
    if _postgresql():
        return _ranked_pg(" | ".join(term.tsquery() for term in words), where, limit)
    return _ranked_fallback(words, where, limit, every=False)


def _scope(organization_id: int, published_only: bool, category_id: int | None) -> list:
    where = [Article.organization_id == organization_id]
    if published_only:
        where.append(Article.status == ArticleStatus.PUBLISHED)
    if category_id is not None:
        where.append(Article.category_id == category_id)
    return where


def _ranked_pg(tsquery_text: str, where: list, limit: int) -> list[ArticleHit]:
    tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), tsquery_text)
    sv = articles_sv.alias("sv")
    # At most RANK_CAP matches are ranked (a word in most articles would rank them all, as
    # the ticket search's sources stop at their cap); snippets only for the page shown.
    found = (
        sa.select(Article.id, sa.func.ts_rank(sv.c.search_vector, tsquery).label("score"))
        .join(sv, sv.c.id == Article.id)
        .where(*where, sv.c.search_vector.op("@@")(tsquery))
        .limit(RANK_CAP)
        .subquery("found")
    )
    top = (
        sa.select(found.c.id, found.c.score)
        .order_by(found.c.score.desc(), found.c.id)
        .limit(limit)
        .subquery("top")
    )
    # The snippet reads as text: our sentinels and the Markdown marks are dropped first.
    clean = sa.func.translate(Article.body, highlight.START + highlight.STOP + "*_`#", "")
    rows = db.session.execute(
        sa.select(
            Article,
            top.c.score,
            sa.func.ts_headline(
                sa.literal_column("'simple'::regconfig"),
                sa.func.translate(Article.title, highlight.START + highlight.STOP, ""),
                tsquery,
                f"StartSel={highlight.START}, StopSel={highlight.STOP}, HighlightAll=true",
            ),
            sa.func.ts_headline(sa.literal_column("'simple'::regconfig"), clean, tsquery, HEADLINE),
        )
        .join(top, top.c.id == Article.id)
        .order_by(top.c.score.desc(), Article.id)
    ).all()
    return [
        ArticleHit(
            article,
            float(score),
            highlight.to_markup(title),
            highlight.to_markup(snippet) if highlight.START in snippet else None,
        )
        for article, score, title, snippet in rows
    ]


def _ranked_fallback(
    parsed: list[terms.Term], where: list, limit: int, *, every: bool
) -> list[ArticleHit]:
    tags_text = sa.cast(Article.tags, sa.Text)
    columns = {"title": Article.title, "tags": tags_text, "body": Article.body}
    score = sa.literal(0.0)
    matches = []
    for term in parsed:
        pattern = term.pattern()
        found = [column.regexp_match(pattern) for column in columns.values()]
        matches.append(sa.or_(*found))
        for (name, _column), hit in zip(columns.items(), found, strict=True):
            score = score + sa.case((hit, WEIGHTS[name]), else_=0.0)
    joined = sa.and_(*matches) if every else sa.or_(*matches)
    rows = db.session.execute(
        sa.select(Article, score.label("score"))
        .where(*where, joined)
        .order_by(score.desc(), Article.id)
        .limit(limit)
    ).all()
    words = terms.highlight_words(parsed)
    hits = []
    for article, value in rows:
        plain = _plain(article.body)
        found = any(re.search(t.pattern(), plain) for t in parsed)
        hits.append(
            ArticleHit(
                article,
                float(value),
                highlight.to_markup(highlight.mark_terms(article.title, words)),
                highlight.to_markup(highlight.excerpt(plain, words)) if found else None,
            )
        )
    return hits


_MARKS = re.compile(r"[*_`#>\[\]()]+")


def _plain(markdown: str) -> str:
    """Markdown with its marks dropped, for a readable snippet."""
    return _MARKS.sub(" ", markdown or "")
