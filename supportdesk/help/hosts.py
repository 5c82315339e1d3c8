"""Routing of an organization's own host name (supportdesk.kb.hosts holds the name's rules).

A request whose Host is an organization's help host is routed as if its path were under
/help/<slug>/ (`/articles/x` is the help center's article x, `/portal/` its portal), and every
address built while answering it loses that prefix again, so its links stay on the host. Only
the help center, the portal and static files answer there: any other path is a 404, so the
console, the API and their sign-in never run on a host the organization controls (their session
cookies are host-only: a browser never sends them to another host). Addresses of other pages
built there (an error page's links) point at SUPPORTDESK_BASE_URL.

The host is looked up once per request (a unique index), only for names that could be a help
host (see `could_be_help_host`): requests to the app's own host cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import NotFound
from werkzeug.routing import MapAdapter, RequestRedirect

from supportdesk.accounts.models import Organization
from supportdesk.extensions import db
from supportdesk.kb.hosts import could_be_help_host, prefix, without_prefix

SERVED = ("help.", "portal.")  # endpoint prefixes a help host answers (and static files)


@dataclass(frozen=True)
class HelpSite:
    """The organization whose own host name this request came to."""

    host: str
    org_slug: str


class HelpHostAdapter(MapAdapter):
    """A request's URL adapter that routes and builds for a help host (see the module)."""

    site: HelpSite | None = None
    _resolved = False

    @classmethod
    def of(cls, adapter: MapAdapter) -> HelpHostAdapter:
        """The same binding (map, host, script name, scheme, path) as this adapter."""
        return cls(
            adapter.map, adapter.server_name, adapter.script_name, adapter.subdomain,
            adapter.url_scheme, adapter.path_info, adapter.default_method, adapter.query_args,
        )  # fmt: skip

    def _resolve(self) -> None:
        # Called by the request's own match, inside its app context (the session is there).
        self._resolved = True
        host = self.server_name.rpartition(":")[0] or self.server_name
        if host.endswith("]"):  # an IPv6 literal without a port
            host = self.server_name
        static = (current_app.static_url_path or "/static") + "/"
        if not could_be_help_host(host) or self.path_info.startswith(static):
            return
        slug = db.session.scalar(sa.select(Organization.slug).where(Organization.help_host == host))
        if slug is None:
            return
        self.site = HelpSite(host, slug)
        self.path_info = prefix(slug) + "/" + self.path_info.lstrip("/")

    def match(
        self, path_info=None, method=None, return_rule=False, query_args=None, websocket=None
    ):
        """Route the request (on a help host: under its organization's prefix, and only there)."""
        if path_info is None and not self._resolved:
            self._resolve()
        try:
            found, values = super().match(path_info, method, return_rule, query_args, websocket)
        except RequestRedirect as redirect:  # e.g. /portal → /portal/: stay on the help host
            if self.site is not None:
                redirect.new_url = self._on_site(redirect.new_url)
            raise
        endpoint = found.endpoint if return_rule else found
        if self.site is not None and endpoint != "static" and not endpoint.startswith(SERVED):
            raise NotFound()
        return found, values

    def build(self, endpoint, values=None, method=None, force_external=False,
              append_unknown=True, url_scheme=None) -> str:  # fmt: skip
        """An address of `endpoint`; on a help host, one that stays on it where it can."""
        url = super().build(endpoint, values, method, force_external, append_unknown, url_scheme)
        return url if self.site is None else self._on_site(url)

    def _on_site(self, url: str) -> str:
        parts = urlsplit(url)
        own = without_prefix(parts.path, self.site.org_slug)
        if own is not None:
            return urlunsplit(parts._replace(path=own))
        if parts.path.startswith((current_app.static_url_path or "/static") + "/"):
            return url
        base = urlsplit(current_app.config["BASE_URL"])
        return urlunsplit(parts._replace(scheme=base.scheme, netloc=base.netloc))
