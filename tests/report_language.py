"""Finds text in the wrong language on the report's pages (no tests here; tests/test_report_language.py and
tests/test_e2e.py use it).

A Vietnamese page may not carry an English word of ours: the English vocabulary is every word of the message
catalogue's msgids, of axe-core's rule help texts and of the crawler's and journeys' message templates, minus
the words our Vietnamese translations use themselves (product names, units, HTTP, WCAG, robots.txt...). An
English page may not carry a Vietnamese letter. Neither check reads:
- code, URLs (class url, inert-url), citations (cite: names of legal and technical documents);
- text the portal wrote (class data: portal names, page titles) and text the journeys quoted from a page
  ('…', "…", “…”);
- the link to the other language (class lang-switch).
Text marked lang="en" on a Vietnamese page is read like any other: marking untranslated text is not
translating it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import lxml.html

from portalscore.reports.catalog import read_catalog

SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "cite"}
SKIP_CLASSES = {"url", "inert-url", "data", "lang-switch"}
ATTRIBUTES = ("alt", "title", "aria-label", "data-filter")
_QUOTED = re.compile(r"(?<![\w])'[^']*'(?![\w])|\"[^\"]*\"|“[^”]*”|‘[^’]*’")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_FIELD = re.compile(r"\{[^{}]*\}")
_URLISH = re.compile(r"\S*(?:https?://|www\.|\.html|\.json|\.csv|/)\S*")
_VI_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.I)
# Written the same in both languages of the report: standards, products, protocols, units, file formats.
ALLOWED = {
    "axe",
    "axe-core",
    "wcag",
    "aria",
    "html",
    "http",
    "https",
    "url",
    "json",
    "csv",
    "bom",
    "utf-8",
    "lcp",
    "fcp",
    "ttfb",
    "tbt",
    "cls",
    "dcl",
    "ms",
    "px",
    "kib",
    "mb",
    "mbit",
    "kbit",
    "cpu",
    "chromium",
    "chrome",
    "lighthouse",
    "portalscore",
    "deque",
    "university",
    "vneid",
    "emc",
    "owasp",
    "iso",
    "tls",
    "hsts",
    "api",
    "javascript",
    "css",
    "sso",
    "id",
    "chatbot",
}
# Numbers of Vietnamese legal documents (473/QĐ-BTTTT, 42/2022/NĐ-CP): names, the same in both languages.
_LEGAL = re.compile(r"\b\d+/(?:\d{4}/)?[A-ZĐ0-9-]+\b|\bQĐ\b")
# Common English function words, so that a sentence of ours with no word from the sources above is still seen.
FUNCTION_WORDS = set(
    "the of and or to in on at by for with from is are was were be been not no all any each every this that these "
    "those it its their there here which what when where who how than then only also more most less least "
    "page pages score scores rank run runs portal portals evidence passed failed missing".split()
)


@dataclass
class Finding:
    file: str
    text: str
    words: list[str]

    def __str__(self) -> str:
        return f"{self.file}: {self.words} in {self.text[:160]!r}"


def _words(text: str) -> set[str]:
    return {w.lower().strip("'’-") for w in _WORD.findall(_FIELD.sub(" ", text))}


@lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """Words of English the report's sources could leak, minus those our Vietnamese uses too."""
    english: set[str] = set(FUNCTION_WORDS)
    vietnamese: set[str] = set()
    for domain in ("messages", "axe"):
        for m in read_catalog("vi", domain):
            if not m.id:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            for text in ids:
                english |= _words(text)
            for text in strings:
                vietnamese |= _words(text or "")
    return frozenset(w for w in english - vietnamese - ALLOWED if len(w) > 1)


def _skipped(el: lxml.html.HtmlElement) -> bool:
    if not isinstance(el.tag, str):
        return True
    if el.tag in SKIP_TAGS:
        return True
    classes = set((el.get("class") or "").split())
    return bool(classes & SKIP_CLASSES)


def _texts(el: lxml.html.HtmlElement, out: list[str]) -> None:
    """The element's own readable text and attributes, and its children's, minus what is skipped."""
    if _skipped(el):
        return
    for name in ATTRIBUTES:
        if el.get(name):
            out.append(el.get(name))
    if el.text:
        out.append(el.text)
    for child in el:
        _texts(child, out)
        if child.tail:
            out.append(child.tail)


def page_texts(path: Path) -> list[str]:
    doc = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    out: list[str] = []
    head_title = doc.find(".//title")
    if head_title is not None and head_title.text:
        out.append(head_title.text)
    body = doc.find("body")
    if body is not None:
        _texts(body, out)
    # One string per block of text, so that a finding quotes a readable sentence.
    return [t for t in (" ".join(s.split()) for s in out) if t]


def _strip(text: str, data: tuple[str, ...] = ()) -> str:
    """Text without what is not ours to translate: quotes, URLs, legal document numbers, and `data` (names of
    the portals, as the report's ranking.json gives them)."""
    for name in data:
        text = text.replace(name, " ")
    return _LEGAL.sub(" ", _URLISH.sub(" ", _QUOTED.sub(" ", text)))


def english_in(path: Path, root: Path | None = None, data: tuple[str, ...] = ()) -> list[Finding]:
    vocab = english_vocabulary()
    found = []
    for text in page_texts(path):
        words = sorted(w for w in _words(_strip(text, data)) if w in vocab)
        if words:
            found.append(Finding(str(path.relative_to(root) if root else path), text, words))
    return found


def vietnamese_in(path: Path, root: Path | None = None, data: tuple[str, ...] = ()) -> list[Finding]:
    found = []
    for text in page_texts(path):
        letters = _VI_LETTERS.findall(_strip(text, data))
        if letters:
            found.append(Finding(str(path.relative_to(root) if root else path), text, sorted(set(letters))))
    return found


def wrong_language(report: Path) -> list[Finding]:
    """Every finding on every page of a report folder, by the page's own lang attribute."""
    ranking = json.loads((report / "ranking.json").read_text(encoding="utf-8"))
    names = tuple(sorted({str(p["name"]) for p in ranking["portals"]}, key=len, reverse=True))
    findings: list[Finding] = []
    for path in sorted(report.rglob("*.html")):
        lang = lxml.html.fromstring(path.read_text(encoding="utf-8")).get("lang")
        findings += english_in(path, report, names) if lang == "vi" else vietnamese_in(path, report, names)
    return findings


# "axe-core 4.14.1.8 trang": a version number run into the next sentence's figure; "UTC):0 cổng": a colon or
# semicolon with no space after it (times such as 20:33 and URLs aside).
_RUN_ON = re.compile(r"\b\d+(?:\.\d+){3,}\s+\w|(?<![\d\s]):(?=[^\s/])|;(?=\S)")


def run_on_sentences(report: Path) -> list[Finding]:
    found = []
    for path in sorted(report.rglob("*.html")):
        for text in page_texts(path):
            if _RUN_ON.search(_URLISH.sub(" ", _QUOTED.sub(" ", text))):
                found.append(Finding(str(path.relative_to(report)), text, _RUN_ON.findall(text)))
    return found
