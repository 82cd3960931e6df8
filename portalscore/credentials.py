"""Where credential values come from: the environment and `--secrets` files, checked against the registry.

A registry names a credential set (`credentials: staging-account`), never a value. `resolve` finds each
named set's values (PORTALSCORE_SECRET_STAGING_ACCOUNT_USERNAME / _PASSWORD, or a secrets file that
maps name -> {username, password}) and ties it to the origin of the portal that names it; the run then
hands them to `portalscore.contract.secrets.activate`, which offers and masks them.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from portalscore.contract.errors import InputError
from portalscore.contract.secrets import NAME, Credential, origin_of
from portalscore.contract.yamlfile import load

log = logging.getLogger("portalscore.contract.secrets")

ENV_PREFIX = "PORTALSCORE_SECRET_"


def env_names(name: str) -> tuple[str, str]:
    """The environment variables of a credential set: the name upper-cased, anything not A-Z0-9 as '_'."""
    key = re.sub(r"[^A-Z0-9]", "_", name.upper())
    return f"{ENV_PREFIX}{key}_USERNAME", f"{ENV_PREFIX}{key}_PASSWORD"


# -- where the values come from -------------------------------------------------------------------


def _from_environment(name: str, environ: Mapping[str, str]) -> Credential | None:
    user_var, pass_var = env_names(name)
    user, password = environ.get(user_var) or None, environ.get(pass_var) or None  # empty counts as unset
    if user is None and password is None:
        return None
    if not user or not password:
        missing = user_var if not user else pass_var
        raise InputError(f"credential set {name!r}: {missing} is not set (set both {user_var} and {pass_var})")
    return Credential(name=name, username=user, password=password, source="environment")


def load_file(path: str | Path) -> dict[str, Credential]:
    """A secrets file: a YAML mapping of credential-set name -> {username, password}.

    Warns (as ssh does) when group or others may read it. Errors name file, line and field, never a value."""
    file = str(path)
    try:
        mode = os.stat(file).st_mode
    except FileNotFoundError:
        raise InputError("file not found", file=file, field="--secrets") from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", file=file, field="--secrets") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "secrets file %s is accessible by group or others (mode %o): chmod 600 it", file, stat.S_IMODE(mode)
        )
    doc = load(file)
    if doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        raise doc.error((), "a secrets file maps credential-set names to {username, password}")
    out: dict[str, Credential] = {}
    for name, entry in doc.data.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise doc.error((str(name),), "a credential-set name is letters, digits, '.', '_' and '-'")
        if not isinstance(entry, dict):
            raise doc.error((name,), "must be a mapping with username and password")
        for key in entry:
            if key not in ("username", "password"):
                raise doc.error((name, key), "unknown key (expected username and password)")
        for key in ("username", "password"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise doc.error((name, key), "must be a non-empty string (quote it if it looks like a number)")
        out[name] = Credential(name=name, username=entry["username"], password=entry["password"], source=file)
    return out


def _at(registry, i: int, message: str) -> InputError:
    """An error about portals[i].credentials, with its line when the registry was read from a file."""
    doc = getattr(registry, "doc", None)
    if doc is not None:
        return doc.error(("portals", i, "credentials"), message)
    return InputError(message, file=registry.file, field=f"portals[{i}].credentials")


def resolve(
    registry, secrets_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Credential]:
    """The credentials of every portal that names a set, by the portal's origin. InputError (naming the
    registry file, line and portal) for a set that is not provided; the environment wins over the file."""
    environ = os.environ if environ is None else environ
    from_file = load_file(secrets_file) if secrets_file else {}
    by_origin: dict[str, Credential] = {}
    owner: dict[str, str] = {}
    for i, portal in enumerate(registry.portals):
        name = getattr(portal, "credentials", None)
        if not name:
            continue
        try:
            cred = _from_environment(name, environ) or from_file.get(name)
        except InputError as e:
            raise _at(registry, i, f"portal {portal.id!r}: {e.message}") from None
        if cred is None:
            user_var, pass_var = env_names(name)
            raise _at(
                registry,
                i,
                f"portal {portal.id!r} needs credential set {name!r}, which is not provided: "
                f"set {user_var} and {pass_var}, or give it in a file with --secrets FILE",
            )
        origin = origin_of(portal.url) or portal.url  # the registry accepts only http(s) URLs with a host
        if origin in by_origin and by_origin[origin] != cred:
            raise _at(
                registry,
                i,
                f"portal {portal.id!r} is served from {origin} like portal {owner[origin]!r}, "
                "which names another credential set: one origin has one credential set",
            )
        by_origin[origin], owner[origin] = cred, portal.id
    return by_origin
