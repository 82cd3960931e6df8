"""Vietnamese-aware text matching: the same label written many ways must match.

Portals write one label as "TRA CỨU HỒ SƠ", "Tra cứu hồ sơ", "Tra cuu ho so" (no diacritics),
"Phản ánh, kiến nghị" / "Phản ánh kiến nghị", and put tone marks in old or new positions
("uỷ"/"ủy", "hoà"/"hòa", "khoá"/"khóa"). `fold` gives one key for all tone placements and case;
`bare` also drops every diacritic, for the fallback match.
"""

from __future__ import annotations

import re
import unicodedata

# The five Vietnamese tone marks as combining characters (NFD). Vowel marks (circumflex,
# breve, horn) are letters of their own and stay where they are.
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_URL_SEPARATORS = re.compile(r"[-_./?=&#%+]+")

# Match quality, best first; 0 = no match.
EXACT, PHRASE, BARE_EXACT, BARE_PHRASE = 4, 3, 2, 1


def _move_tones_to_word_end(word_nfd: str) -> str:
    """One canonical spelling per syllable: its tone mark moved to the end of the word."""
    tones = [c for c in word_nfd if c in TONE_MARKS]
    if not tones:
        return word_nfd
    return "".join(c for c in word_nfd if c not in TONE_MARKS) + "".join(tones)


def fold(text: str) -> str:
    """Case-folded, punctuation-free, tone-placement-independent key (words separated by one space)."""
    # Split on NFC text: in NFD the combining marks are not word characters.
    words = _NON_WORD.sub(" ", unicodedata.normalize("NFC", text or "").lower()).split()
    return " ".join(_move_tones_to_word_end(unicodedata.normalize("NFD", w)) for w in words)


def bare(text: str) -> str:
    """fold() without any diacritic: 'Tra cứu hồ sơ' -> 'tra cuu ho so'."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def url_words(url: str) -> str:
    """A URL's path and fragment as words, so '/tra-cuu-ho-so' can match 'Tra cứu hồ sơ' (bare)."""
    return bare(_URL_SEPARATORS.sub(" ", url or ""))


def has_diacritics(text: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text or "")) or "đ" in text.lower()


def contains_words(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def _words(text: str) -> list[str]:
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text or "")).split()


def bare_occurs(text: str, phrase: str) -> bool:
    """The phrase occurs without diacritics where the text itself is written without them.

    Only the matched words must be diacritic-free: a portal may write one menu without diacritics
    and the rest with, but "Tra cứu hộ tịch" must never match "tra cứu hồ sơ" once stripped."""
    needle = bare(phrase).split()
    if not needle:
        return False
    words = _words(text)
    stripped = [bare(w) for w in words]
    n = len(needle)
    for i in range(len(words) - n + 1):
        if stripped[i : i + n] == needle and not any(has_diacritics(w) for w in words[i : i + n]):
            return True
    return False


def match_quality(text: str, phrase: str) -> int:
    """How well `text` (a label) matches `phrase` (a synonym): EXACT > PHRASE > BARE_EXACT > BARE_PHRASE > 0."""
    f_text, f_phrase = fold(text), fold(phrase)
    if not f_phrase:
        return 0
    if f_text == f_phrase:
        return EXACT
    if contains_words(f_text, f_phrase):
        return PHRASE
    if bare_occurs(text, phrase):
        return BARE_EXACT if bare(text) == bare(phrase) else BARE_PHRASE
    return 0


def best_match(text: str, phrases: list[str] | tuple[str, ...]) -> tuple[int, str]:
    """The best quality over all synonyms, and the synonym that gave it."""
    best, which = 0, ""
    for phrase in phrases:
        q = match_quality(text, phrase)
        if q > best:
            best, which = q, phrase
    return best, which


def mentions(text: str, phrases: list[str] | tuple[str, ...]) -> str | None:
    """The first synonym that occurs in a (long) text, else None (see match_quality for the rules)."""
    f_text = fold(text)
    for phrase in phrases:
        if contains_words(f_text, fold(phrase)):
            return phrase
    for phrase in phrases:
        if bare_occurs(text, phrase):
            return phrase
    return None


def _count_words(haystack: str, needle: str) -> int:
    return len(re.findall(r"(?<!\S)" + re.escape(needle) + r"(?!\S)", haystack))


def count_mentions(text: str, phrases: list[str] | tuple[str, ...]) -> int:
    """How many times any synonym occurs, with or without diacritics: lets a step see *new* answers."""
    f_text, b_text = fold(text), bare(text)
    count = 0
    for phrase in phrases:
        f_phrase, b_phrase = fold(phrase), bare(phrase)
        if not f_phrase:
            continue
        with_marks = _count_words(f_text, f_phrase)
        count += with_marks
        if b_phrase != f_phrase:  # the same phrase written without diacritics
            count += _count_words(b_text, b_phrase) - with_marks
    return count
