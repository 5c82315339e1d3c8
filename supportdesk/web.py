"""Web platform wiring: the agent from their sign-in session, Redis, security headers, query
counting, error pages, and the template helpers shared by every blueprint. No business rules."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from urllib.parse import urlsplit

import sqlalchemy as sa
from babel.support import Translations
from flask import (
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask.globals import _cv_request
from flask_login import LoginManager, current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from redis import Redis
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from wtforms import SelectField
from wtforms.i18n import messages_path
from wtforms.widgets.core import clean_key

from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.i18n import gettext
from supportdesk.localtime import DEFAULT_ZONE, format_datetime, utc_iso
from supportdesk.redis_fallback import fail_fast_redis

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def _clean_text(value):
    # PostgreSQL text cannot hold NUL; no honest form input contains one. Browsers send a
    # textarea's line breaks as CRLF (HTML spec): store LF, or an unchanged form changes the row.
    if isinstance(value, str):
        return value.replace("\x00", "").replace("\r\n", "\n")
    return value


def choice_value(value) -> str:
    """The default coerce of every choice field: an enum member becomes its value.

    A select filled from a row (`Form(obj=row)`) gets the enum member, its choices are the values:
    with WTForms' plain `str` no option would be selected and the browser would submit the first.
    """
    return value.value if isinstance(value, enum.Enum) else str(value)


def html_params(**kwargs) -> Markup:
    """WTForms' `html_params`, byte for byte, without `Markup.format` per attribute.

    Every input, select option and label a form renders goes through it; WTForms formats each
    attribute with `Markup.format` (string.Formatter in Python), which made it a fifth of the
    ticket page's CPU. Same rules: keys sorted and cleaned (`class_`, `data_`/`aria_`), `True`
    a bare attribute, `False` none, values escaped and a Markup value's `"` written `&quot;`.
    Installed over WTForms' own in `create_app` (`use_fast_html_params`).
    """
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{str(escape(value)).replace(QUOTE, "&quot;")}"')
    return Markup(" ".join(params))  # noqa: S704  (escaped names and values)


QUOTE = '"'
wtforms_html_params = None


def use_fast_html_params() -> None:
    """Put `html_params` where WTForms' widgets and labels look it up (module and classes)."""
    global wtforms_html_params
    from wtforms import widgets
    from wtforms.widgets import core

    if core.html_params is not html_params:
        wtforms_html_params = core.html_params  # the original, for the tests that compare
    core.html_params = widgets.html_params = html_params
    for widget in vars(core).values():
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(html_params)
    # WTForms inspects `render_option`'s signature on every <select> it renders (to support
    # pre-3.3 overrides); the answer depends only on the class, so it is kept per class.
    dispatch = vars(core.Select)["_dispatch_render_option"]
    if not getattr(dispatch.__func__, "kept_per_class", False):
        core.Select._dispatch_render_option = classmethod(_kept_per_class(dispatch.__func__))


def _kept_per_class(dispatch):
    found: dict[type, object] = {}

    def kept(cls):
        render = found.get(cls)
        if render is None:
            render = found[cls] = dispatch(cls)
        return render

    kept.kept_per_class = True
    return kept


@functools.cache
def _wtforms_catalog(locale: str) -> Translations:
    # Flask-WTF reads this catalog from disk once per request (request.wtforms_translations).
    return Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own messages in the request's language, each catalog read once per process."""

    def _catalog(self) -> Translations:
        from flask_babel import get_locale

        return _wtforms_catalog(str(get_locale()))

    def gettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


_WTFORMS_TRANSLATIONS = _WTFormsTranslations()


class Form(FlaskForm):
    """Base of every form: CSRF-protected, text input cleaned, choice fields enum-aware."""

    class Meta:
        def get_translations(self, form):
            # Flask-WTF's own answer outside a request or without Flask-Babel (no translation).
            if (
                not has_request_context()
                or not current_app.config.get("WTF_I18N_ENABLED", True)
                or "babel" not in current_app.extensions
            ):
                return super().get_translations(form)
            return _WTFORMS_TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ()))
            options["filters"] = [_clean_text, *filters]
            if issubclass(unbound_field.field_class, SelectField):
                options.setdefault("coerce", unbound_field.kwargs.get("coerce", choice_value))
            return unbound_field.bind(form=form, **options)


