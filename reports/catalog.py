"""The report's message catalogue: gettext .po files read with Babel at render time (no compiled .mo in git).

    reports/locale/vi/LC_MESSAGES/messages.po   everything the report and the criteria say, English msgids
    reports/locale/vi/LC_MESSAGES/axe.po        axe-core's rule help texts (msgctxt: the rule id)

English is the source language: an English page shows the msgids themselves. Placeholders are named, in
braces ({name}, python-brace-format). Entries of messages.po with a context are not looked up by the
templates' `_()`:

    msgctxt "evidence"  templates of English written by other rooms and stored in old runs (a journey's
                        failure reason, a crawler error); EvidenceMatcher translates such text by matching it
                        against them: exact msgid first, then the most specific template, recursively for
                        placeholders that hold such text themselves ({reason}, {detail}, {error}, {how}).
    msgctxt "step"      the journeys' step names (search, open_home...)

A fuzzy or empty msgstr is not a translation. scripts/update_catalog.py refreshes the msgids from the
templates and the code; tests/test_report_language.py checks that each has its Vietnamese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("messages", "axe")
EVIDENCE = "evidence"
STEP = "step"
# Placeholders of an evidence template whose text is itself English from another room, translated in turn.
NESTED = frozenset({"reason", "detail", "error", "how", "cause", "matched", "tag"})
# What a placeholder of an evidence template may match, by its name (anything else: any text). Typed
# placeholders keep a loose template such as "{title} at {url}" from matching a sentence it does not make.
TYPED = {
    "url": r"\S+",
    "href": r"\S+",
    "path": r"\S+",
    "host": r"[^\s/]+",
    "tag": r"[a-z][a-z0-9-]*",
    "scheme": r"[a-z]+",
    "status": r"\d{3}",
    "share": r"\d+%",
    "seconds": r"\d+(?:\.\d+)?",
    **dict.fromkeys(("n", "m", "width", "viewport", "px", "px2", "run", "cap", "visited"), r"\d+"),
}
# Untranslated English inside a translated sentence is marked with these (the report turns them into lang="en").
EN_START, EN_END = "\x01", "\x02"
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ANY_FIELD = re.compile(r"\{[^{}]*\}")  # with a format spec too: {fraction:.4f}
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
_UNITS = re.compile(r"\b(?:ms|px|KiB|MB|p\d+)\b")


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(lang: str, domain: str) -> Catalog:
    with po_path(lang, domain).open("rb") as f:
        return read_po(f, locale=lang, domain=domain)


def translated(message: object) -> bool:
    """A catalogue entry with a usable translation: not fuzzy, every msgstr form filled."""
    string = getattr(message, "string", None)
    forms = string if isinstance(string, tuple) else (string,)
    return not getattr(message, "fuzzy", False) and all(isinstance(s, str) and s for s in forms)


def looks_english(text: str) -> bool:
    """Words of three ASCII letters or more and no Vietnamese letter: English, for our purposes."""
    return bool(_ASCII_WORD.search(text)) and not any(ord(c) > 127 and c.isalpha() for c in text)


def needs_translation(msgid: str) -> bool:
    """Templates made only of placeholders, figures and signs ("{n} ms", "≤ {limit} → 1") read the same in
    every language."""
    return bool(_LETTER.search(_UNITS.sub("", _ANY_FIELD.sub("", msgid))))


@dataclass(frozen=True)
class Template:
    msgid: str
    msgstr: str
    pattern: re.Pattern[str]
    specificity: int  # literal characters: the more, the more specific


def _template(msgid: str, msgstr: str) -> Template:
    parts = []
    pos = 0
    seen: set[str] = set()
    for m in _FIELD.finditer(msgid):
        parts.append(re.escape(msgid[pos : m.start()]))
        name = m.group(1)
        # A name used twice must match the same text twice.
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{TYPED.get(name, '.+?')})")
        seen.add(name)
        pos = m.end()
    parts.append(re.escape(msgid[pos:]))
    literal = len(_FIELD.sub("", msgid))
    return Template(msgid, msgstr, re.compile("^" + "".join(parts) + "$", re.DOTALL), literal)


class Catalogue:
    """One language's translations. English has none: lookups return None and callers keep the msgid."""

    def __init__(self, lang: str):
        self.lang = lang
        self._plain: dict[tuple[str, str | None], str | tuple[str, ...]] = {}
        self._axe: dict[str, str] = {}
        self._evidence: dict[str, str] = {}
        self._templates: list[Template] = []
        if lang == "en":
            return
        for message in read_catalog(lang, "messages"):
            if not message.id or not translated(message):
                continue
            key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
            string = message.string
            self._plain[(key, message.context)] = (
                tuple(str(s) for s in string) if isinstance(string, (tuple, list)) else str(string)
            )
            if message.context == EVIDENCE and isinstance(string, str):
                self._evidence[key] = string
                if _FIELD.search(key):
                    self._templates.append(_template(key, string))
        self._templates.sort(key=lambda t: -t.specificity)
        for message in read_catalog(lang, "axe"):
            if message.id and message.context and translated(message) and isinstance(message.string, str):
                self._axe[message.context] = message.string

    def gettext(self, msgid: str, context: str | None = None) -> str | None:
        found = self._plain.get((msgid, context))
        if isinstance(found, tuple):
            return found[0]
        return found

    def ngettext(self, singular: str, n: int) -> str | None:
        found = self._plain.get((singular, None))
        if isinstance(found, tuple):
            # Vietnamese has one form (Plural-Forms: nplurals=1); a language with more would need its rule here.
            return found[0]
        return found

    def axe_help(self, rule: str) -> str | None:
        return self._axe.get(rule)

    def evidence(self, text: str, depth: int = 0) -> str | None:
        """Another room's English text in this language, or None when no template matches it whole."""
        text = text.strip()
        if not text or depth > 6:
            return None
        exact = self._evidence.get(text)
        if exact is not None:
            return exact
        for t in self._templates:
            m = t.pattern.match(text)
            if m is None:
                continue
            values = {name: self.nested(name, value, depth) for name, value in m.groupdict().items()}
            return _fill(t.msgstr, values)
        return None

    def nested(self, name: str, value: str, depth: int = 0) -> str:
        """A placeholder's text: translated when it holds English from another room, else as it is."""
        if name == STEP:
            return self.gettext(value, STEP) or value
        if name in NESTED:
            found = self.evidence(value, depth + 1)
            if found is not None:
                return found
            return f"{EN_START}{value}{EN_END}" if looks_english(value) else value
        return value


def _fill(template: str, values: dict[str, str]) -> str:
    return _FIELD.sub(lambda f: values.get(f.group(1), f.group(0)), template)


@lru_cache(maxsize=4)
def catalogue(lang: str) -> Catalogue:
    """Read once per process: a report of 60 portals renders thousands of texts."""
    return Catalogue(lang)
