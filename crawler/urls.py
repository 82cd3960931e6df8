"""URL normalisation and classification for the frontier.

A URL is normalised once, when found, so that de-duplication, robots checks and
evidence all speak of the same string.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from .netpolicy import ascii_host

DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that change nothing on the page but would make one page look like many.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]*|fbclid|gclid|dclid|msclkid|yclid|mc_eid|mc_cid|_ga|_gl|"
    r"jsessionid|phpsessid|aspsessionid[a-z]*|sid|sessionid|session_id|cfid|cftoken)$",
    re.IGNORECASE,
)
# ;jsessionid=... path parameters (Java servlet containers put the session in the path).
PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
DOCUMENT_EXTENSIONS = {
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "odp",
    "rtf",
    "txt",
    "csv",
    "zip",
    "rar",
    "7z",
    "gz",
    "tgz",
    "tar",
    "xml",
    "json",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "svg",
    "bmp",
    "ico",
    "tif",
    "tiff",
    "mp3",
    "mp4",
    "avi",
    "mov",
    "wmv",
    "webm",
    "ogg",
    "wav",
    "exe",
    "msi",
    "apk",
    "dmg",
    "iso",
}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def is_hash_route(fragment: str) -> bool:
    """'#/thu-tuc?id=1' and '#!/x' are client-side routes (distinct pages); '#top' is an anchor."""
    return fragment.startswith("/") or fragment.startswith("!/")


def normalise(url: str, base: str | None = None) -> str | None:
    """Absolute, canonical form of an http(s) URL, or None for anything that is not one.

    Lower-case scheme and host, no default port, dot segments resolved, tracking and
    session parameters dropped, query sorted, fragments dropped unless they are hash routes.
    The trailing slash is kept as found (servers differ); `page_key` ignores it.
    """
    url = url.strip()
    if base is not None:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        host = ascii_host(parts.hostname)  # an internationalised name goes on the wire as punycode
    except ValueError:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = PATH_SESSION.sub("", parts.path) or "/"
    path = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    path = quote(_percent(path), safe=_SAFE_PATH)
    query = _clean_query(parts.query)
    fragment = parts.fragment if is_hash_route(parts.fragment) else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]")


def _percent(text: str) -> str:
    """Decode escapes of unreserved characters, upper-case the rest (RFC 3986 6.2.2)."""

    def one(m: re.Match) -> str:
        char = chr(int(m.group(1), 16))
        return char if _UNRESERVED.fullmatch(char) else "%" + m.group(1).upper()

    return re.sub(r"%([0-9A-Fa-f]{2})", one, text)


def _clean_query(query: str) -> str:
    if not query:
        return ""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlencode(sorted(pairs), quote_via=quote, safe=_SAFE_QUERY.replace("&", "").replace("=", ""))


def page_key(url: str) -> str:
    """De-duplication key: the normalised URL without a trailing slash and without the scheme,
    so that /a and /a/, http:// and https:// of the same page count once."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", parts.netloc, path, parts.query, parts.fragment))


def host_of(url: str) -> str:
    """host:port as the per-host limiter sees it ('example.gov.vn', '127.0.0.1:8080')."""
    return urlsplit(url).netloc


def site_host(netloc: str) -> str:
    """The site a host belongs to: 'www.' is the same site as the bare name."""
    return netloc[4:] if netloc.startswith("www.") else netloc


def is_document(url: str) -> bool:
    """A link to a file rather than a page: checked (status, size), never rendered."""
    path = urlsplit(url).path
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return ext in DOCUMENT_EXTENSIONS


def host_allowed(url: str, allowed_hosts: list[str] | None) -> bool:
    """allowed_hosts names hosts (no port); None allows every host."""
    if allowed_hosts is None:
        return True
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and host.lower() in {h.lower() for h in allowed_hosts}
