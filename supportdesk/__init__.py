"""supportdesk: an open-source help desk. `create_app` is the only way to build the app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from supportdesk.config import load_config
from supportdesk.logs import configure_logging
from supportdesk.templating import TemplateEnvironment


class App(Flask):
    """Flask, routing requests to an organization's own host name to its help center, its
    templates compiled once per language (supportdesk.templating)."""

    jinja_environment = TemplateEnvironment

    def create_url_adapter(self, request):
        adapter = super().create_url_adapter(request)
        if request is None or adapter is None:
            return adapter
        from supportdesk.help.hosts import HelpHostAdapter

        return HelpHostAdapter.of(adapter)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, extensions, blueprints, error pages and CLI commands."""
    app = App(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    load_config(app, config)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_subscribers()
    register_slug_owners()
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the request-level hooks (security headers, query counting)."""
    from supportdesk import i18n, live, logs, params, storage, web
    from supportdesk.auth.throttle import init_throttle
    from supportdesk.extensions import csrf, db, login_manager, migrate
    from supportdesk.metrics import init_metrics
    from supportdesk.replica import init_replica
    from supportdesk.search.schema import include_object

    db.init_app(app)
    init_replica(app)
    # include_object: the PostgreSQL-only search columns are not in the models (search/schema.py).
    migrate.init_app(
        app,
        db,
        directory=str(_migrations_dir()),
        render_as_batch=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    web.use_fast_html_params()
    login_manager.init_app(app)
    i18n.init_app(app)
    web.init_login(app, login_manager)
    web.init_redis(app)
    live.init_app(app)
    init_throttle(app, app.config.get("REDIS_URL"))
    web.init_request_hooks(app)
    logs.init_request_ids(app)
    init_metrics(app)
    params.init_app(app)
    storage.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount the interface packages."""
    from supportdesk.admin import bp as admin_bp
    from supportdesk.api import access as api_access
    from supportdesk.api import bp as api_bp
    from supportdesk.auth import bp as auth_bp
    from supportdesk.console import bp as console_bp
    from supportdesk.help import bp as help_bp
    from supportdesk.inbound import bp as inbound_bp
    from supportdesk.ops import bp as ops_bp
    from supportdesk.portal import bp as portal_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(inbound_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(portal_bp)
    api_access.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Error pages that say what happened in a sentence."""
    from supportdesk.web import register_error_pages

    register_error_pages(app)


def register_commands(app: Flask) -> None:
    """Attach the CLI commands (`flask --app supportdesk …`)."""
    from supportdesk.cli import register

    register(app)


def register_subscribers() -> None:
    """Import the subscribers that run at every COMMIT now, so a wrong entry stops the start.

    They and their order are one list: supportdesk.events.SUBSCRIBERS.
    """
    from supportdesk import events

    events.subscribers()


def register_slug_owners() -> None:
    """Mail owns `*@<slug>.<MAIL_DOMAIN>`: a new organization gets a slug whose namespace is free
    and its default support address (accounts imports no mail code: it calls the hooks)."""
    from supportdesk.accounts.service import SlugOwner, register_slug_owner
    from supportdesk.mail.identity import support_addresses

    register_slug_owner(
        SlugOwner(support_addresses.namespace_is_free, support_addresses.create_default_address)
    )


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
