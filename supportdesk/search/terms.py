"""The search rules as data: a query split into terms, and each term as PostgreSQL and SQLite see it.

A word is a run of letters and digits; everything else separates words (the stored vectors
translate ASCII punctuation to spaces before PostgreSQL's parser splits them, see schema.py, and
Python's `[^\\W_]+` splits the same text at the same places). A term is a quoted phrase or a
space-separated chunk; its words must follow each other in that order, and the last word of an
unquoted term matches any word starting with it when it has PREFIX_MIN characters or more.
Customer names and emails and tag names also match an unquoted term anywhere inside them
(PARTIAL_MIN characters or more); otherwise a tag must equal the term (spaces as dashes). Both dialects build their conditions
from these functions only, so they give the same answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 8
PREFIX_MIN = 3  # "re" as a prefix would match most of the vocabulary
PARTIAL_MIN = 3  # a trigram index cannot serve shorter substrings
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"^#?(\d{1,9})$")
# What sits between two words of a phrase, and what may not touch a word's edge (SQLite regexps).
_GAP, _NOT_AFTER_WORD, _NOT_BEFORE_WORD = r"[\W_]+", r"(?<![^\W_])", r"(?![^\W_])"


@dataclass(frozen=True)
class Term:
    """One term of a query: its text (lower case), its words, and whether it was quoted."""

    text: str
    words: tuple[str, ...]
    quoted: bool = False

    @property
    def prefix(self) -> bool:
        """Whether the last word matches any word starting with it (never inside quotes)."""
        return not self.quoted and len(self.words[-1]) >= PREFIX_MIN

    @property
    def partial(self) -> bool:
        """Whether names, emails and tags may contain the term anywhere (else: words, whole tag)."""
        return not self.quoted and len(self.text) >= PARTIAL_MIN

    @property
    def tag(self) -> str:
        """The term as a whole tag: spaces become dashes, as when tags are saved."""
        return "-".join(self.text.split())

    def tsquery(self) -> str:
        """The term in to_tsquery syntax: the words adjacent (<->), the last one maybe a prefix."""
        lexemes = [f"'{word}'" for word in self.words]
        if self.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"

    def pattern(self) -> str:
        """The term as a Python regular expression over raw text (the SQLite side of tsquery)."""
        words = _GAP.join(re.escape(word) for word in self.words)
        return f"(?i){_NOT_AFTER_WORD}{words}{'' if self.prefix else _NOT_BEFORE_WORD}"

    def like(self) -> str:
        """A LIKE pattern finding the term anywhere (with backslash as the escape character)."""
        escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


def parse(q: str) -> list[Term]:
    """The query's terms: "quoted phrases" and space-separated chunks that contain a word."""
    terms: list[Term] = []
    for match in _CHUNK.finditer(q.lower()):
        quoted = match.group(2) is None
        text = " ".join((match.group(1) if quoted else match.group(2)).split())
        words = tuple(_WORD.findall(text))
        if words and len(terms) < MAX_TERMS:
            terms.append(Term(text, words, quoted))
    return terms


def tsquery(terms: list[Term]) -> str:
    """Every term, all required, in to_tsquery syntax."""
    return " & ".join(term.tsquery() for term in terms)


def highlight_words(terms: list[Term]) -> list[str]:
    """The words to mark in the SQLite fallback's subjects and snippets."""
    return [word for term in terms for word in term.words]


def number(q: str) -> int | None:
    """The ticket number the query names (`1042` or `#1042`), if it is one."""
    match = _NUMBER.match(q)
    return int(match.group(1)) if match else None
