"""Who publishes a report, how to reach them, which method it follows and how to ask for a re-check.

A small YAML file (`portalscore run --publisher FILE`), every field optional:

    name_vi: "Cục Chuyển đổi số quốc gia"        # or `name`, one text for both languages
    name_en: "National Digital Transformation Agency"
    contact: "danhgia@example.gov.vn"              # an e-mail address or an http(s) URL
    method_version: "2024.1"                       # default: the criteria set's version
    method_date: "2024-04-03"                      # when the method took effect (YYYY-MM-DD)
    recheck_vi: "Gửi thư nêu mã cổng và tiêu chí ..." # how a portal team asks for a re-check
    recheck_en: "Write to the contact with ..."

Without the file, or for a field it leaves out, the report says plainly that the operator did not state it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portalscore.contract.yamlfile import load

KEYS = ("name", "name_vi", "name_en", "contact", "method_version", "method_date", "recheck_vi", "recheck_en", "recheck")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Publisher:
    name_vi: str = ""  # empty: not stated (the report says so)
    name_en: str = ""
    contact: str = ""  # e-mail address or http(s) URL
    method_version: str = ""  # empty: the criteria set's version
    method_date: str = ""  # YYYY-MM-DD; empty: not stated
    recheck_vi: str = ""  # empty: the report's default wording (write to the contact, name the portal and criterion)
    recheck_en: str = ""

    @property
    def stated(self) -> bool:
        return bool(self.name_vi or self.name_en)

    @property
    def contact_href(self) -> str | None:
        """A link for the contact: mailto: for an e-mail address, the URL itself for http(s)."""
        if _EMAIL.match(self.contact):
            return f"mailto:{self.contact}"
        if self.contact.startswith(("https://", "http://")) and " " not in self.contact:
            return self.contact
        return None


def load_publisher(path: str | Path) -> Publisher:
    """The publisher file; InputError naming file, line and field on any problem."""
    doc = load(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise doc.error((), "a publisher file is a mapping (name_vi, name_en, contact, method_version, ...)")
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise doc.error((key,), f"unknown key; allowed: {', '.join(KEYS)}")
        if isinstance(value, datetime.date) and key == "method_date":
            value = value.isoformat()  # YAML reads an unquoted 2024-04-03 as a date
        if not isinstance(value, str) or not value.strip():
            hint = " (quote it)" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
            raise doc.error((key,), f"must be a non-empty text{hint} (got {value!r})")
        values[key] = " ".join(value.split())
    contact = values.get("contact", "")
    if contact and not (_EMAIL.match(contact) or re.match(r"^https?://\S+$", contact)):
        raise doc.error(("contact",), f"must be an e-mail address or an http(s) URL (got {contact!r})")
    date = values.get("method_date", "")
    if date:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise doc.error(("method_date",), f"must be a date written YYYY-MM-DD (got {date!r})") from None
    name = values.get("name", "")
    recheck = values.get("recheck", "")
    return Publisher(
        name_vi=values.get("name_vi", name),
        name_en=values.get("name_en", name),
        contact=contact,
        method_version=values.get("method_version", ""),
        method_date=date,
        recheck_vi=values.get("recheck_vi", recheck),
        recheck_en=values.get("recheck_en", recheck),
    )


def publisher_of(data: Any) -> Publisher:
    """Publisher from a Publisher, None (defaults) or a mapping of its fields (tests, JSON)."""
    if isinstance(data, Publisher):
        return data
    if isinstance(data, dict):
        return Publisher(**{k: str(v) for k, v in data.items() if k in Publisher.__dataclass_fields__})
    return Publisher()
