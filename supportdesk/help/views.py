"""Help center pages: home, search, category, article, vote, sitemap, branding, suggestions.

The vote is the only POST. It carries no CSRF token, so the article page stays the same for
every visitor (a shared cache may keep it); instead the request must come from this site: the
browser's Origin (or, failing that, Referer) header must name our own host, the check OWASP
lists for stateless forms. A refusal is the same 400 a missing CSRF token gives.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from supportdesk.extensions import csrf, db
from supportdesk.help import bp
from supportdesk.help.pages import (
    article_page,
    cached,
    canonical,
    center,
    center_and_article,
    page,
)
from supportdesk.kb import queries, visitors
from supportdesk.kb.search import search_articles, suggest_articles
from supportdesk.kb.visitors import visitor_key

VISITOR_COOKIE = "sd_help_visitor"
CONTACT_FORM = "contact_form"  # the only source a visitor's request may name
SUGGEST_LIMIT = 8
HOME_LINKS = 6  # articles listed under each category on the home page


@bp.get("/")
def home(org_slug: str):
    """Categories with their articles, and the search box."""
    hc = center(org_slug)
    categories = queries.list_categories(hc.organization_id)
    by_category: dict[int | None, list] = {}
    for link in queries.first_links(hc.organization_id, HOME_LINKS):
        by_category.setdefault(link.category_id, []).append(link)
    return page(
        "help/home.html", hc,
        categories=[c for c in categories if by_category.get(c.id)],
        by_category=by_category, shown=HOME_LINKS,
        counts=queries.category_counts(hc.organization_id, published_only=True),
        canonical=canonical(hc, "help.home"),
    )  # fmt: skip


@bp.get("/search")
def search(org_slug: str):
    """Published articles matching `q`, best first, with highlighted snippets."""
    hc = center(org_slug)
    q = request.args.get("q", "")
    results = search_articles(hc.organization_id, q, published_only=True)
    return page(
        "help/search.html", hc, results=results,
        canonical=canonical(hc, "help.search"),
    )  # fmt: skip


@bp.get("/categories/<category_slug>")
def category(org_slug: str, category_slug: str):
    """One category's published articles."""
    hc = center(org_slug)
    found = queries.category_by_slug(hc.organization_id, category_slug)
    return page(
        "help/category.html", hc, category=found,
        articles=queries.published_links(hc.organization_id, found.id),
        canonical=canonical(hc, "help.category", category_slug=found.slug),
    )  # fmt: skip


@bp.get("/articles/<article_slug>")
def article(org_slug: str, article_slug: str):
    """A published article, its vote buttons and related articles."""
    hc, found, related = center_and_article(org_slug, article_slug)
    # Reached from a contact-form suggestion: the vote form says so (a "yes" counts as solved).
    source = CONTACT_FORM if request.args.get("from") == CONTACT_FORM else ""
    return article_page(
        hc, found, related,
        voted=request.args.get("voted") if request.args.get("voted") in ("yes", "no") else None,
        source=source,
        canonical=canonical(hc, "help.article", article_slug=found.slug),
    )  # fmt: skip


def _same_site() -> bool:
    """Whether the POST comes from a page of this site (Origin, else Referer, names our host)."""
    sent = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(sent) and urlsplit(sent).netloc == request.host


@bp.post("/articles/<article_slug>/vote")
@csrf.exempt
def vote(org_slug: str, article_slug: str):
    """Record "was this helpful?" (one vote per visitor, who may change it)."""
    if not _same_site():
        raise CSRFError("The vote was not sent from this site.")
    hc = center(org_slug)
    found = queries.published_article(hc.organization_id, article_slug)
    helpful = request.form.get("helpful") == "yes"
    cookie = request.cookies.get(VISITOR_COOKIE) or secrets.token_urlsafe(24)
    key = visitor_key(current_app.config["SECRET_KEY"], cookie)
    visitors.vote(found, key, helpful)
    if helpful and request.form.get("from") == CONTACT_FORM:
        visitors.count(hc.organization_id, found.id, CONTACT_FORM, "solved")
    db.session.commit()
    response = redirect(
        url_for("help.article", org_slug=org_slug, article_slug=found.slug,
                voted="yes" if helpful else "no") + "#feedback"
    )  # fmt: skip
    response.set_cookie(
        VISITOR_COOKIE, cookie, max_age=365 * 86400, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        path=url_for("help.home", org_slug=org_slug),  # "/" on the organization's own host
    )  # fmt: skip
    return response


