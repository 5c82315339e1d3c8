"""Languages: which exist, which one a page or an email speaks, and dates in that language.

The console speaks the signed-in agent's language (`User.language`, English when unset); a page
before sign-in speaks the browser's (Accept-Language). Mail to a customer speaks the customer's
(`Customer.language`, filled from an inbound mail's Content-Language or the portal's choice),
mail to an agent the agent's. Catalogs are gettext files under supportdesk/translations/
(README: "Translations"); the compiled .mo files are committed so a fresh clone needs no step.

COMPLETE names, per language, the templates every string of which must be translated: the test
tests/test_i18n.py fails on any such string missing or fuzzy in that language's catalog.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.dates import format_time as format_clock
from babel.numbers import format_decimal
from babel.support import Translations
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString as BabelLazyString
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

DEFAULT = "en"
# Code → the language's own name (what a person picks from a list).
LANGUAGES = {"en": "English", "de": "Deutsch"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
ROOT = Path(__file__).resolve().parents[1]
# Per language: the files (globs under the repository root) every string of which is translated.
# Mail to customers and their pages, and the agents' mail (not: the invitation and the
# address verification, which go to an address whose reader's language is not known).
COMPLETE = {
    "de": (
        "templates/emails/base.*",
        "templates/emails/agent_replied.*",
        "templates/emails/ticket_acknowledged.*",
        "templates/emails/ticket_resolved.*",
        "templates/emails/customer_replied.*",
        "templates/emails/mentioned.*",
        "templates/emails/password_reset.*",
        "templates/emails/sla_breached.*",
        "templates/emails/ticket_assigned.*",
        "templates/emails/webhook_disabled.*",
        "templates/emails/report_summary.*",
        "templates/emails/_summary_labels.html",
        "templates/emails/crm_connection_broken.*",
        "templates/emails/export_finished.*",
        "templates/emails/_export_labels.html",
        "templates/base.html",
        "templates/auth/login.html",
        "templates/auth/account.html",
        "supportdesk/auth/account.py",
        "supportdesk/auth/forms.py",
        # The customer's side: help center, portal, survey, and their mail.
        "templates/emails/_survey.*",
        "templates/emails/portal_sign_in.*",
        "templates/emails/satisfaction_survey.*",
        "templates/help/[!_]*.html",
        "templates/portal/[!_]*.html",
        "templates/portal/_labels.html",
        "supportdesk/help/pages.py",
        "supportdesk/portal/contact.py",
        "supportdesk/portal/forms.py",
        "supportdesk/portal/rating.py",
        "supportdesk/portal/views.py",
        "supportdesk/satisfaction/links.py",
        "supportdesk/satisfaction/service.py",
        "supportdesk/selfservice/contact.py",
        "supportdesk/selfservice/service.py",
        # The agent console: every page, its forms, and what its views flash.
        "templates/_macros.html",
        "templates/_tokens.html",
        "templates/admin/*.html",
        "templates/auth/*.html",
        "templates/console/*.html",
        "templates/errors/*.html",
        "supportdesk/web.py",
        "supportdesk/tickets/queries.py",
        "supportdesk/sla/queries.py",
        "supportdesk/console/badges.py",
        "supportdesk/admin/agents.py",
        "supportdesk/admin/crm.py",
        "supportdesk/admin/crm_forms.py",
        "supportdesk/admin/fields.py",
        "supportdesk/admin/forms.py",
        "supportdesk/admin/invitations.py",
        "supportdesk/admin/macro_forms.py",
        "supportdesk/admin/macros.py",
        "supportdesk/admin/mail.py",
        "supportdesk/admin/organization.py",
        "supportdesk/admin/outbound_mail.py",
        "supportdesk/admin/portal.py",
        "supportdesk/admin/privacy.py",
        "supportdesk/admin/privacy_forms.py",
        "supportdesk/admin/retention.py",
        "supportdesk/admin/sla.py",
        "supportdesk/admin/sla_forms.py",
        "supportdesk/admin/sso.py",
        "supportdesk/admin/teams.py",
        "supportdesk/admin/tokens.py",
        "supportdesk/admin/two_factor.py",
        "supportdesk/admin/webhook_forms.py",
        "supportdesk/admin/webhooks.py",
        "supportdesk/auth/links.py",
        "supportdesk/auth/sso.py",
        "supportdesk/auth/two_factor.py",
        "supportdesk/auth/views.py",
        "supportdesk/console/away.py",
        "supportdesk/console/bulk.py",
        "supportdesk/console/composer.py",
        "supportdesk/console/customers.py",
        "supportdesk/console/exports.py",
        "supportdesk/console/forms.py",
        "supportdesk/console/kb.py",
        "supportdesk/console/kb_forms.py",
        "supportdesk/labels.py",
        "supportdesk/console/macros.py",
        "supportdesk/console/notifications.py",
        "supportdesk/console/reports.py",
        "supportdesk/console/saved_views.py",
        "supportdesk/console/ticket_delete.py",
        "supportdesk/console/ticket_merge.py",
        "supportdesk/console/tickets.py",
        "supportdesk/console/tokens.py",
    )
}

# Blueprints whose pages a customer reads: they speak the customer's language, not an agent's.
CUSTOMER_PAGES = ("portal", "help")

babel = Babel()


def init_app(app: Flask) -> None:
    """Bind Flask-Babel: catalogs from supportdesk/translations, the locale per request."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=console_locale)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals["ngettext"] = template_ngettext
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["language_date"] = language_date


