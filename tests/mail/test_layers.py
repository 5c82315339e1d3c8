"""Who may import whom around mail: read from the source, so a new import that breaks it fails.

identity is the bottom (what is ours); inbound and outbound build on it and not on each other,
except that a delivery report names an email we sent (mail.outbound.sent). Accounts and the
domains that cause mail (tickets, SLA, webhooks) import no mail code: they record events, and
mail.rules decides what is sent.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import supportdesk

ROOT = Path(supportdesk.__file__).resolve().parent


def _imports(package: str) -> set[str]:
    """Every module the package's source imports (at any depth, lazy imports included)."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def _under(modules: set[str], prefix: str) -> set[str]:
    return {m for m in modules if m == prefix or m.startswith(prefix + ".")}


@pytest.mark.parametrize(
    ("package", "forbidden", "allowed"),
    [
        pytest.param("mail/identity", "supportdesk.mail.inbound", set(), id="identity-not-inbound"),
        pytest.param(
            "mail/identity", "supportdesk.mail.outbound", set(), id="identity-not-outbound"
        ),
        pytest.param("mail/outbound", "supportdesk.mail.inbound", set(), id="outbound-not-inbound"),
        pytest.param(
            "mail/inbound",
            "supportdesk.mail.outbound",
            {
                "supportdesk.mail.outbound.sent",
                "supportdesk.mail.outbound.sent.sent_emails",
            },
            id="inbound-only-reads-what-we-sent",
        ),
        pytest.param("accounts", "supportdesk.mail", set(), id="accounts-not-mail"),
        pytest.param(
            "tickets",
            "supportdesk.mail",
            # The ticket page's statement asks whether a message has inbound mail and the ticket
            # outbound mail (EXISTS probes, read-only); nothing in tickets sends or routes mail.
            {
                "supportdesk.mail.inbound.queries",
                "supportdesk.mail.inbound.queries.mail_exists",
                "supportdesk.mail.outbound.queries",
                "supportdesk.mail.outbound.queries.badges_exist",
            },
            id="tickets-reads-only-mail-queries",
        ),
        pytest.param("sla", "supportdesk.mail", set(), id="sla-not-mail"),
        pytest.param("webhooks", "supportdesk.mail", set(), id="webhooks-not-mail"),
        pytest.param("attachments", "supportdesk.mail", set(), id="attachments-not-mail"),
        # The storage is a platform piece exports and archives reuse: it knows no domain.
        pytest.param("storage", "supportdesk.attachments", set(), id="storage-not-attachments"),
        pytest.param("storage", "supportdesk.tickets", set(), id="storage-not-tickets"),
    ],
)
def test_the_import_graph(package, forbidden, allowed):
    assert _under(_imports(package), forbidden) - allowed == set()


def test_the_graph_check_sees_a_real_import():
    # The check itself can fail: inbound does import identity (ownership, signing).
    assert _under(_imports("mail/inbound"), "supportdesk.mail.identity")
