"""Attachments on replies, notes and new tickets: limits, names and types, storage, moving old rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.service import Limits, Upload, check
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.storage import storage
from supportdesk.tickets import service
from supportdesk.tickets.models import Message
from tests.attachments.images import HTML, PDF, PNG, SVG

pytestmark = pytest.mark.integration

LIMITS = Limits(per_file=100, per_message=250, files=3)


def _files(*sizes: int, inline: bool = False) -> list[Upload]:
    return [
        Upload(f"f{i}.bin", "application/octet-stream", b"x" * s, inline)
        for i, s in enumerate(sizes)
    ]


@pytest.mark.parametrize(
    ("uploads", "refusal"),
    [
        pytest.param(_files(100, 100), None, id="at-the-limits"),
        pytest.param(_files(101), "a file may be at most", id="one-file-too-large"),
        pytest.param(_files(100, 100, 51), "one message may carry at most", id="total-too-large"),
        pytest.param(_files(1, 1, 1, 1), "at most 3 files", id="too-many-files"),
        pytest.param(_files(0), "is empty", id="empty-file"),
        pytest.param([Upload("", "", b"")], None, id="empty-input-ignored"),
        pytest.param([Upload("shot.png", "image/png", PNG, inline=True)], None, id="pasted-png"),
    ],
)
def test_the_limits_per_file_and_per_message(app, uploads, refusal):
    if refusal is None:
        check(uploads, LIMITS)
        return
    with pytest.raises(ValidationFailed) as refused:
        check(uploads, LIMITS)
    assert refusal in refused.value.fields["attachments"]
    assert "Choose the files again" in refused.value.fields["attachments"]


@pytest.mark.parametrize(
    ("upload", "name", "content_type"),
    [
        pytest.param(Upload("../../etc/passwd", "text/plain", b"x"), "passwd", "text/plain", id="path"),
        pytest.param(Upload("a\r\nb.txt", "text/plain", b"x"), "a b.txt", "text/plain", id="crlf"),
        pytest.param(Upload("logo.svg", "image/svg+xml", SVG), "logo.svg", "image/svg+xml", id="svg"),
        pytest.param(
            Upload("fake.png", "image/png", HTML), "fake.png", "application/octet-stream",
            id="html-posing-as-png",
        ),
        pytest.param(Upload("x.pdf", "not a type", PDF), "x.pdf", "application/pdf", id="bad-type"),
        pytest.param(Upload("...", "image/png", PNG), "attachment-1.png", "image/png", id="no-name"),
    ],
)  # fmt: skip
def test_names_and_types_are_cleaned(app, upload, name, content_type):
    (cleaned,) = check([upload], LIMITS)
    assert (cleaned.filename, cleaned.content_type) == (name, content_type)


def test_a_reply_keeps_its_files_in_the_storage_and_the_same_file_once(app, agent, ticket):
    first = service.reply(agent, ticket, "Here it is", [Upload("a.pdf", "application/pdf", PDF)])
    second = service.add_note(agent, ticket, "Same file", [Upload("b.pdf", "application/pdf", PDF)])

    rows = db.session.scalars(
        sa.select(Attachment).where(Attachment.message_id.in_([first.id, second.id]))
    ).all()
    assert [r.filename for r in rows] == ["a.pdf", "b.pdf"]
    assert rows[0].storage_key == rows[1].storage_key  # one stored file, two rows
    assert storage().read(rows[0].storage_key) == PDF
    assert all(r.data is None and r.size == len(PDF) for r in rows)


@pytest.mark.parametrize(
    ("upload", "inline"),
    [
        pytest.param(Upload("p.png", "image/png", PNG, inline=True), True, id="png"),
        pytest.param(Upload("p.svg", "image/svg+xml", SVG, inline=True), False, id="svg-attached"),
        pytest.param(Upload("p.png", "image/png", HTML, inline=True), False, id="html-as-png"),
        pytest.param(Upload("p.pdf", "application/pdf", PDF, inline=True), False, id="pdf"),
    ],
)
def test_only_safe_images_are_shown_inline_the_rest_is_attached(app, upload, inline):
    (cleaned,) = check([upload], LIMITS if upload.data is PNG else Limits(10**6, 10**6, 3))
    assert cleaned.inline is inline


def test_a_pasted_image_gets_a_content_id(app, agent, ticket):
    message = service.reply(agent, ticket, "See", [Upload("p.png", "image/png", PNG, inline=True)])

    (row,) = db.session.scalars(sa.select(Attachment).where(Attachment.message_id == message.id))
    assert row.inline and row.content_id.endswith("@" + app.config["MAIL_DOMAIN"])


def test_refused_files_save_nothing(app, agent, ticket, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_FILE_BYTES", 10)
    db.session.commit()
    count = sa.select(sa.func.count()).select_from(Message).where(Message.ticket_id == ticket.id)
    before = db.session.scalar(count)

    with pytest.raises(ValidationFailed):
        service.reply(agent, ticket, "Too big", [Upload("a.pdf", "application/pdf", PDF)])

    db.session.rollback()
    assert db.session.scalar(count) == before


def test_a_new_ticket_carries_the_agents_files_on_its_first_message(app, org, agent):
    ticket = service.open_ticket(
        org.id, actor=agent, customer_email="walkin@example.com", subject="Printer", body="Jams",
        attachments=[Upload("photo.png", "image/png", PNG)],
    )  # fmt: skip

    (row,) = db.session.scalars(
        sa.select(Attachment).join(Message).where(Message.ticket_id == ticket.id)
    )
    assert (row.filename, row.content_type, row.content_id) == ("photo.png", "image/png", None)


def test_move_to_storage_moves_old_rows_and_keeps_them_readable(app, agent, ticket):
    message = service.add_note(agent, ticket, "Old file")
    old = [
        Attachment(
            organization_id=ticket.organization_id, message_id=message.id,
            filename=f"old-{i}.txt", content_type="text/plain", size=6, data=f"old {i}\n".encode(),
        )
        for i in range(3)
    ]  # fmt: skip
    db.session.add_all(old)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["attachments", "move-to-storage", "--batch", "2"])

    assert result.exit_code == 0, result.output
    assert "Moved 3 attachments" in result.output and "Moving attachments" in result.output
    for i, row in enumerate(old):
        db.session.refresh(row)
        assert row.data is None and storage().read(row.storage_key) == f"old {i}\n".encode()
    again = app.test_cli_runner().invoke(args=["attachments", "move-to-storage"])
    assert "Nothing to move" in again.output
