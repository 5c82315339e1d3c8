"""Password hashing: argon2id at OWASP cost, cheap in tests, timing-safe for unknown accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from supportdesk.accounts import passwords
from supportdesk.accounts.passwords import hash_password, needs_rehash, verify_password


@pytest.fixture(scope="module")
def owasp_hash() -> str:
    """One hash at production cost (slow enough to compute only once)."""
    return hash_password("correct horse battery")


@pytest.fixture
def fast_hashing() -> Iterator[None]:
    """An app context with PASSWORD_HASH_FAST on, as in the test app (no database needed)."""
    app = Flask(__name__)
    app.config["PASSWORD_HASH_FAST"] = True
    with app.app_context():
        yield


def test_production_hashes_use_argon2id_at_owasp_cost(owasp_hash):
    assert owasp_hash.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in owasp_hash


def test_a_password_verifies_against_its_hash(owasp_hash):
    assert verify_password(owasp_hash, "correct horse battery") is True


def test_a_wrong_password_does_not_verify(owasp_hash):
    assert verify_password(owasp_hash, "Correct horse battery") is False


def test_fast_mode_uses_cheap_parameters(fast_hashing):
    password_hash = hash_password("correct horse battery")

    assert "m=8,t=1,p=1" in password_hash
    assert verify_password(password_hash, "correct horse battery") is True


def test_a_fast_hash_needs_rehashing_at_production_cost(fast_hashing):
    cheap = hash_password("correct horse battery")

    assert needs_rehash(cheap) is False  # still in fast mode
    with Flask(__name__).app_context():
        assert needs_rehash(cheap) is True


def test_a_production_hash_needs_no_rehash(owasp_hash):
    assert needs_rehash(owasp_hash) is False


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(None, id="no hash (unknown account)"),
        pytest.param("", id="empty hash"),
        pytest.param("not-a-hash", id="garbage"),
        pytest.param("$argon2id$v=19$m=8,t=1,p=1$broken", id="truncated argon2 hash"),
    ],
)
def test_anything_but_a_valid_hash_never_verifies(fast_hashing, stored):
    assert verify_password(stored, "correct horse battery") is False


def test_an_unknown_account_still_costs_a_verification(fast_hashing, mocker):
    hasher = mocker.Mock(wraps=passwords._hasher())
    mocker.patch.object(passwords, "_hasher", return_value=hasher)

    assert verify_password(None, "guess") is False

    assert hasher.verify.call_count == 1
