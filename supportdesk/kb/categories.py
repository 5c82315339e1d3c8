"""Category writes (senior agents and admins: "kb.manage"), audited. Flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.audit import service as audit
from supportdesk.db import touch_if_changed
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb import slugs
from supportdesk.kb.models import Article, Category
from supportdesk.kb.queries import CategoryNotFound, get_category, list_categories

MAX_NAME = 120
MAX_DESCRIPTION = 500
AUDITED = ("name", "slug", "description", "position")


def _columns(actor: User, name: str, slug: str | None, description: str, category_id: int | None):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("A name is required.", {"name": "Enter a name."})
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            "The name is too long.", {"name": f"Use at most {MAX_NAME} characters."}
        )
    description = " ".join((description or "").split())
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(
            "The description is too long.",
            {"description": f"Use at most {MAX_DESCRIPTION} characters."},
        )
    taken = set(
        db.session.scalars(
            sa.select(Category.slug).where(
                Category.organization_id == actor.organization_id,
                Category.id != (category_id or 0),
            )
        )
    )
    slug = (slug or "").strip().lower()
    if slug:
        if not slugs.is_valid(slug):
            raise ValidationFailed(
                "The slug is not valid.",
                {"slug": "Use lower-case letters, digits and single dashes (billing)."},
            )
        if slug in taken:
            raise Conflict("Another category has that slug.", {"slug": "Choose another slug."})
    else:
        slug = slugs.free(slugs.slugify(name, "category"), taken)
    return {"name": name, "slug": slug, "description": description}


def create_category(
    actor: User, *, name: str, slug: str | None = None, description: str = ""
) -> Category:
    """A category, placed last."""
    require(actor, "kb.manage")
    columns = _columns(actor, name, slug, description, None)
    last = db.session.scalar(
        sa.select(sa.func.max(Category.position)).where(
            Category.organization_id == actor.organization_id
        )
    )
    category = Category(organization_id=actor.organization_id, position=(last or 0) + 1, **columns)
    db.session.add(category)
    db.session.flush()
    audit.record(
        actor.organization_id, "kb_category.created", actor=actor,
        target=("kb_category", category.id, category.name), after=columns,
    )  # fmt: skip
    return category


def update_category(
    actor: User, category_id: int, *, name: str, slug: str | None = None, description: str = ""
) -> Category:
    """Rename a category, change its slug or description."""
    require(actor, "kb.manage")
    category = get_category(actor.organization_id, category_id)
    before = audit.snapshot(category, AUDITED)
    for key, value in _columns(
        actor, name, slug or category.slug, description, category.id
    ).items():
        setattr(category, key, value)
    touch_if_changed(category)  # an unchanged save leaves the row as it was
    db.session.flush()
    audit.record_changes(
        actor.organization_id, "kb_category.updated", actor=actor,
        target=("kb_category", category.id, category.name),
        before=before, after=audit.snapshot(category, AUDITED),
    )  # fmt: skip
    return category


def place_category(actor: User, category_id: int, position: int) -> Category:
    """Put a category at `position` (1 is first; past the end is last), renumbering the rest."""
    require(actor, "kb.manage")
    category = get_category(actor.organization_id, category_id)
    others = [c for c in list_categories(actor.organization_id) if c.id != category.id]
    index = min(max(position, 1), len(others) + 1) - 1
    before = category.position
    for number, row in enumerate([*others[:index], category, *others[index:]], 1):
        row.position = number
    db.session.flush()
    if category.position != before:
        audit.record(
            actor.organization_id, "kb_category.updated", actor=actor,
            target=("kb_category", category.id, category.name),
            before={"position": before}, after={"position": category.position},
        )  # fmt: skip
    return category


def move_category(actor: User, category_id: int, direction: int) -> Category:
    """Move a category one place up (-1) or down (+1) in the help center's order."""
    ordered = list_categories(actor.organization_id)
    index = next((i for i, c in enumerate(ordered) if c.id == category_id), None)
    if index is None:
        raise CategoryNotFound()
    return place_category(actor, category_id, index + 1 + (1 if direction > 0 else -1))


def delete_category(actor: User, category_id: int) -> None:
    """Delete a category; its articles stay, without a category."""
    require(actor, "kb.manage")
    category = get_category(actor.organization_id, category_id)
    audit.record(
        actor.organization_id, "kb_category.deleted", actor=actor,
        target=("kb_category", category.id, category.name), before={"slug": category.slug},
    )  # fmt: skip
    # Explicit, not only the foreign key's ON DELETE SET NULL: SQLite enforces none by default.
    db.session.execute(
        sa.update(Article)
        .where(Article.organization_id == actor.organization_id, Article.category_id == category.id)
        .values(category_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(category)
    db.session.flush()
