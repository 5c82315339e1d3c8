"""Knowledge-base pages of the console: articles (list, write with preview, revisions with
diff and restore), categories in order, the help center's branding, and the composer's
article suggestions (JSON)."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.kb_forms import CategoryForm, HelpCenterForm, article_form
from supportdesk.kb import branding, categories, diff, queries, service, visitors
from supportdesk.kb.hosts import public_url
from supportdesk.kb.models import ArticleStatus
from supportdesk.kb.search import search_articles, suggest_articles
from supportdesk.markdown import to_html
from supportdesk.submit import Saved, act, commit, submit
from supportdesk.tickets import queries as tickets
from supportdesk.web import Form


def _org() -> int:
    return current_user.organization_id


@bp.get("/kb")
def kb_article_list():
    """Every article (a status filter, or a search over drafts too)."""
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()
    wanted = ArticleStatus(status) if status in {s.value for s in ArticleStatus} else None
    results = search_articles(_org(), q, published_only=False, limit=50) if q else None
    articles = [] if q else queries.list_articles(_org(), status=wanted, limit=200)
    return render_template(
        "console/kb_articles.html", articles=articles, results=results, q=q,
        status=status, statuses=list(ArticleStatus), org_slug=current_user.organization.slug,
    )  # fmt: skip


def _preview(form) -> str | None:
    return to_html(form.body.data or "") if "preview" in request.form else None


@bp.route("/kb/articles/new", methods=["GET", "POST"])
@requires("kb.write")
def kb_article_new():
    """Write a new article (Preview shows it rendered without saving)."""
    form = article_form(queries.list_categories(_org()), formdata=request.form or None)
    preview = _preview(form)
    if preview is not None:
        return render_template(
            "console/kb_article_form.html", form=form, article=None, preview=preview
        )
    return submit(
        form,
        lambda: service.create_article(current_user, **form.values()),
        done=lambda article: Saved(
            gettext("Article “%(article)s” saved.", article=article.title),
            url_for("console.kb_article_edit", article_id=article.id),
        ),
        page=lambda error: render_template(
            "console/kb_article_form.html", form=form, article=None, preview=None
        ),
    )


@bp.route("/kb/articles/<int:article_id>", methods=["GET", "POST"])
@requires("kb.write")
def kb_article_edit(article_id: int):
    """Change an article; every save keeps a revision."""
    article = queries.get_article(_org(), article_id)
    form = article_form(queries.list_categories(_org()), article, formdata=request.form or None)
    preview = _preview(form)
    page = lambda error=None, preview=None: render_template(  # noqa: E731
        "console/kb_article_form.html", form=form, article=article, preview=preview,
        org_slug=current_user.organization.slug,
    )  # fmt: skip
    if preview is not None:
        return page(preview=preview)
    return submit(
        form,
        lambda: service.update_article(
            current_user, article_id, expected_version=form.expected_version(), **form.values()
        ),
        done=lambda saved: Saved(
            gettext("Article “%(saved)s” saved.", saved=saved.title),
            url_for("console.kb_article_edit", article_id=article_id),
        ),
        page=page,
    )


@bp.post("/kb/articles/<int:article_id>/delete")
@requires("kb.manage")
def kb_article_delete(article_id: int):
    """Delete an article with its revisions and votes."""
    return act(
        lambda: service.delete_article(current_user, article_id),
        done=lambda _: Saved(gettext("Article deleted."), url_for("console.kb_article_list")),
        back=url_for("console.kb_article_edit", article_id=article_id),
    )


@bp.get("/kb/articles/<int:article_id>/revisions")
@requires("kb.write")
def kb_revision_list(article_id: int):
    """An article's revisions, newest first."""
    article = queries.get_article(_org(), article_id)
    return render_template(
        "console/kb_revisions.html", article=article, revisions=queries.revisions(_org(), article_id),
        form=Form(),
    )  # fmt: skip


@bp.get("/kb/articles/<int:article_id>/revisions/<int:revision_id>")
@requires("kb.write")
def kb_revision_show(article_id: int, revision_id: int):
    """What a revision changed, against the one before it."""
    article = queries.get_article(_org(), article_id)
    revision = queries.get_revision(_org(), article_id, revision_id)
    before = queries.previous_revision(revision)
    return render_template(
        "console/kb_revision.html", article=article, revision=revision, before=before,
        lines=diff.lines(before.body if before else "", revision.body),
        title_changed=before is not None and before.title != revision.title, form=Form(),
    )  # fmt: skip


@bp.post("/kb/articles/<int:article_id>/revisions/<int:revision_id>/restore")
@requires("kb.write")
def kb_revision_restore(article_id: int, revision_id: int):
    """Bring back a revision's title and text, as a new revision."""
    return act(
        lambda: service.restore_revision(current_user, article_id, revision_id),
        done=lambda article: Saved(
            gettext(
                "Revision restored; the article is at revision %(version)s.",
                version=article.version,
            ),
            url_for("console.kb_article_edit", article_id=article_id),
        ),
        back=url_for("console.kb_revision_list", article_id=article_id),
    )


