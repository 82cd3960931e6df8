"""Refresh the report's message catalogue from the code: every English text the report can show becomes a msgid
of reports/locale/vi/LC_MESSAGES/messages.po, with its translation kept (or marked fuzzy when the English
changed a little; a fuzzy entry is not used and fails the catalogue test until someone reviews it).

    .venv/bin/python scripts/update_catalog.py          # messages.po
    .venv/bin/python scripts/update_catalog.py --axe    # also axe.po: every rule of the pinned axe-core

Where the English comes from:
- the templates (reports/templates/*.html): _("..."), ngettext("...", "...", n)
- the report's code (reports/*.py): N_("..."), t("..."), t.plain("...")
- the criteria (criteria/*.py): msg("...") and the metric catalogue's labels and descriptions
Entries with a context are kept as they are: "evidence" (templates of other rooms' English, written by hand
from the crawler's and the journeys' code) and "step" (the journeys' step names).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalscore.reports.catalog import EVIDENCE, STEP, needs_translation, po_path  # noqa: E402

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "msg": None, "t": None, "plain": None}
HAND_WRITTEN = (EVIDENCE, STEP)


def _extract(template: Catalog) -> None:
    sources = [
        (ROOT / "reports" / "templates", [("**.html", "jinja2")]),
        (ROOT / "reports", [("*.py", "python")]),
        (ROOT / "criteria", [("*.py", "python")]),
    ]
    for folder, method_map in sources:
        options = {"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map, options_map=options, keywords=KEYWORDS, strip_comment_tags=True
        ):
            if not message or (isinstance(message, str) and "{" not in message and not message.strip()):
                continue
            if isinstance(message, tuple) and not all(message):
                continue
            path = str((folder / filename).relative_to(ROOT))
            template.add(
                message, None, [(path, lineno)], auto_comments=comments, context=context, flags=_flags(message)
            )


def _flags(message: str | tuple[str, ...]) -> list[str]:
    text = message if isinstance(message, str) else message[0]
    return ["python-brace-format"] if "{" in text else []


def _metrics(template: Catalog) -> None:
    """The metric catalogue's labels and descriptions that are not written as msg() literals."""
    from portalscore.criteria.metrics import METRICS

    for metric in METRICS.values():
        where = [("criteria/metrics.py", 0)]
        if metric.label_words is None:
            template.add(metric.label, None, where, flags=_flags(metric.label))
        if metric.words is None:
            template.add(metric.description, None, where, flags=_flags(metric.description))


def update_messages(path: Path | None = None) -> Path:
    """Refresh messages.po (or a copy of it at `path`) in place."""
    path = path or po_path("vi", "messages")
    with path.open("rb") as f:
        current = read_po(f, locale="vi", domain="messages")
    template = Catalog(locale="vi", domain="messages", project="portalscore")
    _extract(template)
    _metrics(template)
    for m in current:
        if m.id and m.context in HAND_WRITTEN:
            template.add(m.id, None, m.locations, flags=m.flags, context=m.context, auto_comments=m.auto_comments)
    current.update(template, update_header_comment=False)
    for m in current:
        msgid = m.id if isinstance(m.id, str) else (m.id[0] if m.id else "")
        if m.id and not needs_translation(msgid) and not m.string:
            m.string = m.id if isinstance(m.id, str) else tuple(m.id[:1])
    current.obsolete.clear()
    _write(current, path)
    return path


def update_axe() -> Path:
    """Add every rule of the pinned axe-core to axe.po (msgctxt: rule id, msgid: axe's English help)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.loopback import loopback_egress
    from portalscore.crawler.axe import axe_source
    from portalscore.crawler.browser import launch_options

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(loopback_egress()))
        page = browser.new_page()
        page.set_content("<!doctype html><title>rules</title>")
        page.evaluate(axe_source())
        rules = page.evaluate("axe.getRules().map(r => ({id: r.ruleId, help: r.help, tags: r.tags}))")
        browser.close()
    path = po_path("vi", "axe")
    with path.open("rb") as f:
        current = read_po(f, locale="vi", domain="axe")
    known = {m.context: m for m in current if m.context}
    for rule in rules:
        old = known.get(rule["id"])
        if old is not None and old.id != rule["help"]:
            current.delete(old.id, context=old.context)
            current.add(rule["help"], old.string, context=rule["id"], flags=["fuzzy"])
        elif old is None:
            tags = [t for t in rule["tags"] if t.startswith(("wcag", "best-practice", "experimental", "deprecated"))]
            current.add(rule["help"], "", context=rule["id"], auto_comments=[" ".join(tags)])
    _write(current, path)
    return path


def _write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, width=120, sort_output=False, include_previous=True, include_lineno=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--axe", action="store_true", help="also add the pinned axe-core's rules to axe.po")
    args = parser.parse_args()
    print(update_messages())
    if args.axe:
        print(update_axe())


if __name__ == "__main__":
    main()
