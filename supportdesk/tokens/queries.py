"""API token reads: the token behind a bearer secret, and an agent's tokens."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from supportdesk.accounts.models import User
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.tokens.models import ApiToken
from supportdesk.tokens.service import TOKEN_PREFIX, hash_token


def find_usable_token(plain: str) -> ApiToken | None:
    """The unrevoked, unexpired token of an active agent matching `plain`, with its agent."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    return db.session.scalar(
        sa.select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user))
        .where(
            ApiToken.token_hash == hash_token(plain),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
            User.active.is_(True),
            User.organization_id == ApiToken.organization_id,
        )
    )


def list_tokens(organization_id: int, user_id: int) -> list[ApiToken]:
    """The agent's tokens, active first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.organization_id == organization_id, ApiToken.user_id == user_id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def list_organization_tokens(organization_id: int) -> list[ApiToken]:
    """Every token of the organization with its agent (one query): active first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .join(ApiToken.user)
            .options(contains_eager(ApiToken.user))
            .where(ApiToken.organization_id == organization_id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )
