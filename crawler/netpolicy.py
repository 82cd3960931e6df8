"""Where portalscore may connect: one rule for every request it causes, in the browser and the light client.

A portal is untrusted input. Its pages, redirects and links can name any address, the evaluator's own
network included (cloud metadata at 169.254.169.254, a 10.x admin page, the run's own database). So:
- only http(s) is ever fetched (and ws(s), which the browser opens the same way);
- a destination is checked *after* DNS resolution, and the connection goes to the address that was
  checked, so a name that resolves elsewhere a moment later (DNS rebinding) gets nowhere;
- private, loopback, link-local, shared (CGNAT), multicast, reserved and other non-global addresses,
  IPv4 and IPv6 (IPv4 inside IPv6 included), are refused; except the exact origins (host and port) of the
  portals being evaluated and what the operator allows (`--allow-internal`): a staging portal on 10.x.
The rule is enforced in one place, the egress proxy (crawler/egress.py), which every browser and light
request goes through; the browser's request guard (crawler/guard.py) asks it too, to name a refusal on
the page that caused it.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
FETCHED_SCHEMES = ("http", "https", "ws", "wss")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 reached through a NAT64 gateway


@dataclass(frozen=True)
class Refusal:
    """Why a destination is not contacted (or could not be): a kind for code, a sentence for people."""

    kind: str  # internal-address | scheme | host-not-allowed | dns | bad-url
    message: str

    def __str__(self) -> str:
        return self.message


def ascii_host(host: str) -> str:
    """A host name as it goes on the wire: lower case, IDNA (punycode) for an internationalised name
    ("dịchvụcông.example" -> "xn--dchvcng-...example"); raises ValueError for a name IDNA refuses."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as e:
        raise ValueError(f"not a valid internationalised host name {host!r}: {e}") from None


def display_host(host: str) -> str:
    """A host name for people: Unicode where it was punycode (the report shows what the registry says)."""
    if "xn--" not in host:
        return host
    try:
        return idna.decode(host)
    except idna.IDNAError:
        return host


def public(ip: IPAddress) -> bool:
    """Whether an address is on the public internet (and so may be contacted without an allowance)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = (
            ip.ipv4_mapped
            or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
            or ip.sixtofour
            or (ip.teredo[1] if ip.teredo else None)
        )
        if embedded is not None:
            return public(embedded)
    return ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@dataclass
class NetPolicy:
    """The rule, for one run. `internal_ok`: (host, port) destinations allowed to be non-public (the
    portals' own origins, the operator's allowances); `internal_networks`: address ranges the operator
    allows; `only_hosts`: when given, every other host is refused (the operator's --allow-host)."""

    internal_ok: set[tuple[str, int]] = field(default_factory=set)
    internal_networks: tuple[IPNetwork, ...] = ()
    only_hosts: frozenset[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        portal_urls: Iterable[str] = (),
        allow_internal: Iterable[str] = (),
        only_hosts: Iterable[str] | None = None,
    ) -> NetPolicy:
        """allow_internal: origins ("http://10.0.0.5:8080") or address ranges ("10.20.0.0/16"); ValueError
        naming the entry for anything else."""
        policy = cls(only_hosts=None if only_hosts is None else frozenset(ascii_host(h) for h in only_hosts))
        networks = []
        for entry in allow_internal:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if not origin_key(entry):
                raise ValueError(
                    f"--allow-internal {entry!r}: expected an origin (http://10.0.0.5:8080) "
                    "or an address range (10.20.0.0/16)"
                )
            policy.allow_origin(entry)
        policy.internal_networks = tuple(networks)
        for url in portal_urls:
            policy.allow_origin(url)
        return policy

    def allow_origin(self, url: str) -> None:
        """Let the origin of `url` be non-public: a portal under evaluation, wherever it is served."""
        key = origin_key(url)
        if key:
            with self._lock:
                self.internal_ok.add(key)

    def check_url(self, url: str) -> Refusal | None:
        """Everything that can be said before DNS: the scheme, the operator's host list, a literal address."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return Refusal("bad-url", f"not a valid URL: {url[:200]}")
        scheme = parts.scheme.lower()
        if scheme in ("data", "blob", "about"):
            return None  # never leaves the browser
        if scheme not in FETCHED_SCHEMES:
            return Refusal("scheme", f"not an http(s) URL ({scheme}:): never fetched")
        if not parts.hostname:
            return Refusal("bad-url", f"no host in {url[:200]}")
        try:
            host = ascii_host(parts.hostname)
        except ValueError as e:
            return Refusal("bad-url", str(e))
        return self.check_name(host, port or DEFAULT_PORTS[scheme])

    def check_name(self, host: str, port: int) -> Refusal | None:
        if self.only_hosts is not None and host not in self.only_hosts:
            return Refusal("host-not-allowed", f"host {display_host(host)} is not among this run's allowed hosts")
        ip = _literal(host)
        return None if ip is None else self.check_address(host, port, ip)

    def check_address(self, host: str, port: int, ip: IPAddress) -> Refusal | None:
        """The rule for one resolved address of (host, port)."""
        if public(ip) or (host, port) in self.internal_ok or any(ip in n for n in self.internal_networks):
            return None
        return Refusal(
            "internal-address",
            f"{display_host(host)} is an internal address ({ip}): not contacted "
            "(only the evaluated portals' own origins may be private)",
        )

    def resolve(self, host: str, port: int, timeout_s: float = 10.0) -> list[IPAddress] | Refusal:
        """The addresses to connect to, every one of them checked (blocking: for threads and tests;
        the egress proxy resolves asynchronously with check_addresses)."""
        refusal = self.check_name(host, port)
        if refusal:
            return refusal
        ip = _literal(host)
        if ip is not None:
            return [ip]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            return Refusal("dns", f"DNS: {display_host(host)} does not resolve ({e})")
        return self.check_addresses(host, port, [str(info[4][0]) for info in infos])

    def check_addresses(self, host: str, port: int, addresses: Iterable[str]) -> list[IPAddress] | Refusal:
        """A name any of whose addresses is refused is refused whole: pointing a public name at an internal
        address is what an attacker does, and which address a client picks is not ours to guess."""
        ips = list(dict.fromkeys(ipaddress.ip_address(a.split("%")[0]) for a in addresses))
        if not ips:
            return Refusal("dns", f"DNS: {display_host(host)} has no address")
        for ip in ips:
            refusal = self.check_address(host, port, ip)
            if refusal:
                return refusal
        return ips


def origin_key(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL, the host as it goes on the wire; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        host = ascii_host(parts.hostname)
    except ValueError:
        return None
    return host, port or DEFAULT_PORTS[scheme]
