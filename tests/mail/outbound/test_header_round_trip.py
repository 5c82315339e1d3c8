"""Subjects and display names arrive exactly as written, through a real SMTP server.

The table is generated here, deterministically (a seeded generator over phrases in several
scripts): accents, €, CJK, emoji, long subjects and mixtures, several hundred in all.
"""

from __future__ import annotations

import random

import pytest

from supportdesk.extensions import db
from supportdesk.mail.outbound import headers, transport
from supportdesk.mail.outbound.compose import build_mime
from supportdesk.mail.outbound.service import sender_name, settings_for
from tests.mail.helpers import make_email

pytestmark = pytest.mark.integration

PHRASES = [
    "Rechnung über 1.200 €",
    "Zahlung fällig",
    "Facture n° 2024-118 : écart de 45,90 €",
    "Problème d'accès à l'espace client",
    "Señal débil en la oficina",
    "Devolução do pedido nº 5531",
    "Łódź – dostawa opóźniona",
    "Ошибка при входе в систему",
    "Διαγραφή λογαριασμού",
    "注文番号 A-1182 の配送について",
    "请帮忙重置密码",
    "비밀번호 재설정 요청",
    "ใบแจ้งหนี้ผิดพลาด",
    "חשבונית שגויה",
    "فاتورة غير صحيحة",
    "Invoice shows the wrong VAT rate",
    "Cannot sign in",
    "Export times out after 30 s",
    "🚀 Launch day: everything is broken 🔥",
    "Thanks! 🙏🏽",
    "Family plan 👨‍👩‍👧‍👦 billing",
    "½ price offer not applied",
    "Café “Zur Post” – Bestellung",
    "Re: Aw: WG: Ihre Anfrage",
    "Preis: 99,00 € (inkl. MwSt.)",
    "Größenänderung — bitte prüfen",
    "naïve résumé façade coöperation",
    "Ürün iadesi hakkında",
    "Tiếng Việt có dấu",
    "Ελληνικά και English mixed",
]
NAMES = [
    "Inès Duarte",
    "Jürgen Groß",
    "山田 太郎",
    "Zoë O'Brien",
    "Ana María Núñez-Fernández",
    "Support Team (Acme, Inc.)",
    "Олег Петров",
    "李小龙",
    "🦄 Unicorn Ops",
    "Jane Doe",
]


def realistic_subjects(count: int = 400, seed: int = 144156) -> list[str]:
    """`count` distinct subjects: one to nine phrases joined the way people write them, some numbered."""
    rng = random.Random(seed)
    subjects: dict[str, None] = {}
    joiners = [" ", " – ", ": ", " / ", ", "]
    while len(subjects) < count:
        parts = rng.sample(PHRASES, rng.randint(1, 9 if len(subjects) % 7 == 0 else 2))
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(joiners) + part
        if rng.random() < 0.5:
            text = f"[#{rng.randint(1, 99999)}] {text}"
        subjects[text[: rng.choice([60, 120, 400])].strip()] = None
    return list(subjects)


SUBJECTS = realistic_subjects()


def test_the_table_is_large_and_varied():
    assert len(set(SUBJECTS)) == len(SUBJECTS) == 400
    assert sum(not s.isascii() for s in SUBJECTS) >= 300
    assert any(len(s) > 150 for s in SUBJECTS)
    assert any("€" in s for s in SUBJECTS) and any("👨‍👩‍👧‍👦" in s for s in SUBJECTS)


def test_every_subject_and_name_survives_a_real_smtp_server(app, org, smtp):
    emails = []
    for index, subject in enumerate(SUBJECTS):
        name = NAMES[index % len(NAMES)]
        emails.append(make_email(org, subject=subject, to_name=name))
    db.session.commit()
    org.name = "Société Générale Support Ünïcode"
    sender = sender_name(org, settings_for(org.id))
    server = transport.SmtpServer.from_url(smtp.url)
    for email in emails:
        message = build_mime(email, sender)
        result = transport.send_smtp(server, "primary", message, "support@x.example", 10)
        assert result.code == 250, result.reply

    received = {int(m["X-Supportdesk-Email"]): m for m in smtp.mailbox.messages}
    wrong = []
    for email in emails:
        got = received[email.id]
        if (str(got["Subject"]), got["To"].addresses[0].display_name) != (
            email.subject,
            email.to_name,
        ):
            wrong.append((email.subject, str(got["Subject"])))
        assert got["From"].addresses[0].display_name == sender
    assert wrong == [], f"{len(wrong)} of {len(emails)} subjects changed, e.g. {wrong[:3]}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("Subject", "Hello", id="short-ascii"),
        pytest.param("Subject", "word " * 40, id="long-ascii"),
        pytest.param("Subject", "x" * 120, id="unbreakable-ascii"),
        pytest.param("Subject", "1.200 € " * 20, id="long-euro"),
        pytest.param("Subject", "注文番号" * 30, id="long-cjk"),
        pytest.param("Subject", "=?utf-8?q?not-a-word?=", id="looks-encoded"),
        pytest.param("Subject", "two  spaces", id="double-space"),
    ],
)
def test_folded_lines_stay_within_76_characters_and_decode_to_the_text(name, text):
    from email import message_from_bytes, policy

    value = headers.unstructured(name, text.strip() if "spaces" not in text else text)
    lines = f"{name}: {value}".split("\n")
    assert all(len(line) <= headers.MAX_LINE for line in lines)
    raw = f"{name}: {value}\n\nbody\n".encode()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert str(parsed[name]) == (text.strip() if "spaces" not in text else text)


@pytest.mark.parametrize(
    "display_name",
    [
        *NAMES,
        "A" * 120,
        "Ü" * 120,
        ("Société Générale Support Ünïcode " * 5).strip(),
        ("Support Team (Acme, Inc.) " * 4).strip(),
        'Quote " and \\ backslash',
        "",
    ],
)
def test_display_names_decode_to_the_name(display_name):
    """Names come through compose.one_line (single spaces), so those are the names to keep."""
    from email import message_from_bytes, policy

    value = headers.address("To", display_name, "someone@example.com")
    assert all(len(line) <= 998 for line in f"To: {value}".split("\n"))
    parsed = message_from_bytes(f"To: {value}\n\nbody\n".encode(), policy=policy.default)
    mailbox = parsed["To"].addresses[0]
    assert (mailbox.display_name, mailbox.addr_spec) == (display_name, "someone@example.com")
