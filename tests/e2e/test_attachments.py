"""Files in the browser: pick one and drop another on a reply, see both listed on the message,
download one; paste an image into a note and see it shown in the conversation."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.attachments.images import PDF, PNG
from tests.e2e.conftest import Desk, start_session


@pytest.fixture
def mail_dir(desk: Desk, e2e_app, tmp_path: Path) -> Iterator[Path]:
    """This test's own mail folder (ids restart with every test's empty tables)."""
    saved = e2e_app.config["MAIL_DIR"]
    e2e_app.config["MAIL_DIR"] = str(tmp_path)
    yield tmp_path
    e2e_app.config["MAIL_DIR"] = saved


def _drop(page: Page, name: str, content: str, mime: str) -> None:
    """Drop a file on the composer as a file manager would (a real drop event with a File)."""
    page.evaluate(
        """([name, content, mime]) => {
            const form = document.querySelector(".composer form");
            const data = new DataTransfer();
            data.items.add(new File([content], name, {type: mime}));
            for (const type of ["dragenter", "dragover", "drop"]) {
                form.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
            }
        }""",
        [name, content, mime],
    )


def _paste_image(page: Page) -> None:
    """Paste a PNG from the clipboard into the composer's text."""
    page.evaluate(
        """(bytes) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], "image.png", {type: "image/png"}));
            document.querySelector(".composer textarea").dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        list(PNG),
    )


def test_an_agent_sends_two_files_and_downloads_one(page: Page, desk: Desk, mail_dir: Path) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Message").fill("The refund receipt and the booking log are attached.")
    page.get_by_label("Attach files").set_input_files(
        [{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _drop(page, "booking-log.txt", "booked\ncancelled\n", "text/plain")
    composer = page.locator(".composer")
    expect(composer.locator("[data-attach-list] li")).to_have_count(2)
    expect(composer.get_by_text("booking-log.txt")).to_be_visible()

    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()

    expect(page.get_by_text("Reply sent to the customer.")).to_be_visible()
    files = page.locator("article.message").last.get_by_role("list", name="Attachments")
    expect(files.get_by_role("link")).to_have_text(["receipt.pdf", "booking-log.txt"])
    with page.expect_download() as download:
        files.get_by_role("link", name="receipt.pdf").click()
    assert download.value.suggested_filename == "receipt.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    sent = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in mail_dir.glob("**/*.eml")
    ]
    reply = next(m for m in sent if m["Subject"].startswith("Re:"))
    assert [a.get_filename() for a in reply.iter_attachments()] == [
        "receipt.pdf",
        "booking-log.txt",
    ]


def test_an_agent_pastes_an_image_into_a_note(page: Page, desk: Desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Message").fill("What the customer sees:")

    _paste_image(page)

    expect(page.locator(".composer [data-attach-list]")).to_contain_text("pasted-image-1.png")
    page.get_by_role("radio", name="Internal note").check()
    page.get_by_role("button", name="Add internal note").click()
    expect(page.get_by_text("Internal note added.")).to_be_visible()
    image = page.locator("article.message").last.get_by_role("img", name="pasted-image-1.png")
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()  # the image loads lazily: once it is in view
    # Read its width once the browser has it (visible only means laid out, maybe still empty).
    width = image.evaluate("img => img.decode().then(() => img.naturalWidth, () => -1)")
    assert width == 1


def test_a_file_over_the_limit_is_refused_before_sending(page: Page, desk: Desk, e2e_app) -> None:
    saved = e2e_app.config["ATTACHMENT_MAX_FILE_BYTES"]
    e2e_app.config["ATTACHMENT_MAX_FILE_BYTES"] = 10
    try:
        start_session(page, desk.agent)
        page.goto(f"/tickets/{desk.ticket.number}")
        page.get_by_label("Message").fill("Kept text")
        page.get_by_label("Attach files").set_input_files(
            [{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        expect(page.locator("[data-attach-error]")).to_contain_text(
            "a file may be at most 10 bytes"
        )
        page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()
        expect(page.get_by_label("Message")).to_have_value("Kept text")  # nothing was sent
        expect(page.get_by_text("Reply sent to the customer.")).to_have_count(0)
    finally:
        e2e_app.config["ATTACHMENT_MAX_FILE_BYTES"] = saved