@pass_context
def template_gettext(context: Context, string: str, **variables: Any) -> str:
    """`_()` and `gettext()` in templates: what Jinja's i18n extension with Flask-Babel's
    callables returns (newstyle: escaped when autoescaping, `%(name)s` filled from keywords),
    without its two indirections per call and without formatting a string that has nothing to
    format. A template loaded during a request has its constant strings translated when it
    compiles instead (supportdesk.templating): this serves the rest (`from_string`, variables)."""
    text = _page_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704  (the catalog's text; values below are escaped)
    if not variables and "%" not in text:
        return text  # what `text % {}` gives
    return text % variables


@pass_context
def template_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """`ngettext()` in templates, as template_gettext; `%(num)s` is the count."""
    variables.setdefault("num", num)
    text = _page_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704  (the catalog's text; values below are escaped)
    return text % variables


def _page_translations() -> Translations:
    # Flask-Babel's get_translations() walks its domain, directories and cache key on every
    # call; kept for the request, for as long as its locale stays the same (force_locale).
    # A page asks about 150 times: `g` is resolved once per call, and the locale is read where
    # Flask-Babel keeps it (get_locale's own first step), each proxy lookup being a few calls.
    try:
        context = g._get_current_object()
    except RuntimeError:  # no app context: Flask-Babel's own answer (no translation)
        return get_translations()
    babel = context.get("_flask_babel")
    locale = getattr(babel, "babel_locale", None) or get_locale()
    kept = context.get("page_translations")
    if kept is None or kept[0] is not locale:
        kept = context.page_translations = (locale, get_translations())
    return kept[1]


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's `gettext` through the page's catalog (`_page_translations`): the same
    text, `%(name)s` filled from keywords, `force_locale` followed."""
    text = _page_translations().ugettext(string)
    return text % variables if variables else text


class LazyString(BabelLazyString):
    """Flask-Babel's lazy string (a form's labels, choices and messages, translated when used),
    looked up in the page's catalog: Flask-Babel's own walks its domain, directories and cache
    key at every use, 32 times per render of a ticket page."""

    def __init__(self, string: str, variables: dict[str, Any]) -> None:
        super().__init__(gettext, string, **variables)

    def __str__(self) -> str:
        text = _page_translations().ugettext(self._args[0])
        return text % self._kwargs if self._kwargs else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """`gettext` when the string is used, not when it is made (import as `_l`, which
    `pybabel extract -k _l` finds): a form's labels are made at import, before any request."""
    return LazyString(string, variables)


def template_translations() -> tuple[str, Translations] | None:
    """The language a template loaded now is compiled for, and its catalog: the page's (what
    `template_gettext` would look up at render), in a request; None outside one, where the
    template's strings are looked up at render (supportdesk.templating)."""
    if not has_request_context():
        return None
    translations = _page_translations()
    return str(get_locale()), translations


def console_locale() -> str:
    """The signed-in agent's language; before sign-in, the browser's best supported one. The
    customer's pages (portal, help center) speak the customer's (customer_locale)."""
    from flask_login import current_user

    if request.blueprint in CUSTOMER_PAGES:
        return customer_locale()
    if current_user and current_user.is_authenticated:
        return supported(current_user.language) or DEFAULT
    return request_language() or DEFAULT


def customer_locale() -> str:
    """The portal's signed-in customer's language, else the one picked on the portal (its
    language links), else the browser's best supported one. The help center, cached for every
    visitor alike, goes by the browser's alone."""
    if request.blueprint == "portal" and g.get("portal_org") is not None:
        from supportdesk.portal.session import LANGUAGE_KEY, current_customer

        customer = current_customer()
        if customer is not None and supported(customer.language):
            return supported(customer.language)
        if supported(session.get(LANGUAGE_KEY)):
            return supported(session.get(LANGUAGE_KEY))
    return request_language() or DEFAULT


def request_language() -> str | None:
    """The supported language the browser asks for first (Accept-Language), if any."""
    if not has_request_context():
        return None
    return request.accept_languages.best_match(list(LANGUAGES))


def supported(code: str | None) -> str | None:
    """`code` ("de", "de-AT", "de_CH") as one of LANGUAGES, or None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def from_header(value: str | None) -> str | None:
    """The first supported language of a Content-Language or Accept-Language header value.

    'de-DE, en' → 'de'; 'fr;q=0.9, de;q=0.8' → 'de'; nothing we speak → None.
    """
    ranked = []
    for position, item in enumerate((value or "").split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if supported(tag) and quality > 0:
            ranked.append((-quality, position, supported(tag)))
    return min(ranked)[2] if ranked else None


def check(code: str | None) -> str | None:
    """A language a person chose: one of LANGUAGES, or empty for none (None)."""
    from supportdesk.errors import ValidationFailed

    if not code:
        return None
    if code not in LANGUAGES:
        raise ValidationFailed(
            "That language is not offered.",
            {"language": f"{code!r} is not one of {', '.join(LANGUAGES)}."},
        )
    return code


@functools.cache
def translations(code: str) -> Translations:
    """The compiled catalog of a language (English: the msgids themselves)."""
    return Translations.load(str(TRANSLATIONS), [supported(code) or DEFAULT], domain="messages")


def format_time(
    value: dt.datetime, zone: str, language: str, *, style: str = "datetime", named: bool = False
) -> str:
    """`value` as wall time in `zone`, in the date format of `language`: '02.03.2026, 10:10 CET'.

    English keeps the format of supportdesk.localtime ('02 Mar 2026, 10:10 CET'); other languages
    take the CLDR medium date and short time of Babel. style "date" gives the date alone, "time"
    the time alone; `named` adds the IANA zone name as mail does, for readers who live elsewhere.
    """
    from supportdesk.localtime import format_datetime

    code = supported(language) or DEFAULT
    if code == DEFAULT:
        return format_datetime(value, zone, style=style, named=named)
    local = value.astimezone(zoneinfo.ZoneInfo(zone))
    date = format_date(local.date(), "medium", locale=code)
    if style == "date":
        return date
    clock = format_clock(local.time(), "short", locale=code)
    text = f"{clock} {local.tzname()}" if style == "time" else f"{date}, {clock} {local.tzname()}"
    if named and local.tzname() != zone:
        text = f"{text} ({zone})"
    return text


def format_number(value: float, language: str) -> str:
    """A number as `language` writes it: 1,234.5 in English, 1.234,5 in German."""
    return format_decimal(value, locale=supported(language) or DEFAULT)


def page_language() -> str:
    """The language of the page being rendered (the <html lang> attribute)."""
    from flask_babel import get_locale

    if not has_request_context():
        return DEFAULT
    if "page_language" not in g:
        g.page_language = str(get_locale() or DEFAULT)
    return g.page_language


def language_date(value: dt.datetime | dt.date) -> str:
    """A date as the page's language writes it (CLDR medium: '05.03.2026' in German)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return format_date(day, "medium", locale=page_language())
