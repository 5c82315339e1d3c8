"""Stored secrets: encrypted at rest, readable with any configured key, rotated on demand."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk import secretbox
from supportdesk.extensions import db

OLD = {"ENCRYPTION_KEYS": "old passphrase", "SECRET_KEY": "s"}
ROTATED = {"ENCRYPTION_KEYS": "new passphrase, old passphrase", "SECRET_KEY": "s"}
NEW_ONLY = {"ENCRYPTION_KEYS": "new passphrase", "SECRET_KEY": "s"}


@pytest.mark.unit
def test_a_secret_round_trips_and_is_not_stored_in_clear():
    token = secretbox.encrypt("hunter2-client-secret", OLD)
    assert "hunter2" not in token
    assert secretbox.decrypt(token, OLD) == "hunter2-client-secret"


@pytest.mark.unit
def test_without_encryption_keys_the_secret_key_is_used():
    config = {"ENCRYPTION_KEYS": None, "SECRET_KEY": "only this"}
    token = secretbox.encrypt("x", config)
    assert secretbox.decrypt(token, {"ENCRYPTION_KEYS": "only this", "SECRET_KEY": "other"}) == "x"
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.decrypt(token, {"ENCRYPTION_KEYS": None, "SECRET_KEY": "another"})


@pytest.mark.unit
def test_rotation_keeps_old_secrets_readable_and_reencrypt_moves_them():
    token = secretbox.encrypt("x", OLD)
    assert secretbox.decrypt(token, ROTATED) == "x"
    with pytest.raises(secretbox.SecretUnreadable, match="SUPPORTDESK_ENCRYPTION_KEYS"):
        secretbox.decrypt(token, NEW_ONLY)
    moved = secretbox.reencrypt(token, ROTATED)
    assert secretbox.decrypt(moved, NEW_ONLY) == "x"


@pytest.mark.unit
def test_reencrypt_of_an_unreadable_secret_says_what_to_set():
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.reencrypt(secretbox.encrypt("x", OLD), NEW_ONLY)


def test_an_encrypted_column_stores_ciphertext_and_the_command_rotates_it(app):
    metadata = sa.MetaData()
    table = sa.Table(
        "secretbox_probe",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("secret", secretbox.EncryptedText),
        sa.Column("plain", sa.Text),
    )
    assert secretbox.encrypted_columns(metadata) == [(table, table.c.secret)]
    app.config.update(OLD)
    try:
        table.create(db.session.connection())
        db.session.execute(
            table.insert(), [{"id": 1, "secret": "tok-1"}, {"id": 2, "secret": None}]
        )
        raw = db.session.execute(
            sa.text("SELECT secret FROM secretbox_probe WHERE id = 1")
        ).scalar()
        assert "tok-1" not in raw
        assert (
            db.session.execute(sa.select(table.c.secret).where(table.c.id == 1)).scalar() == "tok-1"
        )

        app.config.update(ROTATED)
        assert secretbox.reencrypt_all(db.session, metadata) == 1
        app.config.update(NEW_ONLY)
        assert (
            db.session.execute(sa.select(table.c.secret).where(table.c.id == 1)).scalar() == "tok-1"
        )
        assert db.session.execute(sa.select(table.c.secret).where(table.c.id == 2)).scalar() is None
    finally:
        app.config.update({"ENCRYPTION_KEYS": None})


def test_the_command_reports_how_many_secrets_it_rewrote(app):
    result = app.test_cli_runner().invoke(args=["secrets", "reencrypt"])
    assert result.exit_code == 0, result.output
    assert "0 stored secret(s) re-encrypted with the first key." in result.output
