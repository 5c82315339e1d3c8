"""Secrets we keep to use again (SSO client secrets, CRM tokens), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`). The keys come from the environment:
SUPPORTDESK_ENCRYPTION_KEYS, comma-separated passphrases; the first encrypts, every one decrypts,
so a key is rotated by putting a new one first and dropping the old one once `flask secrets
reencrypt` has run. Unset, one key is derived from SECRET_KEY (which production sets in the
environment), so the embedded default needs nothing more. A passphrase becomes a Fernet key by
HKDF-SHA256, so any long random string will do.

Columns declare `EncryptedText`: values are encrypted on the way in and decrypted on the way
out. A value no key opens raises `SecretUnreadable`, whose message says what to set.
"""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_INFO = b"supportdesk secretbox v1"


class SecretUnreadable(RuntimeError):
    """A stored secret that none of the configured keys decrypts."""


def _fernet_key(passphrase: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        passphrase.encode()
    )
    return base64.urlsafe_b64encode(derived)


def passphrases(config: dict[str, Any]) -> list[str]:
    """The configured passphrases, the encrypting one first."""
    configured = [k.strip() for k in str(config.get("ENCRYPTION_KEYS") or "").split(",")]
    keys = [k for k in configured if k]
    return keys or [str(config["SECRET_KEY"])]


def box(config: dict[str, Any] | None = None) -> MultiFernet:
    """The Fernet set for these settings (the app's by default)."""
    config = current_app.config if config is None else config
    return MultiFernet([Fernet(_fernet_key(p)) for p in passphrases(config)])


def encrypt(plaintext: str, config: dict[str, Any] | None = None) -> str:
    return box(config).encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str, config: dict[str, Any] | None = None) -> str:
    try:
        return box(config).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with the configured keys: set "
            "SUPPORTDESK_ENCRYPTION_KEYS (or SUPPORTDESK_SECRET_KEY) to include the key it was "
            "saved with, or enter the secret again."
        ) from None


def reencrypt(token: str, config: dict[str, Any] | None = None) -> str:
    """The same secret under the first (newest) key."""
    try:
        return box(config).rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        decrypt(token, config)  # raises the sentence above
        raise


class EncryptedText(sa.TypeDecorator):
    """A text column stored encrypted; Python sees the plaintext."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else decrypt(value)


def encrypted_columns(metadata: sa.MetaData | None = None) -> list[tuple[sa.Table, sa.Column]]:
    """Every column of the schema (the app's by default) declared `EncryptedText`."""
    if metadata is None:
        from supportdesk.extensions import db

        metadata = db.metadata
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def reencrypt_all(session, metadata: sa.MetaData | None = None) -> int:
    """Rewrite every stored secret under the first key; returns how many values changed.

    Reads the raw tokens (not through the type), so a value is decrypted and re-encrypted once.
    """
    changed = 0
    for table, column in encrypted_columns(metadata):
        key = list(table.primary_key.columns)
        raw = sa.literal_column(column.name, sa.Text)
        rows = session.execute(
            sa.select(*key, raw.label("token")).select_from(table).where(column.isnot(None))
        ).all()
        for row in rows:
            new = reencrypt(row.token)
            if new != row.token:
                condition = sa.and_(*(c == getattr(row, c.name) for c in key))
                session.execute(
                    sa.update(table)
                    .where(condition)
                    .values({column.name: sa.literal(new, sa.Text)})
                )
                changed += 1
    return changed