# -- categories --------------------------------------------------------------------------------


@bp.get("/kb/categories")
def kb_category_list():
    """The categories in their help center order, with their article counts."""
    return render_template(
        "console/kb_categories.html", categories=queries.list_categories(_org()),
        counts=queries.category_counts(_org(), published_only=False), form=Form(),
    )  # fmt: skip


@bp.route("/kb/categories/new", methods=["GET", "POST"])
@requires("kb.manage")
def kb_category_new():
    """Add a category (placed last)."""
    form = CategoryForm()
    return submit(
        form,
        lambda: categories.create_category(current_user, **form.values()),
        done=lambda c: Saved(
            gettext("Category “%(c)s” added.", c=c.name), url_for("console.kb_category_list")
        ),
        page=lambda error: render_template(
            "console/kb_category_form.html", form=form, category=None
        ),
    )


@bp.route("/kb/categories/<int:category_id>", methods=["GET", "POST"])
@requires("kb.manage")
def kb_category_edit(category_id: int):
    """Rename a category, change its slug or description."""
    category = queries.get_category(_org(), category_id)
    form = CategoryForm(obj=category)
    return submit(
        form,
        lambda: categories.update_category(current_user, category_id, **form.values()),
        done=lambda c: Saved(
            gettext("Category “%(c)s” saved.", c=c.name), url_for("console.kb_category_list")
        ),
        page=lambda error: render_template(
            "console/kb_category_form.html", form=form, category=category
        ),
    )


@bp.post("/kb/categories/<int:category_id>/move")
@requires("kb.manage")
def kb_category_move(category_id: int):
    """Move a category up or down the help center's order."""
    direction = -1 if request.form.get("direction") == "up" else 1
    return act(
        lambda: categories.move_category(current_user, category_id, direction),
        done=lambda c: Saved(
            gettext("Category “%(c)s” moved.", c=c.name), url_for("console.kb_category_list")
        ),
        back=url_for("console.kb_category_list"),
    )


@bp.post("/kb/categories/<int:category_id>/delete")
@requires("kb.manage")
def kb_category_delete(category_id: int):
    """Delete a category; its articles stay, without one."""
    return act(
        lambda: categories.delete_category(current_user, category_id),
        done=lambda _: Saved(gettext("Category deleted."), url_for("console.kb_category_list")),
        back=url_for("console.kb_category_list"),
    )


@bp.route("/kb/help-center", methods=["GET", "POST"])
@requires("kb.manage")
def kb_help_center():
    """The help center's title, colour and logo."""
    settings = queries.help_center(_org())
    form = HelpCenterForm(
        obj=settings, data={"color": branding.DEFAULT_COLOR} if settings is None else None
    )

    def save():
        upload = form.logo.data
        return branding.update_help_center(
            current_user, title=form.title.data or "", color=form.color.data,
            logo=upload.read() if upload else None, remove_logo=bool(form.remove_logo.data),
        )  # fmt: skip

    return submit(
        form,
        save,
        done=lambda _: Saved(gettext("Help center saved."), url_for("console.kb_help_center")),
        page=lambda error: render_template(
            "console/kb_help_center.html", form=form, settings=settings,
            org_slug=current_user.organization.slug,
            address=public_url(current_user.organization, "help.home"),
        ),
    )  # fmt: skip


# -- the composer's suggestions ------------------------------------------------------------------


@bp.get("/tickets/<int:number>/articles")
def kb_ticket_articles(number: int):
    """Articles for the ticket's composer (JSON): for `q` if given, else the ticket's subject
    and its last message. Each with its link on the help center and its Markdown."""
    ticket = tickets.get_ticket(_org(), number)
    q = request.args.get("q", "").strip()[:200]
    if q:
        hits = search_articles(_org(), q, published_only=True, limit=8).hits
    else:
        hits = suggest_articles(_org(), queries.ticket_text(ticket), 6)
    org = current_user.organization
    return jsonify(
        query=q,
        articles=[
            {
                "id": hit.article.id,
                "title": hit.article.title,
                "url": public_url(org, "help.article", article_slug=hit.article.slug),
                "body": hit.article.body,
                "snippet": str(hit.snippet or ""),
            }
            for hit in hits
        ],
    )


@bp.post("/tickets/<int:number>/articles/<int:article_id>/inserted")
@requires("ticket.reply")
def kb_article_inserted(number: int, article_id: int):
    """Count an article an agent put into a reply (for reports)."""
    tickets.get_ticket(_org(), number)
    article = queries.get_article(_org(), article_id)
    if article.status is not ArticleStatus.PUBLISHED:
        abort(404)
    visitors.count(_org(), article.id, "composer", "inserted")
    commit()
    return "", 204
