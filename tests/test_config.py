"""Settings come from defaults, then SUPPORTDESK_* variables, then the caller's mapping."""

from __future__ import annotations

import pytest

from supportdesk import create_app
from supportdesk.config import ConfigurationError, normalise_url

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
    assert normalise_url(url) == expected


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


PRODUCTION_READY = {
    "PRODUCTION": True,
    "SECRET_KEY": "s" * 64,
    "DATABASE_URL": "postgresql://supportdesk@db/supportdesk",
    "REDIS_URL": "redis://redis:6379/0",
    "SMTP_URL": "smtp+starttls://user:pass@smtp.example.com:587",
    "BASE_URL": "https://help.example.com",
    "MAIL_DOMAIN": "help.example.com",
}


@pytest.fixture
def proxy_fix_set(monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_PROXY_FIX", "true")


def test_a_complete_production_configuration_starts(proxy_fix_set):
    app = create_app(PRODUCTION_READY)
    assert app.config["PRODUCTION"] is True


@pytest.mark.parametrize(
    ("override", "named"),
    [
        pytest.param({"SECRET_KEY": None}, "SUPPORTDESK_SECRET_KEY is not set", id="secret"),
        pytest.param({"DATABASE_URL": "sqlite:///x.db"}, "must name a PostgreSQL", id="sqlite"),
        pytest.param({"REDIS_URL": None}, "SUPPORTDESK_REDIS_URL is not set", id="redis"),
        pytest.param({"SMTP_URL": None}, "SUPPORTDESK_SMTP_URL is not set", id="smtp"),
        pytest.param({"BASE_URL": "http://127.0.0.1:5000"}, "SUPPORTDESK_BASE_URL is", id="base"),
        pytest.param(
            {"MAIL_DOMAIN": "supportdesk.localhost"}, "SUPPORTDESK_MAIL_DOMAIN is", id="domain"
        ),
        pytest.param({"PASSWORD_HASH_FAST": True}, "PASSWORD_HASH_FAST is for", id="fast-hash"),
        pytest.param(
            {"WEBHOOKS_ALLOW_PRIVATE": True}, "WEBHOOKS_ALLOW_PRIVATE is for", id="private-hooks"
        ),
    ],
)
def test_production_mode_refuses_a_missing_or_development_setting(proxy_fix_set, override, named):
    with pytest.raises(ConfigurationError, match="will not start in production mode") as refused:
        create_app({**PRODUCTION_READY, **override})
    assert named in str(refused.value)
    assert str(refused.value).count("\n- ") == 1  # only the one problem is named


def test_production_mode_wants_the_proxy_setting_said_out_loud(monkeypatch):
    monkeypatch.delenv("SUPPORTDESK_PROXY_FIX", raising=False)
    with pytest.raises(ConfigurationError, match="SUPPORTDESK_PROXY_FIX is not set"):
        create_app(PRODUCTION_READY)


def test_development_mode_needs_none_of_it():
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["PRODUCTION"] is False


def test_the_example_environment_file_passes_the_production_check():
    from pathlib import Path

    from supportdesk.config import DEFAULTS, production_problems

    example = Path(__file__).resolve().parent.parent / "deploy" / "supportdesk.env.example"
    environ = dict(
        line.split("=", 1)
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    )
    prefix = "SUPPORTDESK_"
    config = {
        **DEFAULTS,
        **{k[len(prefix) :]: v for k, v in environ.items() if k.startswith(prefix)},
    }
    assert production_problems(config, environ) == []
