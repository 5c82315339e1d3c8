"""Every page of the console, admin and sign-in, found from the app's routes, opened on a desk
populated enough that each page has something to show (site_data.py).

A new GET route in one of the page blueprints is a new page: the layout and accessibility tests
pick it up from `app.url_map`. A route whose path needs an id nobody filled fails with the name
of the argument to add to `populate()`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule

from supportdesk import create_app
from tests.e2e.pages.site_data import Site

# The blueprints whose GET routes are pages a person reads, and the few other pages.
PAGE_BLUEPRINTS = ("console", "admin", "auth")
OTHER_PAGES = ("api.docs_page",)
# GET routes in those blueprints that are not pages, and why.
NOT_PAGES = {
    "console.live_stream": "the console's event stream (text/event-stream, tests/live)",
    "console.presence_list": "JSON of who is on which tickets, for the queue's avatars",
    "admin.privacy_export_download": "a zip download (tests/e2e/test_privacy.py)",
    "console.attachment_download": "a file download",
    "admin.mail_html": "an email's own HTML, shown in the mail page's sandboxed frame",
    "console.canned_reply_search": "JSON for the composer's # list (tests/e2e/test_macros.py)",
    "console.mentionable_list": "JSON for the note composer's @ autocomplete",
    "admin.audit_export": "a CSV download",
    "auth.sso_start": "a redirect to the organization's identity provider",
    "auth.sso_callback": "the identity provider's redirect back (tests/e2e/test_sso.py)",
    "console.kb_ticket_articles": "JSON for the composer's article suggestions (tests/e2e/test_kb.py)",
    "console.export_download": "an export's file, a download",
    "admin.crm_salesforce_callback": "Salesforce's redirect back (tests/e2e/test_crm.py)",
}
# Pages a signed-in agent is sent away from.
SIGNED_OUT_PAGES = frozenset({"auth.login", "auth.sso_entry"})


@functools.cache
def _route_map_app() -> Flask:
    """An app built only to read its routes (nothing connects to its database)."""
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "routes"})


@dataclass(frozen=True)
class SitePage:
    """One page to open: a GET route (its ids filled from the desk), or a fixed path."""

    name: str
    endpoint: str
    rule: Rule | None = None
    fixed_path: str | None = None

    @property
    def signed_out(self) -> bool:
        """Opened without signing in (a signed-in agent is sent away from it)."""
        return self.endpoint in SIGNED_OUT_PAGES

    def path(self, site: Site) -> str:
        """The path to open, with the route's ids filled in from the populated desk."""
        if self.rule is None:
            return self.fixed_path
        needed = self.rule.arguments - set(self.rule.defaults or {})
        missing = sorted(needed - set(site.ids))
        assert not missing, f"{self.rule.rule}: add an id for {missing} to tests/e2e/site.py"
        values = {**(self.rule.defaults or {}), **{name: site.ids[name] for name in needed}}
        return _route_map_app().url_map.bind("localhost").build(self.endpoint, values)


def pages() -> list[SitePage]:
    """Every GET route that renders a page, in path order, then the error page."""
    found = []
    for rule in _route_map_app().url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        is_page = blueprint in PAGE_BLUEPRINTS or rule.endpoint in OTHER_PAGES
        if "GET" in rule.methods and is_page and rule.endpoint not in NOT_PAGES:
            found.append(SitePage(rule.rule, rule.endpoint, rule=rule))
    found.sort(key=lambda page: page.name)
    return [*found, SitePage("not-found", "errors.not_found", fixed_path="/tickets/999999")]


def by_endpoint(endpoint: str) -> SitePage:
    """The page of `endpoint` (its first route when it has several)."""
    return next(page for page in pages() if page.endpoint == endpoint)
