"""Forms of the knowledge-base pages. They check shapes; supportdesk.kb services check rules."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from supportdesk.i18n import lazy_gettext as _l
from supportdesk.kb.models import ArticleStatus
from supportdesk.kb.slugs import PATTERN as SLUG_PATTERN
from supportdesk.web import Form

SLUG_HINT = "Lower-case letters, digits and single dashes."


class ArticleForm(Form):
    """An article: title, slug, Markdown body, category, tags, status and SEO texts."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Slug"),
        validators=[Optional(), Length(max=140), Regexp(SLUG_PATTERN, message=SLUG_HINT)],
    )
    body = TextAreaField(_l("Article"), validators=[Optional(), Length(max=200_000)])
    category_id = SelectField(_l("Category"), coerce=int, default=0)
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, s.label) for s in ArticleStatus],
        default=ArticleStatus.DRAFT.value,
    )
    seo_title = StringField(
        _l("Title for search engines"), validators=[Optional(), Length(max=200)]
    )
    seo_description = TextAreaField(
        _l("Description for search engines"), validators=[Optional(), Length(max=300)]
    )
    version = HiddenField()

    def values(self) -> dict[str, Any]:
        """The arguments of kb.service.create_article and update_article."""
        return {
            "title": self.title.data,
            "slug": self.slug.data or None,
            "body": self.body.data or "",
            "category_id": self.category_id.data or None,
            "tags": self.tags.data or "",
            "status": self.status.data,
            "seo_title": self.seo_title.data or "",
            "seo_description": self.seo_description.data or "",
        }

    def expected_version(self) -> int | None:
        """The article version the page showed (None: unknown, nothing to compare)."""
        value = str(self.version.data or "")
        return int(value) if value.isdigit() and len(value) < 10 else None


def article_form(categories, article=None, formdata=None) -> ArticleForm:
    """The article form, filled from `article` (its tags as text), offering the categories."""
    data = {}
    if article is not None:
        data = {
            "tags": ", ".join(article.tags or []),
            "category_id": article.category_id or 0,
            "status": article.status.value,
            "version": article.version,
        }
    form = ArticleForm(formdata=formdata, obj=article, data=data)
    if article is not None and formdata is None:
        form.tags.data = data["tags"]
        form.category_id.data = data["category_id"]
        form.status.data = data["status"]
        form.version.data = data["version"]
    form.category_id.choices = [(0, _l("No category"))] + [(c.id, c.name) for c in categories]
    return form


class CategoryForm(Form):
    """A category's name, slug and description."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Slug"),
        validators=[Optional(), Length(max=140), Regexp(SLUG_PATTERN, message=SLUG_HINT)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)])

    def values(self) -> dict[str, Any]:
        """The arguments of kb.categories.create_category and update_category."""
        return {
            "name": self.name.data,
            "slug": self.slug.data or None,
            "description": self.description.data or "",
        }


class HelpCenterForm(Form):
    """The help center's title, colour and logo."""

    title = StringField(_l("Help center title"), validators=[Optional(), Length(max=120)])
    color = StringField(
        _l("Brand colour"),
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use a colour like #2f5bd3.")),
        ],
    )
    logo = FileField(_l("Logo"))
    remove_logo = BooleanField(_l("Remove the logo"))