def same_site_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the queue: never an open redirect (a phishing
    tool after sign-in) whatever a link or form says."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("console.queue")


def init_login(app: Flask, login_manager: LoginManager) -> None:
    """Load the agent from the key of a live server-side session (see supportdesk.sessions).

    The session and remember cookies carry only that key (User.get_id), so revoking the session
    record, its idle timeout, or the agent's deactivation refuses both cookies.
    """
    from supportdesk.sessions.queries import find_live_session
    from supportdesk.sessions.service import note_seen

    # Checked now, so a bad setting stops the start; read per request (the manager is shared).
    app.extensions["session_idle_timeout"] = session_idle_timeout(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(key: str):
        record = find_live_session(key, utcnow(), current_app.extensions["session_idle_timeout"])
        if record is None:
            # Forget the refused key, and have Flask-Login delete the remember cookie with it.
            session.pop("_user_id", None)
            session["_remember"] = "clear"
            return None
        record.user.web_session = record
        return record.user

    @app.before_request
    def note_session_activity() -> None:
        # Loads the agent before the view, and records activity (at most a write a minute).
        if request.endpoint == "static":
            return
        if current_user.is_authenticated and note_seen(current_user.web_session):
            db.session.commit()


def session_idle_timeout(app: Flask) -> dt.timedelta:
    """SUPPORTDESK_SESSION_IDLE_MINUTES as a duration; refuses a setting that is not positive."""
    minutes = float(app.config["SESSION_IDLE_MINUTES"])
    if minutes <= 0:
        raise ValueError("SUPPORTDESK_SESSION_IDLE_MINUTES must be a positive number of minutes.")
    return dt.timedelta(minutes=minutes)


def init_redis(app: Flask) -> Redis | None:
    """A Redis client when SUPPORTDESK_REDIS_URL is set; None means the embedded default.

    It gives up at once when Redis is down (no retries with backoff): enqueueing after a commit
    must not hold a request for seconds, and the outbox row waits safely for the sweep. The
    worker and scheduler make their own, patient client (cli/jobs.py).
    """
    url = app.config.get("REDIS_URL")
    redis = fail_fast_redis(url) if url else None
    app.extensions["redis"] = redis
    return redis


def _count_query(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context():
        g.sql_queries = g.get("sql_queries", 0) + 1


def init_request_hooks(app: Flask) -> None:
    """Security headers on every response; SQL query counting; proxy headers when asked."""
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", _count_query)
    if app.extensions.get("replica") is not None:
        sa.event.listen(app.extensions["replica"].engine, "before_cursor_execute", _count_query)

    from supportdesk.audit import origin

    @app.before_request
    def audit_origin() -> None:
        # Where this request's audited actions come from (ProxyFix has set remote_addr).
        g.audit_origin = origin.begin(request.remote_addr or "", request.user_agent.string)

    @app.teardown_request
    def forget_audit_origin(exc=None) -> None:
        if "audit_origin" in g:
            origin.end(g.pop("audit_origin"))

    @app.after_request
    def security_headers(response):
        # Each header unless the view set its own (what `setdefault` does, without Werkzeug
        # raising and catching a KeyError for every header a response does not have yet).
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}

        def default(name: str, value: str) -> None:
            if name.lower() not in present:
                headers.add(name, value)

        default("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        default("X-Content-Type-Options", "nosniff")
        # A page that set a policy letting others frame it (the embeddable contact form,
        # supportdesk.portal.contact) keeps it; every other page may not be framed.
        if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
            default("X-Frame-Options", "DENY")
        default("Referrer-Policy", "same-origin")
        default("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            default("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and current_user.is_authenticated:
            default("Cache-Control", "no-store")
        if app.config.get("QUERY_COUNT_HEADER"):
            response.headers["X-SQL-Queries"] = str(g.get("sql_queries", 0))
        return response

    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.globals["can"] = _can
    app.jinja_env.globals["url_for"] = remembered_url_for(app)


URLS_REMEMBERED = 1024  # (endpoint, file, script root) entries; a page uses about 40
_SENTINEL = 7_340_019_001  # an id no page links to; see _url_pattern


def remembered_url_for(app: Flask):
    """Templates' `url_for`, remembering what a URL depends on: a page builds 40–70 of them
    (the navigation, `static` files, a link per queue row) and each build walks the routing map.

    - A URL that depends on nothing but the endpoint (or a static file's name) is kept.
    - A URL whose values are all integers (`number=t.number`, `customer_id=c.id`) is kept as a
      pattern, built once with stand-in numbers, and filled in with `str(value)` as Werkzeug's
      int converter writes it. Endpoints with rule defaults (where the value chooses the rule)
      are built every time; a pattern is kept only if it gives what Flask built for the first
      real values.
    - Anything else (strings, `_external`, `_anchor`…), a relative endpoint, an endpoint whose
      blueprint adds URL defaults, host/subdomain routing, or a request on a help center's own
      host name (supportdesk.help.hosts rewrites its URLs) is built every time, as Flask does.
    """
    build = app.url_for
    remembered: dict[tuple, object] = {}

    def url_for(endpoint: str, **values) -> str:
        ctx = _cv_request.get(None)
        if ctx is None or getattr(ctx.url_adapter, "site", None) is not None:
            return build(endpoint, **values)
        if not values or (endpoint == "static" and len(values) == 1 and "filename" in values):
            key = (endpoint, values.get("filename"), ctx.request.root_path)
            url = remembered.get(key)
            if url is None:
                url = build(endpoint, **values)
                if _may_remember(endpoint):
                    _remember(key, url)
            return url
        if not all(type(v) is int for v in values.values()):
            return build(endpoint, **values)
        key = (endpoint, tuple(values), ctx.request.root_path)
        pattern = remembered.get(key)
        if pattern is None:
            url = build(endpoint, **values)
            pattern = _url_pattern(endpoint, values, url) if _may_remember(endpoint) else False
            if pattern is not False:
                _remember(key, pattern)
            return url
        if pattern is False:
            return build(endpoint, **values)
        head, tails = pattern
        return head + "".join([str(values[name]) + tail for name, tail in tails])

    def _remember(key: tuple, value: object) -> None:
        if len(remembered) >= URLS_REMEMBERED:
            remembered.clear()
        remembered[key] = value

    def _url_pattern(endpoint: str, values: dict, url: str):
        # The rule chosen must not depend on the values (a rule's defaults would), and each
        # stand-in must come out once, as its digits: then the URL is the pattern filled in.
        for rule in app.url_map.iter_rules(endpoint):
            if rule.defaults or any(
                type(rule._converters[name]) is not IntegerConverter
                or rule._converters[name].fixed_digits
                for name in values
                if name in rule._converters
            ):
                return False
        stand_ins = {name: _SENTINEL + 1000 * i for i, name in enumerate(values)}
        try:
            built = build(endpoint, **stand_ins)
        except Exception:  # noqa: BLE001  (no pattern: Flask builds it every time)
            return False
        places = []
        for name, stand_in in stand_ins.items():
            text = str(stand_in)
            if built.count(text) != 1:
                return False
            places.append((built.index(text), name, text))
        places.sort()
        head, tails = built[: places[0][0]], []
        for i, (start, name, text) in enumerate(places):
            end = places[i + 1][0] if i + 1 < len(places) else len(built)
            tails.append((name, built[start + len(text) : end]))
        pattern = (head, tuple(tails))
        filled = head + "".join([str(values[name]) + tail for name, tail in tails])
        return pattern if filled == url else False

    def _may_remember(endpoint: str) -> bool:
        if endpoint.startswith(".") or app.url_map.host_matching or app.subdomain_matching:
            return False
        # No URL defaults of the app, nor of the endpoint's blueprint and its parents.
        blueprint = endpoint.rpartition(".")[0]
        return not any(
            functions and (name is None or blueprint == name or blueprint.startswith(name + "."))
            for name, functions in app.url_default_functions.items()
        )

    return url_for


def _can(action: str) -> bool:
    # The proxy resolved once (a page asks `can` about ten times; each resolution costs).
    user = current_user._get_current_object()
    return bool(user is not None and user.is_authenticated and user.can(action))


def shown_time_zone() -> str:
    """The zone of the times on this page: the signed-in agent's, else UTC (sign-in, errors).

    Kept for the request once the agent is known: a page prints dozens of times.
    """
    zone = g.get("shown_time_zone")
    if zone is not None:
        return zone
    if current_user and current_user.is_authenticated:
        g.shown_time_zone = zone = current_user.shown_time_zone
        return zone
    return DEFAULT_ZONE


def datetime_filter(
    value: dt.datetime | None, style: str = "datetime", element: bool = True
) -> Markup | str:
    """The `datetime` filter, the one way a template prints a time: in the agent's zone.

    Renders <time datetime="…UTC…">27 Nov 2026, 14:05 CET</time>, so machines still read UTC.
    style: "datetime", "date", "time", or "relative" ('5 min ago', the full time as its title).
    element=False gives the bare text, for attributes.
    """
    if value is None:
        return ""
    zone = shown_time_zone()
    full = format_datetime(value, zone)
    if style == "relative":
        text = time_ago(value, zone)
    else:
        text = full if style == "datetime" else format_datetime(value, zone, style=style)
    if not element:
        return text
    # Each value escaped, as Markup's % would, at a fifth of its cost (a page prints dozens).
    if text == full:
        return Markup(f'<time datetime="{escape(utc_iso(value))}">{escape(text)}</time>')  # noqa: S704
    return Markup(  # noqa: S704  (escaped values)
        f'<time datetime="{escape(utc_iso(value))}" title="{escape(full)}">{escape(text)}</time>'
    )


def time_ago(value: dt.datetime, zone: str, now: dt.datetime | None = None) -> str:
    """A short relative time: 'just now', '5 min ago', '3 h ago', '2 d ago', or the date in `zone`."""
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return gettext("just now")
    if seconds < 3600:
        return gettext("%(n)s min ago", n=seconds // 60)
    if seconds < 86400:
        return gettext("%(n)s h ago", n=seconds // 3600)
    if seconds < 30 * 86400:
        return gettext("%(n)s d ago", n=seconds // 86400)
    return format_datetime(value, zone, style="date")


ERROR_SENTENCES = {
    400: "The request could not be understood. Go back and try again.",
    403: "Your role does not allow this. Ask an admin if you need it.",
    404: "There is nothing here. It may have been removed, or the address is wrong.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    429: "Too many requests. Wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you entered was saved; please try again.",
}


def render_error(status: int, message: str | None = None):
    """The error page for `status`, with a sentence a support admin understands."""
    message = message or ERROR_SENTENCES.get(status, ERROR_SENTENCES[400])
    return render_template("errors/error.html", status=status, message=message), status


def register_json_errors(app: Flask, prefix: str, handler) -> None:
    """Answer HTTP errors under `prefix` with `handler(exc)` instead of an HTML page.

    Blueprint error handlers never see routing errors (an unknown path or method has no
    blueprint yet); a JSON API registers its prefix here to keep its error shape for those too.
    """
    app.extensions.setdefault("json_error_prefixes", {})[prefix] = handler


def register_error_pages(app: Flask) -> None:
    """Map HTTP errors, CSRF failures and domain errors to readable pages."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400,
            "This form had expired or was sent from another site. Reload the page and try again.",
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return render_error(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is not None and exc.code < 400:
            return exc  # routing redirects are not errors
        for prefix, handler in app.extensions.get("json_error_prefixes", {}).items():
            if request.path.startswith(prefix):
                return handler(exc)
        return render_error(exc.code or 500, ERROR_SENTENCES.get(exc.code or 500))

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
