"""Settings: defaults here, overridden by `SUPPORTDESK_*` environment variables, then by a test mapping.

Every key is documented in README.md ("Configuration"). Nothing reads configuration at import time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from supportdesk.sessions.policy import REMEMBER_FOR

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite file under the instance folder
    "DATABASE_REPLICA_URL": None,  # a streaming replica for search (supportdesk.replica); None: none
    # The console's hot reads as server-side prepared statements with generic plans (db.PREPARED);
    # false behind a pooler that cannot keep them (PgBouncer before 1.21 in transaction pooling).
    "DATABASE_PREPARED_STATEMENTS": True,
    "REDIS_URL": None,  # None: in-process jobs and in-memory rate limits
    "SECRET_KEY": None,  # None: a random key kept in instance/secret_key
    # Passphrases that encrypt stored secrets (supportdesk.secretbox), comma-separated, the
    # encrypting one first; None: one derived from SECRET_KEY. Never logged.
    "ENCRYPTION_KEYS": None,
    "BASE_URL": "http://127.0.0.1:5000",
    "MAIL_DOMAIN": "supportdesk.localhost",
    # The scheme of help centers on organizations' own host names (supportdesk.kb.hosts): their
    # canonical addresses and emailed links. "https": the proxy in front terminates TLS for them.
    "HELP_HOST_SCHEME": "https",
    "SECURE_COOKIES": None,  # None: on when BASE_URL is https
    "PROXY_FIX": False,  # trust one proxy's X-Forwarded-* headers
    "LOGIN_MAX_FAILURES": 5,  # per account and client address, in LOGIN_WINDOW_SECONDS
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 50,
    "LOGIN_WINDOW_SECONDS": 900,
    "TWO_FACTOR_MAX_FAILURES": 5,  # wrong second-factor codes per agent in LOGIN_WINDOW_SECONDS
    "TWO_FACTOR_PENDING_SECONDS": 300,  # time to enter the code after a correct password
    "PASSWORD_RESET_MINUTES": 30,  # a password reset link works this long (and once)
    "INVITATION_DAYS": 7,  # an invitation link works this long (and once)
    "RESET_REQUESTS_PER_EMAIL": 3,  # "forgot password" requests per address in LOGIN_WINDOW_SECONDS
    "RESET_REQUESTS_PER_CLIENT": 20,  # and per client address
    # The customer portal and contact form (supportdesk.selfservice, supportdesk.portal).
    "PORTAL_LINK_MINUTES": 30,  # a portal sign-in link works this long (and once)
    "PORTAL_LINK_REQUESTS_PER_EMAIL": 3,  # sign-in link requests per address in LOGIN_WINDOW_SECONDS
    "PORTAL_LINK_REQUESTS_PER_CLIENT": 20,  # and per client address
    "PORTAL_SESSION_HOURS": 12,  # a customer's portal session ends this long after signing in
    "CONTACT_MIN_SECONDS": 3,  # a contact form sent sooner after it was shown is refused (a bot)
    "CONTACT_REQUESTS_PER_EMAIL": 5,  # contact form tickets per address in LOGIN_WINDOW_SECONDS
    "CONTACT_REQUESTS_PER_CLIENT": 20,  # and per client address
    "CSAT_LINK_DAYS": 14,  # satisfaction survey links work this long (and once)
    "SESSION_IDLE_MINUTES": 720,  # a session without "Keep me signed in" ends after this idle time
    "PAGE_SIZE": 25,
    # The live console (supportdesk.live): a stream sends a comment this often, so proxies and
    # browsers keep it open and a dead client is noticed; it ends after LIVE_STREAM_SECONDS and the
    # browser reconnects (its session is checked again, missed events replayed).
    "LIVE_HEARTBEAT_SECONDS": 15,
    "LIVE_STREAM_SECONDS": 300,
    "AUTO_CLOSE_AFTER_DAYS": 7,  # resolved tickets close after this many days; 0 turns it off
    "QUERY_COUNT_HEADER": False,  # add X-SQL-Queries to responses (benchmarks)
    "API_RATE_LIMIT": 600,  # requests per token per API_RATE_WINDOW_SECONDS
    "API_RATE_WINDOW_SECONDS": 60,
    # Larger API request bodies are refused with 413. 2 MiB holds the largest body the schemas
    # allow even fully JSON-escaped: 100,000 characters × 12 bytes (an escaped surrogate pair).
    "API_MAX_BODY_BYTES": 2_097_152,
    "PASSWORD_HASH_FAST": False,  # tests only: cheap argon2 parameters
    "INBOUND_TOKEN": None,  # shared secret of POST /inbound/email; None: the endpoint is off
    "INBOUND_MAX_MESSAGE_BYTES": 25 * 1024 * 1024,  # larger messages are refused, not stored
    "INBOUND_MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,  # larger files are listed, not stored
    "INBOUND_MAX_ATTACHMENTS_BYTES": 20 * 1024 * 1024,  # all stored files of one message
    # Files kept outside the database (supportdesk.storage): "local" (STORAGE_DIR) or "s3".
    "STORAGE_BACKEND": "local",
    "STORAGE_DIR": None,  # None: instance/files
    "STORAGE_S3_ENDPOINT_URL": None,  # None: AWS itself; set it for MinIO, Ceph, Garage…
    "STORAGE_S3_BUCKET": None,
    "STORAGE_S3_REGION": "us-east-1",
    "STORAGE_S3_ACCESS_KEY_ID": None,  # None: boto3's own chain (environment, instance role)
    "STORAGE_S3_SECRET_ACCESS_KEY": None,  # never logged
    "STORAGE_S3_PREFIX": "",  # object names are <prefix><sha256>
    "STORAGE_S3_ADDRESSING_STYLE": "auto",  # "path" for most self-hosted servers
    # Files agents attach to replies, notes and new tickets (console and API).
    "ATTACHMENT_MAX_FILE_BYTES": 10_000_000,  # 10 MB
    "ATTACHMENT_MAX_MESSAGE_BYTES": 25_000_000,  # all files of one message together
    "ATTACHMENT_MAX_FILES": 20,  # files on one message
    # Whose Authentication-Results to trust (our MTA's authserv-id); None: the topmost header.
    "INBOUND_AUTHSERV_ID": None,
    # CRM sync (supportdesk.crm): timeout per call, retries of an unavailable CRM (seconds),
    # the longest Retry-After we honour, and how long a worker holds claimed rows.
    "CRM_TIMEOUT": 20,
    "CRM_RETRY_SCHEDULE": "30,120,600,1800,7200,21600",
    "CRM_RETRY_AFTER_MAX_SECONDS": 3600,
    "CRM_LEASE_SECONDS": 300,
    "WEBHOOKS_ALLOW_PRIVATE": False,  # development/tests only: allow private and loopback targets
    "SSO_ALLOW_HTTP": False,  # development/tests only: an OpenID Connect issuer on plain http://
    "WEBHOOKS_CONNECT_TIMEOUT": 5,  # seconds to open the connection to a receiver
    "WEBHOOKS_TIMEOUT": 15,  # seconds for a whole attempt (connect, send, read the answer)
    # Seconds before each retry, with ±10 % jitter: about a day in all, then the delivery fails.
    "WEBHOOKS_RETRY_SCHEDULE": "5,300,1800,7200,18000,36000,36000",
    "WEBHOOKS_RETRY_AFTER_MAX_SECONDS": 3600,  # cap on a receiver's Retry-After
    "WEBHOOKS_DISABLE_AFTER_FAILURES": 5,  # failed deliveries in a row that disable an endpoint
    "WEBHOOKS_DISABLE_AFTER_SECONDS": 86400,  # or failing for longer than this without a success
    "WEBHOOKS_CA_BUNDLE": None,  # None: certifi's CA bundle checks receivers' certificates
    "WEBHOOKS_LEASE_SECONDS": 120,  # a worker that died mid-attempt frees the delivery after this
    "WEBHOOKS_THREADS": 8,  # concurrent requests of one worker process
    "WEBHOOKS_PER_ENDPOINT": 4,  # of which at most this many to one endpoint (a slow one waits alone)
    "SMTP_URL": None,  # None: emails are written as .eml files under MAIL_DIR
    "SMTP_FALLBACK_URL": None,  # tried when the primary fails temporarily
    "SMTP_TIMEOUT": 30,  # seconds per SMTP connection
    "SMTP_CONNECTIONS": 4,  # kept-open connections (sender threads) per worker process and server
    "MAIL_FROM": None,  # None: support@MAIL_DOMAIN
    "MAIL_TEMPLATES_DIR": None,  # None: only the built-in templates/emails/
    "MAIL_DIR": None,  # None: instance/mail (the .eml files of the embedded default)
    "MAIL_LEASE_SECONDS": 120,  # a sender's claim on an email; a dead worker's email is retried after it
    "MAIL_RETRY_SCHEDULE": [60, 300, 900, 3600, 10800, 21600],  # seconds before retry 1, 2, …
    "MAIL_MAX_ATTEMPTS": 7,  # then the email is failed
    "MAIL_CAP_PER_WINDOW": 20,  # automatic customer mail to one address per MAIL_CAP_WINDOW_SECONDS
    "MAIL_AGENT_CAP_PER_WINDOW": 500,  # automatic mail to one agent's address in the same window
    "MAIL_CAP_WINDOW_SECONDS": 3600,
    "LOG_FORMAT": "text",  # "json" for one JSON object per line (production), "text" to read
    "LOG_LEVEL": "INFO",
    "READY_WORKER_MAX_AGE_SECONDS": 120,  # /readyz fails without a worker heartbeat this recent
    "READY_OUTBOX_MAX_LAG_SECONDS": 600,  # /readyz fails when an email or webhook is due longer
    "METRICS_TOKEN": None,  # bearer token of GET /metrics; None: the endpoint does not exist
    "PRODUCTION": False,  # refuse to start without the settings a real installation needs
}


class ConfigurationError(RuntimeError):
    """The settings cannot run this installation; the message names each one to fix."""


def production_problems(config: dict[str, Any], environ: dict[str, str]) -> list[str]:
    """What a production installation must set and has not, one sentence each."""
    problems = []
    if not config.get("SECRET_KEY"):
        problems.append(
            "SUPPORTDESK_SECRET_KEY is not set: every web process needs the same secret to sign "
            "sessions (generate one with: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if not str(config.get("DATABASE_URL") or "").startswith(("postgresql", "postgres://")):
        problems.append("SUPPORTDESK_DATABASE_URL must name a PostgreSQL database.")
    if not config.get("REDIS_URL"):
        problems.append(
            "SUPPORTDESK_REDIS_URL is not set: background work and rate limits need Redis."
        )
    if not config.get("SMTP_URL"):
        problems.append("SUPPORTDESK_SMTP_URL is not set: no email would leave the help desk.")
    if config.get("BASE_URL") == DEFAULTS["BASE_URL"]:
        problems.append(
            "SUPPORTDESK_BASE_URL is the development default: set the address agents and "
            "customers open (links in emails use it)."
        )
    if config.get("MAIL_DOMAIN") == DEFAULTS["MAIL_DOMAIN"]:
        problems.append(
            "SUPPORTDESK_MAIL_DOMAIN is the development default: set the domain customers reply to."
        )
    if "SUPPORTDESK_PROXY_FIX" not in environ:
        problems.append(
            "SUPPORTDESK_PROXY_FIX is not set: say true behind a reverse proxy or load balancer "
            "(rate limits then see the client's address), false otherwise."
        )
    for name in ("PASSWORD_HASH_FAST", "WEBHOOKS_ALLOW_PRIVATE", "SSO_ALLOW_HTTP"):
        if config.get(name):
            problems.append(f"SUPPORTDESK_{name} is for development and tests only: unset it.")
    return problems


def load_config(app: Flask, config: dict[str, Any] | None) -> None:
    """Fill app.config from DEFAULTS, the SUPPORTDESK_ environment, then `config`."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("SUPPORTDESK")
    if config:
        app.config.update(config)

    if app.config["PRODUCTION"]:
        problems = production_problems(app.config, dict(os.environ))
        if problems:
            raise ConfigurationError(
                "supportdesk will not start in production mode (SUPPORTDESK_PRODUCTION=true) "
                "until these are fixed:\n- " + "\n- ".join(problems)
            )

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'supportdesk.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(app.config["DATABASE_URL"])
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        database_engine_options(
            app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_PREPARED_STATEMENTS"]
        ),
    )
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    secure = app.config["SECURE_COOKIES"]
    if secure is None:
        secure = str(app.config["BASE_URL"]).startswith("https://")
    app.config.update(
        SESSION_COOKIE_NAME="supportdesk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_DURATION=REMEMBER_FOR,  # what the sign-in form promises
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_engine_options(url: str, prepared: bool = True) -> dict[str, Any]:
    """Engine options for the primary and the replica: which statements are prepared.

    Every statement is planned with its real values, as a plain query, unless its code marks it
    `db.PREPARED` and `prepared` is on. The marked ones are the console's hot reads whose plan
    does not depend on the values (by key, by organization, a page of a named queue): planning
    them cost more than running them (1.0 of 1.4 ms for the queue's page of tickets). They are
    prepared once per connection and run on a generic plan (`plan_cache_mode`, which applies only
    to prepared statements). Nothing else is prepared: psycopg's automatic preparation after 5
    runs stays off, because a generic plan ignores the values, and for search (tsquery
    selectivity) and skewed queue filters that plan is several times slower. A marked read that
    comes before any other statement of its transaction also runs on its own, without BEGIN and
    COMMIT (db._execute_prepared): a page of marked reads costs no transaction round trips.

    `prepared` off (`SUPPORTDESK_DATABASE_PREPARED_STATEMENTS=false`) prepares nothing and sends
    no startup option: what PgBouncer's transaction pooling before 1.21 needs (the next
    transaction may run on a server connection that never saw the statement prepared, and it
    refuses startup options; tests/pgbouncer run the suite through a real PgBouncer 1.18).
    """
    # No pool_pre_ping: db._lend_only_live_connections checks a pooled connection without a
    # round trip to the server unless it sat idle.
    options: dict[str, Any] = {}
    if url.startswith("postgresql"):
        if prepared:
            options["connect_args"] = {
                # psycopg prepares a statement only when asked (db.PREPARED): never by count.
                "prepare_threshold": NEVER_BY_COUNT,
                "options": "-c plan_cache_mode=force_generic_plan",
            }
        else:
            options["connect_args"] = {"prepare_threshold": None}
    return options


# psycopg's prepare_threshold: the number of runs after which it prepares a statement by itself.
# None would also ignore an explicit prepare=True; this many runs never happen on one connection.
NEVER_BY_COUNT = 2**62


def _instance_secret_key(instance: Path) -> str:
    """A random secret kept in the instance folder, so the embedded default survives restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()
