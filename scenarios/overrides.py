"""Per-portal help for the journeys: which override keys exist, and loading them from a file.

A value is a URL (absolute, "/path" or a "#/route" of a hash-routed app), a CSS selector, a text
(query, code), a regex (allow_post), or "n/a" on a scenario id to mark the journey not applicable.
"""

from __future__ import annotations

from pathlib import Path

from portalscore.contract.errors import InputError
from portalscore.contract.yamlfile import load

from .catalog import all_scenarios

# key -> what the value is; documented in docs/scenarios.md.
STEP_OVERRIDES: dict[str, str] = {
    "search_procedure.input": "CSS selector of the procedure search box",
    "search_procedure.submit": "CSS selector of the search button",
    "search_procedure.query": "the procedure name to search for",
    "search_procedure.allow_post": "regex of a read-only search endpoint that answers only to POST",
    "procedure_detail": "URL of a procedure detail page (skips the search)",
    "online_submission.button": "CSS selector of the 'Nộp hồ sơ trực tuyến' button",
    "dossier_lookup.input": "CSS selector of the dossier code field",
    "dossier_lookup.submit": "CSS selector of the lookup button",
    "dossier_lookup.code": "the (synthetic) dossier code to look up",
    "dossier_lookup.allow_post": "regex of a read-only lookup endpoint that answers only to POST",
    "mobile.menu": "CSS selector of the phone menu button",
}
SCENARIO_OVERRIDE = "URL or CSS selector of the link/button leading to the function, or 'n/a'"


def known_keys() -> dict[str, str]:
    keys = dict.fromkeys(all_scenarios(), SCENARIO_OVERRIDE)
    keys.update(STEP_OVERRIDES)
    return keys


def unknown_keys(overrides: dict[str, str]) -> list[str]:
    """Keys no journey reads (a typo would otherwise be silently ignored)."""
    known = known_keys()
    return [key for key in overrides if key not in known]


def load_overrides(path: str | Path) -> dict[str, str]:
    """A YAML (or JSON) mapping of override key -> string; InputError naming file, line and key otherwise."""
    doc = load(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise doc.error((), "overrides are a mapping of step -> selector, URL or text")
    known = known_keys()
    for key, value in data.items():
        if key not in known:
            raise doc.error((key,), f"unknown override (expected one of: {', '.join(sorted(known))})")
        if not isinstance(value, str) or not value.strip():
            raise doc.error((key,), "must be a non-empty string")
    return {str(k): v.strip() for k, v in data.items()}


__all__ = ["STEP_OVERRIDES", "InputError", "known_keys", "load_overrides", "unknown_keys"]
