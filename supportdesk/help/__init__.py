"""The public help center at /help/<org-slug>/: published articles of one organization, read
without signing in, cacheable (ETag + Cache-Control), no script needed.

Every page is scoped by the organization the slug names; drafts, archived articles and other
organizations' rows are a 404. The only write is a visitor's vote (views.py says how it is
protected against cross-site posts while the pages stay cacheable).
"""

from flask import Blueprint

bp = Blueprint("help", __name__, url_prefix="/help/<org_slug>")

from supportdesk.help import views  # noqa: E402,F401  (registers the routes)