@bp.get("/suggestions")
def suggestions(org_slug: str):
    """Articles that may answer `q` (a request's subject as the customer types it): JSON, or an
    HTML list with `format=html` (for the contact form to place as is). Links go through
    `suggested/<id>` so a followed suggestion is counted."""
    hc = center(org_slug)
    try:
        limit = min(max(int(request.args.get("limit", 5)), 1), SUGGEST_LIMIT)
    except ValueError:
        limit = 5
    hits = suggest_articles(hc.organization_id, request.args.get("q", ""), limit)
    if request.args.get("format") == "html":
        return cached(render_template("help/_suggestions.html", hc=hc, hits=hits))
    response = jsonify(
        articles=[
            {
                "id": hit.article.id,
                "title": hit.article.title,
                "url": url_for("help.suggested", org_slug=org_slug, article_id=hit.article.id),
                "snippet": str(hit.snippet or ""),
            }
            for hit in hits
        ]
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/suggested/<int:article_id>")
def suggested(org_slug: str, article_id: int):
    """Follow a contact-form suggestion: counted as opened, then the article."""
    hc = center(org_slug)
    found = queries.get_article(hc.organization_id, article_id)
    if found.status.value != "published":
        return redirect(url_for("help.home", org_slug=org_slug))
    visitors.count(hc.organization_id, found.id, CONTACT_FORM, "opened")
    db.session.commit()
    return redirect(
        url_for(
            "help.article", org_slug=org_slug, article_slug=found.slug, **{"from": "contact_form"}
        )
    )


@bp.get("/sitemap.xml")
def sitemap(org_slug: str):
    """Every public page of the help center for search engines."""
    hc = center(org_slug)
    xml = render_template(
        "help/sitemap.xml", hc=hc,
        home=canonical(hc, "help.home"),
        categories=[
            canonical(hc, "help.category", category_slug=c.slug)
            for c in queries.list_categories(hc.organization_id)
        ],
        articles=[
            (canonical(hc, "help.article", article_slug=a.slug), a.updated_at)
            for a in queries.published_links(hc.organization_id)
        ],
    )  # fmt: skip
    return cached(xml, content_type="application/xml; charset=utf-8")


@bp.get("/robots.txt")
def robots(org_slug: str):
    """For crawlers of the organization's own host (at its root there): read everything but the
    portal, and where the sitemap is."""
    hc = center(org_slug)
    text = (
        "User-agent: *\n"
        f"Disallow: {url_for('portal.sign_in', org_slug=org_slug)}\n"
        f"Sitemap: {canonical(hc, 'help.sitemap')}\n"
    )
    return cached(text, content_type="text/plain; charset=utf-8")


@bp.get("/brand.css")
def brand_css(org_slug: str):
    """The organization's colours as CSS variables (the page policy allows no inline style)."""
    hc = center(org_slug)
    css = f":root {{ --brand: {hc.color}; --brand-text: {hc.text_color}; }}\n"
    return cached(css, content_type="text/css; charset=utf-8")


@bp.get("/logo")
def logo(org_slug: str):
    """The organization's logo (PNG, JPEG, GIF or WebP)."""
    hc = center(org_slug)
    settings = queries.help_center(hc.organization_id)
    if settings is None or not settings.logo:
        return render_template("errors/error.html", status=404, message="No logo."), 404
    response = cached(settings.logo, content_type=settings.logo_type)
    response.headers["Content-Disposition"] = "inline"
    return response
