"""The registry: which portals to evaluate. YAML, validated with file/line/field errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from portalscore.contract.portal import Portal
from portalscore.contract.secrets import NAME, SECRET_KEYS
from portalscore.contract.yamlfile import Located, load

KINDS = ("ministry", "province", "national", "other")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
PORTAL_KEYS = {
    "id",
    "name",
    "kind",
    "url",
    "max_pages",
    "include",
    "exclude",
    "overrides",
    "url_confirmed",
    "url_checked",  # the date `portalscore registry check --update` last concluded on the address
    "note",
    "name_en",
    "credentials",
}
TOP_KEYS = {"portals", "name", "description", "defaults", "source", "updated"}
BUNDLED_DIR = Path(__file__).resolve().parent / "registries"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@")


@dataclass
class Registry:
    name: str
    file: str
    portals: list[Portal]
    doc: Located | None = field(default=None, repr=False, compare=False)  # for errors naming file and line


def _url_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _no_secret_key(doc: Located, path: tuple, key) -> None:
    if isinstance(key, str) and key.lower() in SECRET_KEYS:
        raise doc.error(
            path + (key,),
            "secret values do not belong in a registry: name a credential set with "
            "'credentials: NAME' and give its username and password in the environment "
            "or a --secrets FILE (see docs/registries.md)",
        )


def parse(doc: Located) -> Registry:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "a registry is a mapping with a 'portals' list")
    for key in data:
        _no_secret_key(doc, (), key)
        if key not in TOP_KEYS:
            raise doc.error((key,), f"unknown key (expected one of: {', '.join(sorted(TOP_KEYS))})")
    entries = data.get("portals")
    if not isinstance(entries, list) or not entries:
        raise doc.error(("portals",), "must be a non-empty list of portals")
    portals: list[Portal] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        path = ("portals", i)
        if not isinstance(entry, dict):
            raise doc.error(path, "each portal is a mapping with id, name, kind, url")
        for key in entry:
            _no_secret_key(doc, path, key)
            if key not in PORTAL_KEYS:
                raise doc.error(path + (key,), f"unknown key (expected one of: {', '.join(sorted(PORTAL_KEYS))})")
        for key in ("id", "name", "kind", "url"):
            if key not in entry:
                raise doc.error(path, f"missing required key {key!r}")
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise doc.error(path + (key,), "must be a non-empty string")
        pid = entry["id"]
        if not _ID.match(pid):
            raise doc.error(path + ("id",), f"{pid!r} is not a valid id (lowercase letters, digits, - and _)")
        if pid in seen:
            raise doc.error(path + ("id",), f"duplicate id {pid!r} (first at portals[{seen[pid]}])")
        seen[pid] = i
        if entry["kind"] not in KINDS:
            raise doc.error(path + ("kind",), f"{entry['kind']!r} is not one of {', '.join(KINDS)}")
        if _USERINFO.match(entry["url"].strip()):  # said before the URL is ever echoed in a message
            raise doc.error(
                path + ("url",),
                "a user name or password in the URL is not allowed: name a credential "
                "set with 'credentials: NAME' (see docs/registries.md)",
            )
        if not _url_ok(entry["url"]):
            raise doc.error(path + ("url",), f"{entry['url']!r} is not an http(s) URL")
        max_pages = entry.get("max_pages")
        if max_pages is not None and (not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1):
            raise doc.error(path + ("max_pages",), "must be a positive integer")
        for key in ("include", "exclude"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise doc.error(path + (key,), "must be a list of regular expressions")
            for j, pattern in enumerate(value):
                try:
                    re.compile(pattern)
                except re.error as e:
                    raise doc.error(path + (key, j), f"invalid regular expression: {e}") from None
        overrides = entry.get("overrides", {})
        if not isinstance(overrides, dict) or not all(isinstance(v, str) for v in overrides.values()):
            raise doc.error(path + ("overrides",), "must map scenario steps to a selector or URL string")
        from portalscore.scenarios.overrides import known_keys, unknown_keys  # the journeys define which keys exist

        for key in unknown_keys(overrides):
            raise doc.error(
                path + ("overrides", key),
                f"no scenario step reads this override (known: {', '.join(sorted(known_keys()))})",
            )
        credentials = entry.get("credentials")
        if credentials is not None and (not isinstance(credentials, str) or not NAME.match(credentials)):
            raise doc.error(
                path + ("credentials",),
                "must be the NAME of a credential set (letters, digits, '.', "
                "'_', '-'); its values go in the environment or --secrets FILE",
            )
        confirmed = entry.get("url_confirmed", True)
        if not isinstance(confirmed, bool):
            raise doc.error(path + ("url_confirmed",), "must be true or false")
        checked = entry.get("url_checked")
        if checked is not None and not _DATE.match(str(checked)):
            raise doc.error(path + ("url_checked",), "must be a date (YYYY-MM-DD)")
        portals.append(
            Portal(
                id=pid,
                name=entry["name"].strip(),
                kind=entry["kind"],
                url=entry["url"].strip(),
                max_pages=max_pages,
                include=list(entry.get("include", [])),
                exclude=list(entry.get("exclude", [])),
                overrides=dict(overrides),
                url_confirmed=confirmed,
                name_en=str(entry.get("name_en", "")),
                note=str(entry.get("note", "")),
                credentials=credentials,
            )
        )
    name = data.get("name") or Path(doc.file).stem
    return Registry(name=str(name), file=doc.file, portals=portals, doc=doc)


def load_registry(path_or_name: str | Path) -> Registry:
    """A registry file, or the name of a bundled one (e.g. 'vn-2025')."""
    path = Path(path_or_name)
    if not path.exists() and (BUNDLED_DIR / f"{path_or_name}.yaml").exists():
        path = BUNDLED_DIR / f"{path_or_name}.yaml"
    return parse(load(path))
