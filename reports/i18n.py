"""One language of the report: its words (from the message catalogue, reports/catalog.py) and its formats.

Templates say `_("English text {name}", name=value)`; the text comes from the catalogue, the values are
escaped unless they are Markup. Criteria messages (portalscore.criteria.message.Message) go through `msg`,
other rooms' stored English (journey reasons, crawler errors) through `evidence`, axe's rule help through
`axe_help`. What the catalogue lacks is shown in English and marked lang="en" (WCAG 3.1.2): never silently,
as tests/test_report_language.py fails on any of it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from portalscore.contract.journeys import registered
from portalscore.criteria.message import Message, declared_words, points_text, render

from .catalog import EN_END, EN_START, Catalogue, catalogue, looks_english, needs_translation

LANGS = ("vi", "en")
log = logging.getLogger(__name__)


def _group_digits(intpart: str, sep: str) -> str:
    sign = "-" if intpart.startswith("-") else ""
    digits = intpart.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + sep.join(groups)


_WORD = re.compile(r"[A-Za-z]{3,}")


# Marks put around a placeholder's text while a message is rendered, turned into markup once it is escaped.
CODE_START, CODE_END = "\x03", "\x04"
_MARKS = {EN_START: '<span lang="en">', EN_END: "</span>", CODE_START: "<code>", CODE_END: "</code>"}


def _unmark(text: str) -> str:
    for mark in _MARKS:
        text = text.replace(mark, "")
    return text


def _marked(text: str) -> Markup:
    """Escaped text whose marked stretches become markup: English left untranslated a lang="en" span, axe
    rule ids code."""
    out = str(escape(text))
    for mark, tag in _MARKS.items():
        out = out.replace(mark, tag)
    return Markup(out)


@lru_cache(maxsize=1)
def scenario_titles() -> dict[str, tuple[str, str]]:
    """Scenario id -> (Vietnamese title, English title) as each journey declares them: stored results carry the
    Vietnamese one only, and criteria messages the id."""
    return {sid: (s.title, s.title_en or s.title) for sid, s in registered().items()}


def N_(msgid: str) -> str:
    """Marks an English text for the catalogue (scripts/update_catalog.py finds it); `t.plain` translates it."""
    return msgid


class Translator:
    """Words and formats for one language; passed to the templates as `t` (and `_` is t.gettext)."""

    def __init__(self, lang: str):
        if lang not in LANGS:
            raise ValueError(f"unknown report language {lang!r}: use one of {', '.join(LANGS)}")
        self.lang = lang
        self.catalogue: Catalogue = catalogue(lang)
        self.missing: set[str] = set()  # msgids shown in English on a page of another language

    # ------------------------------------------------------------ our own words

    def _lookup(self, msgid: str, context: str | None = None) -> str | None:
        if self.lang == "en" or not needs_translation(msgid):
            return msgid
        found = self.catalogue.gettext(msgid, context)
        if found is None and msgid not in self.missing:
            self.missing.add(msgid)
            log.warning("report: no %s translation for %r", self.lang, msgid)
        return found

    def gettext(self, msgid: str, **params: object) -> Markup:
        """The text of msgid in this language with {placeholders} filled (escaped unless Markup)."""
        found = self._lookup(msgid)
        if found is None:
            return Markup('<span lang="en">{}</span>').format(escape(msgid).format(**params) if params else msgid)
        text = escape(found)
        return text.format(**params) if params else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> Markup:
        if self.lang == "en":
            text = escape(singular if n == 1 else plural)
            return text.format(n=n, **params)
        found = self.catalogue.ngettext(singular, n)
        if found is None:
            self.missing.add(singular)
            english = escape(singular if n == 1 else plural).format(n=n, **params)
            return Markup('<span lang="en">{}</span>').format(english)
        return escape(found).format(n=self.num(n, 0), **params)

    def plain(self, msgid: str) -> str:
        """msgid in this language as plain text (attribute values, chart labels), English if missing."""
        return self._lookup(msgid) or msgid

    # ------------------------------------------------------------ others' words

    def msg(self, message: Message | Mapping[str, Any] | None) -> Markup:
        """A criteria message in this language; escaped."""
        m = Message.of(message)
        if m is None:
            return Markup("–")
        gaps: list[str] = []

        def translate(msgid: str) -> str:
            found = self._lookup(msgid)
            if found is None:
                gaps.append(msgid)
            return found or msgid

        text = render(m, translate, self.number, self._nested)
        if gaps:
            return Markup('<span lang="en">{}</span>').format(_unmark(text))
        return _marked(text)

    def _nested(self, text: str, name: str) -> str:
        declared = declared_words(text, name, self.lang)
        if declared is not None:
            return declared
        if name in ("rule", "rules", "headers"):
            return f"{CODE_START}{text}{CODE_END}"
        if name == "scenario":
            return scenario_titles().get(text, (text, text))[0 if self.lang == "vi" else 1]
        if name == "step":
            return self.step(text)
        if self.lang == "en":
            return text
        found = self.catalogue.evidence(text)
        if found is not None:
            return found
        return f"{EN_START}{text}{EN_END}" if looks_english(text) else text

    def evidence(self, text: object) -> Markup:
        """English written by the crawler or the journeys (stored in the evidence), in this language."""
        if text is None or text == "":
            return Markup("–")
        value = str(text)
        if self.lang == "en":
            return escape(value)
        found = self.catalogue.evidence(value)
        if found is not None:
            return _marked(found)
        if looks_english(value):
            self.missing.add(value)
            return Markup('<span lang="en">{}</span>').format(value)
        return self.part(value)

    def step(self, name: str) -> str:
        """A journey's step name ("search") as a reader says it; a `has_<item>` check is "required item"."""
        if name.startswith("has_"):
            return self.plain("required item")
        if self.lang == "en":
            return name.replace("_", " ")
        return self.catalogue.gettext(name, "step") or name

    def axe_help(self, rule: str, english: str, vietnamese: str = "") -> Markup:
        """A rule's one-line help: in Vietnamese our check's own text or the catalogue's for axe's rule; in
        English axe's own or our check's."""
        if self.lang == "en":
            return escape(english)
        found = vietnamese or self.catalogue.axe_help(rule)
        if found is not None:
            return escape(found)
        if not english:
            return Markup("")
        self.missing.add(f"axe:{rule}")
        return Markup('<span lang="en">{}</span>').format(english)

    def other_lang_of(self, text: str) -> str | None:
        """The language of a piece of data when it is not the page's: Vietnamese is told by its letters
        with diacritics; plain-ASCII words on a Vietnamese page are English."""
        has_vietnamese = any(ord(c) > 127 and c.isalpha() for c in text)
        if self.lang == "en":
            return "vi" if has_vietnamese else None
        return "en" if not has_vietnamese and _WORD.search(text) else None

    def part(self, text: object) -> Markup:
        """Data text (a portal's name, a page title: what the portal wrote), escaped, marked with its language
        when it differs from the page's (WCAG 3.1.2)."""
        lang = self.other_lang_of(str(text))
        return Markup('<span class="data" lang="{}">{}</span>').format(lang, text) if lang else escape(text)

    def title(self, item: Mapping[str, Any] | object) -> str:
        """The title in this language of anything carrying title_vi/title_en (dict or object)."""
        return self.field(item, "title") or self._get(item, "id")

    def field(self, item: Mapping[str, Any] | object, name: str) -> str:
        """A bilingual field (name_vi/name_en, else the plain name) in this language, falling back to the other."""
        other = "en" if self.lang == "vi" else "vi"
        for key in (f"{name}_{self.lang}", name, f"{name}_{other}"):
            value = self._get(item, key)
            if value:
                return value
        return ""

    def fields(self, item: Mapping[str, Any] | object, name: str) -> list[str]:
        """A bilingual list field (notes_vi/notes_en, else the plain list)."""
        for key in (f"{name}_{self.lang}", name):
            value = item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)
            if value:
                return [str(v) for v in value]
        return []

    @staticmethod
    def _get(item: Mapping[str, Any] | object, key: str) -> str:
        value = item.get(key, "") if isinstance(item, Mapping) else getattr(item, key, "")
        return str(value) if value else ""

    # ------------------------------------------------------------ numbers and dates

    def _localise(self, text: str) -> str:
        """Python's '1,234.5' in this language's separators."""
        if self.lang == "en":
            return text
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")

    def number(self, value: float | int, spec: str = "") -> str:
        """A figure in a criteria message: the criteria's digits (stats.fmt), this language's separators."""
        if spec == "pts":
            return self._localise(points_text(value))
        if spec:
            return self._localise(format(value, spec))
        ax = abs(value)
        if ax >= 100 or float(value).is_integer():
            return self.num(value, 0)
        if ax >= 1:
            return self._localise(f"{value:.2f}".rstrip("0").rstrip("."))
        return self._localise(f"{value:.4f}".rstrip("0").rstrip("."))

    def num(self, value: float | int | None, digits: int = 1) -> str:
        """1234.5 -> '1.234,5' (vi) or '1,234.5' (en); None -> an en dash."""
        if value is None:
            return "–"
        text = f"{float(value):.{digits}f}"
        intpart, _, frac = text.partition(".")
        if self.lang == "vi":
            return _group_digits(intpart, ".") + ("," + frac if frac else "")
        return _group_digits(intpart, ",") + ("." + frac if frac else "")

    def ms(self, value: float | None) -> str:
        return "–" if value is None else self.num(value, 0) + "\u00a0ms"

    def pts(self, value: object) -> str:
        """Points as written in a criteria set: whole numbers without decimals, others to 2 places."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "–" if value is None else str(value)
        return self.num(value, 0 if float(value).is_integer() else 2)

    def when(self, iso: str) -> str:
        """An ISO timestamp as a reader writes it; unparseable text is shown as it is."""
        try:
            moment = datetime.fromisoformat(iso)
        except (TypeError, ValueError):
            return str(iso or "")
        zone = ""
        if moment.tzinfo is not None:
            offset = moment.utcoffset()
            zone = " UTC" if offset is not None and offset.total_seconds() == 0 else moment.strftime(" UTC%z")
        if self.lang == "vi":
            return moment.strftime("%H:%M ngày %d/%m/%Y") + zone
        return moment.strftime("%Y-%m-%d %H:%M") + zone

    def day(self, iso: str) -> str:
        try:
            moment = datetime.fromisoformat(iso)
        except (TypeError, ValueError):
            return str(iso or "")
        return moment.strftime("%d/%m/%Y") if self.lang == "vi" else moment.strftime("%Y-%m-%d")
