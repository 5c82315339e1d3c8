"""Idempotency keys: a POST retried after a lost answer is done once, and answered the same.

A client that sends `Idempotency-Key: <key>` on a POST and never sees the answer (a timeout, a
dropped connection) sends the same request with the same key again. The first request's key row
is written in the same COMMIT as its work; the answer is stored right after. A retry then finds
the row and gets the stored answer (status, body, Location/ETag) without doing the work twice:
no second ticket, no second reply to the customer.

- Keys belong to the API token that sent them (another token's key of the same text is another
  key) and live KEY_TTL_HOURS hours; `purge_expired_keys` (a periodic job) removes older ones.
- The same key with a different request (method, path or body) is refused with 422.
- A retry while the first request is still running — or after it committed but before its
  answer was stored, which only a crash between the two commits leaves behind — gets 409 and
  may retry later; the key row tells the work was done.
- A request that fails (4xx, 5xx) rolls back with its key, so the retry runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.api.errors import InvalidInput
from supportdesk.db import UTCDateTime, utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Visible ASCII, no spaces: a UUID, a ULID or any token a client makes fits.
KEY_PATTERN = rf"^[!-~]{{1,{MAX_KEY_LENGTH}}}$"
_KEY = re.compile(KEY_PATTERN)
KEY_TTL_HOURS = 24
# Headers of a stored answer that a replay must carry too.
REPLAYED_HEADERS = ("Location", "ETag")


class IdempotencyKey(db.Model):
    """A POST done under a client's key, and the answer it got (null until stored)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("token_id", "key", name="uq_idempotency_keys_token_key"),
        sa.Index("ix_idempotency_keys_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH))
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyInUse(DomainError):
    """A retry arrived while the first request with its key had not stored its answer."""

    status = 409
    code = "idempotency_key_in_use"


@dataclass
class Claim:
    """The key row of a request under way: the answer is stored on it once the work committed."""

    row_id: int


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def requested_key() -> str | None:
    """The request's Idempotency-Key, checked; None when the client sent none."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, without spaces.",
            {HEADER: "Send a unique value per request, such as a UUID."},
        )
    return key


def _replay(row: IdempotencyKey) -> Response:
    response = Response(row.response_body, status=row.response_status)
    if row.response_body is not None:
        response.mimetype = "application/json"
    response.headers.update(row.response_headers or {})
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _earlier(token_id: int, key: str) -> IdempotencyKey | None:
    return db.session.execute(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.token_id == token_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at > utcnow() - dt.timedelta(hours=KEY_TTL_HOURS),
        )
    ).scalar_one_or_none()


def _answer_for(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        raise InvalidInput(
            f"This {HEADER} was already used for a different request.",
            {HEADER: "Use a new key for a new request; reuse a key only to retry the same one."},
        )
    if row.response_status is None:
        raise KeyInUse(
            f"The request with this {HEADER} is still being processed; retry in a moment.",
            {HEADER: "Retry later with the same key to get the first request's answer."},
        )
    return _replay(row)


def claim(organization_id: int, token_id: int, key: str) -> Claim | Response:
    """Take `key` for this request (a row in the request's transaction), or the earlier answer.

    On PostgreSQL a second request with the same key waits at the INSERT until the first
    commits, then finds its row.
    """
    fingerprint = _fingerprint()
    earlier = _earlier(token_id, key)
    if earlier is not None:
        return _answer_for(earlier, fingerprint)
    # An expired row of the same key makes way for the new one.
    db.session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.token_id == token_id, IdempotencyKey.key == key
        )
    )
    try:
        with db.session.begin_nested():
            row = IdempotencyKey(
                organization_id=organization_id, token_id=token_id, key=key, fingerprint=fingerprint
            )
            db.session.add(row)
    except IntegrityError:
        db.session.commit()  # end the transaction: the other request's COMMIT is visible now
        earlier = _earlier(token_id, key)
        if earlier is None:  # it rolled back: its work was not done, so this one may run
            return claim(organization_id, token_id, key)
        return _answer_for(earlier, fingerprint)
    return Claim(row.id)


def store_answer(taken: Claim, response: Response) -> None:
    """Keep the answer of a request whose work committed, for its retries."""
    if response.status_code >= 400:
        # The work did not happen (its transaction rolled back, the key with it).
        return
    headers = {
        name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers
    }
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.id == taken.row_id)
        .values(
            response_status=response.status_code,
            response_body=response.get_data(as_text=True) if response.status_code != 204 else None,
            response_headers=headers,
        )
    )
    db.session.commit()


def purge_expired_keys() -> int:
    """Delete keys older than KEY_TTL_HOURS; returns how many."""
    cutoff = utcnow() - dt.timedelta(hours=KEY_TTL_HOURS)
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    return result.rowcount or 0
