"""Settings come from defaults, then SUPPORTDESK_* variables, then the caller's mapping."""

from __future__ import annotations

import pytest

from supportdesk import create_app
from supportdesk.config import _normalise_database_url

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "url, expected",
    [
        pytest.param("postgresql://u@h/db", "postgresql+psycopg://u@h/db", id="postgresql"),
        pytest.param("postgres://u@h/db", "postgresql+psycopg://u@h/db", id="heroku-style"),
        pytest.param("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db", id="explicit"),
        pytest.param("sqlite:///x.db", "sqlite:///x.db", id="sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(url, expected):
    assert _normalise_database_url(url) == expected


def test_environment_variables_override_defaults(monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_PAGE_SIZE", "40")
    monkeypatch.setenv("SUPPORTDESK_MAIL_DOMAIN", '"mail.example.org"')
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["PAGE_SIZE"] == 40
    assert app.config["MAIL_DOMAIN"] == "mail.example.org"


def test_without_a_database_url_the_embedded_sqlite_file_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("SUPPORTDESK_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/supportdesk.db")


def test_a_secret_key_is_generated_once_and_kept(tmp_path):
    import supportdesk.config as config

    key_path = tmp_path / "secret_key"
    first = config._instance_secret_key(tmp_path)
    second = config._instance_secret_key(tmp_path)
    assert first == second and len(first) == 64
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "setting, expected",
    [pytest.param(True, True, id="forced-on"), pytest.param(False, False, id="forced-off")],
)
def test_secure_cookies_can_be_forced(setting, expected):
    app = create_app(
        {
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "x",
            "SECURE_COOKIES": setting,
            "BASE_URL": "https://help.example.com",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is expected


def test_proxy_fix_trusts_one_proxy():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "PROXY_FIX": True})
    assert type(app.wsgi_app).__name__ == "ProxyFix"
