"""Languages in a real browser: an agent switches the console to German on their account page;
an agent sets a customer's language, and that customer's next email is German."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from supportdesk.accounts.models import Role
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from tests.e2e.conftest import persist, screenshot, start_session


def test_an_agent_switches_the_console_to_german_and_back(page: Page, desk) -> None:
    start_session(page, desk.agent)
    page.goto("/account")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Save language").click()

    expect(page.get_by_text("Die Konsole spricht jetzt Deutsch.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Kunden")).to_be_visible()
    expect(nav.get_by_role("link", name="Tickets")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Ihr Konto", level=1)).to_be_visible()
    screenshot(page, "i18n-account-de.png", full_page=True)

    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Sprache speichern").click()
    expect(page.get_by_text("The console now speaks English.")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers")
    ).to_be_visible()


def test_the_sign_in_page_speaks_the_browser_s_language(browser, live_server) -> None:
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", name="Beim Helpdesk anmelden")).to_be_visible()
    expect(page.get_by_role("button", name="Anmelden")).to_be_visible()
    context.close()


def test_a_customer_set_to_german_gets_the_agent_s_reply_in_german(page: Page, desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/customers/{desk.customer.id}")
    page.get_by_label("Language of their mail").select_option("de")
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_text("Customer saved.")).to_be_visible()

    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Message").fill("Wir haben die Rechnung korrigiert.")
    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()
    expect(page.get_by_text("Wir haben die Rechnung korrigiert.").first).to_be_visible()

    db.session.rollback()  # see what the server's threads committed
    email = db.session.scalars(
        sa.select(EmailMessage)
        .where(EmailMessage.to_address == desk.customer.email, EmailMessage.kind == "agent_replied")
        .order_by(EmailMessage.id.desc())
    ).first()
    assert "Bitte lassen Sie" in email.text_body
    assert '<html lang="de">' in email.html_body


def test_a_german_visitor_reads_the_help_center_and_the_portal_in_german(
    browser, live_server, desk, monkeypatch
) -> None:
    """Accept-Language de: the help center, the portal's sign-in page and the contact form speak
    German, and the customer the contact form creates keeps German for their mail."""
    monkeypatch.setitem(live_server.app.config, "CONTACT_MIN_SECONDS", 0)
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()

    page.goto(f"/help/{desk.org.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Wie können wir helfen?")).to_be_visible()
    expect(page.get_by_role("button", name="Suchen")).to_be_visible()
    expect(page.get_by_text("Es gibt noch keine Artikel.")).to_be_visible()
    screenshot(page, "i18n-help-de.png", full_page=True)

    page.goto(f"/help/{desk.org.slug}/portal/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Ihre Anfragen verfolgen")).to_be_visible()
    expect(page.get_by_role("button", name="Anmeldelink per E-Mail senden")).to_be_visible()
    screenshot(page, "i18n-portal-de.png", full_page=True)

    page.get_by_role("link", name="Neue Anfrage").click()
    page.get_by_label("Ihr Name").fill("Jonas Becker")
    page.get_by_label("E-Mail").fill("jonas@kunde.example")
    page.get_by_label("Betreff").fill("Rechnungsadresse falsch")
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.get_by_text("Dieses Feld wird benötigt.")).to_be_visible()
    page.get_by_label("Wie können wir helfen?").fill("Bitte ändern Sie die Adresse auf Köln.")
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.get_by_text("Vielen Dank! Wir haben Ihre Anfrage erhalten")).to_be_visible()
    context.close()

    db.session.rollback()  # see what the server's threads committed
    customer = db.session.scalars(
        sa.select(Customer).where(Customer.email == "jonas@kunde.example")
    ).one()
    assert customer.language == "de"
    email = db.session.scalars(
        sa.select(EmailMessage).where(
            EmailMessage.to_address == "jonas@kunde.example",
            EmailMessage.kind == "ticket_acknowledged",
        )
    ).one()
    assert "Ihre Anfrage ist eingegangen" in email.subject


def test_a_visitor_switches_the_portal_to_german_in_the_footer(page: Page, desk) -> None:
    page.goto(f"/help/{desk.org.slug}/portal/contact")
    expect(page.get_by_role("heading", name="Contact Acme Support")).to_be_visible()
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Kontakt zu Acme Support")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot(page, "i18n-portal-contact-de.png", full_page=True)
    page.get_by_role("link", name="Neue Anfrage").click()
    expect(page.get_by_label("Ihr Name")).to_be_visible()  # the choice stays for the visit
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Contact Acme Support")).to_be_visible()


def test_an_agent_who_picks_german_works_the_queue_and_a_ticket_in_german(page: Page, desk) -> None:
    start_session(page, desk.agent)
    page.goto("/account")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Save language").click()
    expect(page.get_by_text("Die Konsole spricht jetzt Deutsch.")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("complementary", name="Warteschlangen")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Betreff")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Priorität")).to_be_visible()
    expect(page.get_by_text("1 Ticket in dieser Warteschlange")).to_be_visible()
    expect(page.locator("td.col-status .badge").first).to_have_text("Offen")
    screenshot(page, "i18n-queue-de.png", full_page=True)

    page.get_by_role("link", name=desk.ticket.subject).click()
    expect(page.get_by_role("heading", name="Verlauf")).to_be_visible()
    expect(page.get_by_role("heading", name="Details")).to_be_visible()
    expect(page.get_by_role("button", name="Änderungen speichern")).to_be_visible()
    expect(page.get_by_role("heading", name="Antwort an Aisha Bianchi")).to_be_visible()
    page.get_by_label("Nachricht").fill("Wir haben die Rechnung korrigiert.")
    page.get_by_role("button", name="Antwort an Aisha Bianchi senden", exact=True).click()
    expect(page.get_by_text("Wir haben die Rechnung korrigiert.").first).to_be_visible()
    expect(page.get_by_text("hat dem Kunden geantwortet").first).to_be_visible()
    # The state of the mail each message sent, in German too (not the stored "sent").
    expect(page.locator(".mail-badge").first).to_have_text(
        re.compile(r"^E-Mail an aisha\.bianchi@\S+: (eingereiht|gesendet|zurückgestellt)$")
    )
    screenshot(page, "i18n-ticket-de.png", full_page=True)


def test_a_german_agent_reads_the_console_scripts_words_in_german(
    page: Page, desk, e2e_app, monkeypatch
) -> None:
    """What the scripts write into the page (bulk count, article suggestions, canned replies,
    draft and preview lines, the file check, the shortcuts) comes from the template, in German."""
    monkeypatch.setitem(e2e_app.config, "ATTACHMENT_MAX_FILE_BYTES", 10)
    desk.agent.language = "de"
    persist()
    start_session(page, desk.agent)

    page.goto("/")
    page.locator("input[data-bulk-row]").first.check()
    expect(page.locator("[data-bulk-count]")).to_have_text("1 Ticket auf dieser Seite ausgewählt")

    page.goto(f"/tickets/{desk.ticket.number}")
    suggestions = page.locator("[data-kb-suggest]")
    expect(suggestions.locator("[data-kb-suggest-status]")).to_have_text(
        "Kein Artikel scheint zu diesem Ticket zu passen. Suchen Sie oben."
    )
    suggestions.get_by_role("searchbox").fill("Rückerstattung")
    suggestions.get_by_role("button", name="Suchen").click()
    expect(suggestions.locator("[data-kb-suggest-status]")).to_have_text(
        "Kein veröffentlichter Artikel passt zu „Rückerstattung“."
    )

    message = page.get_by_label("Nachricht")
    message.fill("Wir prüfen das #xyz")
    expect(page.locator(".canned-list + p")).to_have_text("Kein Textbaustein passt.")
    expect(page.locator("[data-composer-status]")).to_have_text("Entwurf gespeichert")

    page.get_by_label("Dateien anhängen").set_input_files(
        [{"name": "beleg.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 twelve"}]
    )
    expect(page.locator("[data-attach-error]")).to_have_text(
        "beleg.pdf ist 15 Bytes groß; eine Datei darf höchstens 10 Bytes groß sein."
    )
    expect(page.get_by_role("button", name="beleg.pdf entfernen")).to_be_visible()

    message.fill("")
    page.get_by_role("tab", name="Vorschau").click()
    expect(page.locator("[data-composer-preview]")).to_have_text("Nichts für die Vorschau.")

    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Tastenkürzel")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Nächstes Ticket in der Warteschlange")
    expect(dialog).to_contain_text("Strg+Enter")
    screenshot(dialog, "i18n-shortcuts-de.png")
    dialog.get_by_role("button", name="Schließen").click()
    expect(dialog).to_be_hidden()


def test_a_german_agent_sees_a_colleague_typing_in_german(
    page: Page, browser, browser_context_args: dict, desk
) -> None:
    desk.agent.language = "de"
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.wait_for_load_state("load")
    context = browser.new_context(**browser_context_args)
    try:
        colleague = context.new_page()
        start_session(colleague, desk.senior)
        colleague.goto(f"/tickets/{desk.ticket.number}")
        colleague.wait_for_load_state("load")
        presence = page.locator("[data-presence]")
        expect(presence).to_contain_text("Auch hier:", timeout=15000)  # then the avatar, the name
        colleague.get_by_label("Message").fill("Ich sehe mir die Buchung an")
        expect(presence).to_contain_text(f"{desk.senior.name} schreibt eine Antwort", timeout=10000)
    finally:
        context.close()


def test_a_german_admin_picks_a_role_by_its_german_name_and_the_right_one_is_saved(
    page: Page, desk
) -> None:
    """The role select (supportdesk.labels.choices) shows German names and posts the values."""
    desk.admin.language = "de"
    persist()
    start_session(page, desk.admin)
    page.goto(f"/admin/agents/{desk.viewer.id}")
    role = page.get_by_label("Rolle")
    expect(role.locator("option")).to_have_text(["Admin", "Senior-Agent", "Agent", "Betrachter"])
    expect(role.locator("option:checked")).to_have_text("Betrachter")
    role.select_option(label="Senior-Agent")
    page.get_by_role("button", name="Agent speichern").click()
    expect(page.get_by_text("Agent gespeichert.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Vic Viewer"))).to_contain_text("Senior-Agent")

    db.session.expire_all()
    assert desk.viewer.role is Role.SENIOR_AGENT


def test_a_german_admin_adds_a_field_by_its_german_type_and_the_right_type_is_saved(
    page: Page, desk
) -> None:
    """The field form's type select (supportdesk.labels.choices) shows German names and posts
    the values."""
    from supportdesk.fields.models import FieldType
    from supportdesk.fields.queries import list_fields

    desk.admin.language = "de"
    persist()
    start_session(page, desk.admin)
    page.goto("/admin/fields/new")
    kind = page.get_by_label("Typ")
    expect(kind.locator("option")).to_have_text(
        ["Text", "Nummer", "Datum", "Einfachauswahl", "Mehrfachauswahl", "Kontrollkästchen"]
    )
    page.get_by_label("Bezeichnung").fill("Produkte")
    page.get_by_label("Schlüssel").fill("produkte")
    kind.select_option(label="Mehrfachauswahl")
    page.get_by_label("Optionen (Auswahlfelder)").fill("Flüge\nHotels")
    page.get_by_role("button", name="Feld hinzufügen").click()
    expect(page.get_by_role("cell", name="Mehrfachauswahl")).to_be_visible()

    db.session.expire_all()
    [field] = list_fields(desk.org.id)
    assert (field.key, field.type) == ("produkte", FieldType.MULTISELECT)
