"""The issuer and expiry of a certificate Python's ssl will not describe: a peer that failed verification (expired,
self-signed, wrong host) yields only its DER bytes (`getpeercert(binary_form=True)`), and those are what a portal
team needs to hear about ("expired 3 days ago", "issued by itself"). A minimal reader of the X.509 fields we name
(RFC 5280: tbsCertificate → issuer, validity), not a validator: nothing here decides trust.
"""

from __future__ import annotations

from datetime import UTC, datetime

_OID_CN = bytes.fromhex("550403")  # 2.5.4.3 commonName
_OID_O = bytes.fromhex("55040a")  # 2.5.4.10 organizationName


def _read(data: bytes, at: int) -> tuple[int, bytes, int]:
    """(tag, content, offset after) of the DER element at `at`; ValueError on anything malformed."""
    if at + 2 > len(data):
        raise ValueError("truncated")
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        n = length & 0x7F
        if not 0 < n <= 4 or at + n > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[at : at + n], "big")
        at += n
    if at + length > len(data):
        raise ValueError("truncated")
    return tag, data[at : at + length], at + length


def _children(content: bytes) -> list[tuple[int, bytes]]:
    out, at = [], 0
    while at < len(content):
        tag, value, at = _read(content, at)
        out.append((tag, value))
    return out


def _name(content: bytes) -> str:
    """organizationName, else commonName, of an X.509 Name."""
    found: dict[bytes, str] = {}
    for _, rdn in _children(content):  # SET of AttributeTypeAndValue
        for _, pair in _children(rdn):
            (_, oid), (tag, value) = _children(pair)[:2]
            found.setdefault(oid, _string(tag, value))
    return found.get(_OID_O) or found.get(_OID_CN) or ""


def _string(tag: int, value: bytes) -> str:
    """A DirectoryString: BMPString is UTF-16, TeletexString in practice Latin-1, the others UTF-8 or ASCII."""
    if tag == 0x1E:
        return value.decode("utf-16-be", "replace")
    if tag == 0x14:
        return value.decode("latin-1")
    return value.decode("utf-8", "replace")


def _time(tag: int, value: bytes) -> datetime:
    text = value.decode("ascii")
    if tag == 0x17:  # UTCTime: YYMMDDHHMMSSZ (RFC 5280: 50-99 are 19xx)
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    return datetime.strptime(text.rstrip("Z"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def certificate_facts(der: bytes, now: datetime | None = None) -> dict[str, object]:
    """{"issuer", "expires" (ISO 8601), "days_left"} of a DER certificate; {} when it cannot be read."""
    try:
        _, cert, _ = _read(der, 0)
        _, tbs = _children(cert)[0]
        fields = _children(tbs)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, ...
        issuer = _name(fields[2][1])
        (_, _not_before), (tag, not_after) = _children(fields[3][1])[:2]
        expires = _time(tag, not_after)
    except (ValueError, IndexError, UnicodeDecodeError):
        return {}
    now = now or datetime.now(UTC)
    return {
        "issuer": issuer,
        "expires": expires.isoformat(),
        "days_left": int((expires - now).total_seconds() // 86400),
    }
