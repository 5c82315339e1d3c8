"""The console's scripts hold no sentences: what they show comes from data-text-* attributes
that the page's template wrote with _() (static/js/app.js, `supportdesk.words`), so it speaks
the page's language."""

from __future__ import annotations

import re

import pytest

from supportdesk import i18n

pytestmark = pytest.mark.unit

SCRIPTS = sorted((i18n.ROOT / "static" / "js").glob("*.js"))
COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\])//[^\n]*", re.S)
LITERAL = r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
# Where a literal would be read by a person: shown text, a tooltip or label, a dialog box.
SHOWN = re.compile(
    r"(?:textContent|innerText|title|placeholder)\s*=\s*(" + LITERAL + ")"
    r"|setAttribute\(\s*[\"'](?:aria-label|title|placeholder|alt)[\"']\s*,\s*(" + LITERAL + ")"
    r"|(?:confirm|alert|prompt|createTextNode)\(\s*(" + LITERAL + ")"
)
TWO_WORDS = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")
SELECTOR = re.compile(r"[\[\]=>]|[.#:][A-Za-z]")  # a period or colon in a sentence ends a word
TAG = re.compile(r"<[^>]*>")
CLASS_LIST = re.compile(r"^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)*$")
SENTENCE_END = re.compile(r"^[A-Z][a-z]+.*[.…:!?]$")


def _sentences(source: str) -> list[str]:
    """The string literals of a script that read as words for a person (comments aside)."""
    code = COMMENT.sub("", source)
    found = []
    for match in re.finditer(LITERAL, code):
        raw = match.group()[1:-1]
        text = TAG.sub(" ", raw).strip()  # the words of a piece of HTML
        if SELECTOR.search(text) or CLASS_LIST.match(raw):
            continue
        if TWO_WORDS.search(text) or SENTENCE_END.match(text):
            found.append(text)
    for match in SHOWN.finditer(code):
        text = next(g for g in match.groups() if g is not None)[1:-1].strip()
        if re.search(r"[A-Za-z]", text) and text not in found:
            found.append(text)
    return found


def test_the_check_finds_the_sentences_a_script_used_to_hold():
    source = """
      /* "Insert link" in a comment is no sentence */
      var rows = document.querySelectorAll("table.tickets tbody tr");
      el.className = "button button-small";
      say("Draft saved");
      showNotice("This ticket was just deleted.");
      preview.innerHTML = "<p class=\\"muted\\">Nothing to preview.</p>";
      preview.textContent = "Rendering…";
      badge.textContent = "shared";
      remove.setAttribute("aria-label", "Remove " + name);
      bar.appendChild(document.createTextNode("Also here: "));
      if (event.key === "Escape") { status.textContent = ""; }
    """
    assert sorted(_sentences(source)) == [
        "Also here:",
        "Draft saved",
        "Nothing to preview.",
        "Remove",
        "Rendering…",
        "This ticket was just deleted.",
        "shared",
    ]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_script_holds_no_sentence(script):
    found = _sentences(script.read_text(encoding="utf-8"))
    assert not found, f"Give these to the widget's element in its template (data-text-*): {found}"
