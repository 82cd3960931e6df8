"""Sentences the criteria write (rules, statistics, arithmetic, evidence labels) as data: an English template
with named placeholders and its arguments, so that the report can say them in Vietnamese or English.

    m = msg("{label} {stat} = {value}", label=msg("LCP"), stat="p75", value=qty(3400, "ms"))
    str(m)  # 'LCP p75 = 3 400 ms' (what `portalscore explain` prints, and the English text fields keep)

The template is the message catalogue's msgid (reports/locale/vi/LC_MESSAGES/messages.po); it must be a string
literal where it is written, so that the catalogue's extraction finds it. Arguments are numbers (formatted by
the reader's locale; a format spec such as `{x:.4f}` fixes the digits, `{x:pts}` writes points), nested
Messages, lists of those (joined by ", "), or plain text shown as it is (URLs, rule ids, crawled text). Plain
text in a placeholder named like NESTED_TEXT is English written by another room (a journey's failure reason,
a crawler error): the report translates it through the catalogue's templates.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portalscore.contract import facts

from .stats import fmt

# Placeholders holding text produced by the crawler or the journeys (not by us), which the report translates
# or marks up: English sentences, the journeys' step names ("search", "open_home"), scenario ids
# ("dossier_lookup"), axe rule ids and HTTP header names (shown as code).
NESTED_TEXT = frozenset(
    {"reason", "detail", "error", "how", "step", "scenario", "rule", "rules", "headers", "fact", "fact_description"}
)


def declared_words(text: str, name: str, lang: str) -> str | None:
    """The words a plug-in declared for itself: a page fact's label ({fact}) or description ({fact_description})
    in `lang` (en | vi), from its declaration (contract/facts.py); None for any other placeholder."""
    if name not in ("fact", "fact_description"):
        return None
    spec = facts.spec_of(text)
    if spec is None:
        return None
    if name == "fact":
        return spec.label_vi if lang == "vi" else spec.label
    return spec.description_vi if lang == "vi" else spec.description


def _english_nested(text: str, name: str) -> str:
    return declared_words(text, name, "en") or text


@dataclass(frozen=True)
class Message:
    id: str  # English template with {named} placeholders: the catalogue's msgid
    args: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self, lambda text: text, format_number, _english_nested)

    @classmethod
    def of(cls, value: object) -> Message | None:
        """A Message from itself or from its JSON form ({"id", "args"}) as stored scores give it back."""
        if isinstance(value, Message):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("id"), str):
            args = value.get("args")
            return cls(value["id"], dict(args) if isinstance(args, Mapping) else {})
        return None


def msg(id: str, **args: Any) -> Message:
    """A Message; `id` must be a string literal here (the catalogue's extraction reads it)."""
    return Message(id, args)


def qty(value: float | int | None, unit: str) -> Message:
    """A figure with its unit, e.g. 3 400 ms; units are words the catalogue translates (bytes, requests...)."""
    if unit == "ms":
        return msg("{n} ms", n=value)
    if unit == "bytes":
        return msg("{n} bytes", n=value)
    if unit == "requests":
        return msg("{n} requests", n=value)
    if unit == "errors":
        return msg("{n} errors", n=value)
    if unit == "points":
        return msg("{n} points", n=value)
    if not unit or unit == "share":
        return msg("{n}", n=value)
    return msg("{n} {unit}", n=value, unit=unit)


def points_text(x: float) -> str:
    """Points as the arithmetic writes them: up to 2 decimals, no grouping (12.5, 30, 0.42)."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if not float(x).is_integer() else f"{x:.0f}"


def format_number(value: float | int, spec: str) -> str:
    """English number text: `fmt` without a spec, `pts` for points, else Python's format spec."""
    if spec == "pts":
        return points_text(value)
    if spec:
        return format(value, spec)
    return fmt(value)


class _Formatter(string.Formatter):
    def __init__(
        self,
        translate: Callable[[str], str],
        number: Callable[[float | int, str], str],
        nested_text: Callable[[str, str], str],
    ) -> None:
        self.translate, self.number, self.nested_text = translate, number, nested_text

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        # A missing argument shows as its placeholder rather than failing a whole report.
        return kwargs.get(str(key), "{" + str(key) + "}")

    def format_field(self, value: Any, format_spec: str) -> str:
        return self.text(value, format_spec, "")

    def text(self, value: Any, spec: str, name: str) -> str:
        message = Message.of(value)
        if message is not None:
            return render(message, self.translate, self.number, self.nested_text)
        if isinstance(value, bool):
            return self.translate("yes" if value else "no")
        if isinstance(value, (int, float)):
            return self.number(value, spec)
        if isinstance(value, (list, tuple)):
            return ", ".join(self.text(v, "", name) for v in value)
        if value is None:
            return "–"
        return self.nested_text(str(value), name) if name in NESTED_TEXT else str(value)

    def vformat(self, format_string: str, args: Any, kwargs: Mapping[str, Any]) -> str:
        out = []
        for literal, name, spec, _conversion in self.parse(format_string):
            out.append(literal)
            if name is None:
                continue
            value = self.get_value(name, args, kwargs)
            out.append(self.text(value, spec or "", name))
        return "".join(out)


def render(
    message: Message,
    translate: Callable[[str], str],
    number: Callable[[float | int, str], str],
    nested_text: Callable[[str, str], str],
) -> str:
    """The message in one language: `translate` maps a template (msgid) to the language's, `number`
    formats a figure (value, spec), `nested_text` translates another room's English (text, placeholder)."""
    formatter = _Formatter(translate, number, nested_text)
    try:
        return formatter.vformat(translate(message.id), (), message.args)
    except (ValueError, IndexError):  # a malformed translated template: say it in English rather than fail
        return formatter.vformat(message.id, (), message.args)
