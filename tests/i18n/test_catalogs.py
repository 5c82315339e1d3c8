"""Catalogs: a language marked complete has every string of its files translated, and the
committed .mo files say what the .po files say."""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from supportdesk import i18n

pytestmark = pytest.mark.unit

KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _catalog(language: str):
    path = i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=language)


def _strings(path) -> list[str]:
    """The msgids a file marks for translation (Python or Jinja, as babel.cfg extracts them)."""
    method = "python" if path.suffix == ".py" else "jinja2"
    found = extract_from_file(method, str(path), keywords=KEYWORDS)
    return [m[1] if isinstance(m[1], str) else m[1][0] for m in found]


def _complete_files(language: str):
    files = sorted({p for glob in i18n.COMPLETE[language] for p in i18n.ROOT.glob(glob)})
    assert files, f"{language}: COMPLETE names no existing file"
    return files


@pytest.mark.parametrize("language", sorted(i18n.COMPLETE))
def test_every_string_of_a_complete_language_is_translated(language):
    catalog = _catalog(language)
    untranslated = []
    for path in _complete_files(language):
        for msgid in _strings(path):
            message = catalog.get(msgid)
            if message is None or not message.string or message.fuzzy:
                untranslated.append(f"{path.relative_to(i18n.ROOT)}: {msgid!r}")
    assert not untranslated, "Untranslated (run the update commands of README):\n" + "\n".join(
        untranslated
    )


@pytest.mark.parametrize("language", sorted(i18n.COMPLETE))
def test_the_files_of_a_complete_language_have_strings_to_translate(language):
    # A file that lost its _() calls would pass the test above with nothing translated.
    for path in _complete_files(language):
        if path.suffix in (".html", ".txt", ".py") and path.name != "base.txt":
            assert _strings(path), f"{path} marks no string for translation"


@pytest.mark.parametrize("language", [c for c in i18n.LANGUAGES if c != i18n.DEFAULT])
def test_the_committed_mo_file_matches_the_po_file(language):
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(language))
    buffer.seek(0)
    expected = gettext.GNUTranslations(buffer)
    path = i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as f:
        committed = gettext.GNUTranslations(f)
    assert committed._catalog == expected._catalog, (
        "Run: pybabel compile -d supportdesk/translations"
    )


def test_an_untranslated_string_is_caught(tmp_path):
    # The check itself: a template with a string the catalog lacks is reported.
    template = tmp_path / "page.html"
    template.write_text('<p>{{ _("A sentence nobody translated") }}</p>')
    assert _strings(template) == ["A sentence nobody translated"]
    assert _catalog("de").get("A sentence nobody translated") is None


@pytest.mark.parametrize(
    ("header", "language"),
    [
        pytest.param("de", "de", id="plain"),
        pytest.param("de-DE", "de", id="region"),
        pytest.param("de_CH", "de", id="underscore"),
        pytest.param("fr, de;q=0.8, en;q=0.5", "de", id="first-supported"),
        pytest.param("en;q=0.4, de;q=0.9", "de", id="by-quality"),
        pytest.param("de;q=0, en", "en", id="refused"),
        pytest.param("fr-FR", None, id="not-offered"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="absent"),
        pytest.param("de;q=x", None, id="bad-quality"),
    ],
)
def test_a_header_names_the_first_supported_language(header, language):
    assert i18n.from_header(header) == language
