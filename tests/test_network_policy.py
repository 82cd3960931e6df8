"""The network rule on its own: which addresses are internal, what the egress proxy lets through (by the servers'
own logs), what the request guard blocks, and how loops and bombs in input files are refused."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import time

import pytest

from portalscore.contract.errors import InputError
from portalscore.contract.yamlfile import load
from portalscore.crawler.egress import Egress
from portalscore.crawler.guard import MAX_SELF_NAVIGATIONS, AllowedPost, RequestGuard
from portalscore.crawler.lighthttp import LightClient
from portalscore.crawler.netpolicy import NetPolicy, ascii_host, display_host, public
from tests.faultfarm import Farm, page, redirect_to

UA = "test portalscore/0.1"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1",
    ],
)  # fmt: skip
def test_internal_addresses_are_not_public(address):
    assert not public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "203.113.131.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are(address):
    assert public(ipaddress.ip_address(address))


def test_only_the_portals_exact_origins_and_the_operators_allowances_may_be_internal():
    policy = NetPolicy.build(["http://10.0.0.5:8080/dvc"], allow_internal=["http://10.0.0.9", "192.168.7.0/24"])
    ip = ipaddress.ip_address
    assert policy.check_address("10.0.0.5", 8080, ip("10.0.0.5")) is None
    assert policy.check_address("10.0.0.5", 443, ip("10.0.0.5")).kind == "internal-address"  # another port
    assert policy.check_address("10.0.0.9", 80, ip("10.0.0.9")) is None
    assert policy.check_address("any.example", 80, ip("192.168.7.20")) is None
    refused = policy.check_address("evil.example", 80, ip("169.254.169.254"))
    assert refused.kind == "internal-address" and "169.254.169.254" in refused.message
    # A name with one internal address among public ones is refused whole.
    assert policy.check_addresses("mixed.example", 80, ["8.8.8.8", "10.0.0.1"]).kind == "internal-address"
    assert policy.check_addresses("ok.example", 80, ["8.8.8.8"]) == [ip("8.8.8.8")]


def test_only_http_is_fetched_and_literal_internal_urls_are_refused_before_dns():
    policy = NetPolicy.build(["http://127.0.0.1:9000/"])
    assert policy.check_url("http://127.0.0.1:9000/x") is None
    assert policy.check_url("file:///etc/passwd").kind == "scheme"
    assert policy.check_url("ftp://127.0.0.1/").kind == "scheme"
    assert policy.check_url("gopher://x/").kind == "scheme"
    assert policy.check_url("http://127.0.0.2:9000/").kind == "internal-address"
    assert policy.check_url("http://[::1]:9000/").kind == "internal-address"
    assert policy.check_url("http://127.0.0.1:9001/").kind == "internal-address"
    assert policy.check_url("data:text/html,x") is None
    with pytest.raises(ValueError, match="--allow-internal 'nonsense'"):
        NetPolicy.build(allow_internal=["nonsense"])


def test_internationalised_names_go_on_the_wire_as_punycode_and_are_shown_in_unicode():
    wire = ascii_host("dịchvụcông.example")
    assert wire.startswith("xn--") and wire.endswith(".example")
    assert display_host(wire) == "dịchvụcông.example"


def _socks_connect(port: int, host: str, dport: int) -> int:
    """Ask the proxy for host:dport as a SOCKS5 client does; returns the reply code (0 = connected)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"\x05\x01\x00")
        assert s.recv(2) == b"\x05\x00"
        name = host.encode()
        s.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + struct.pack("!H", dport))
        return s.recv(10)[1]


def test_the_egress_proxy_connects_only_where_the_policy_allows_and_says_why_not():
    with Farm({"/": page("ok")}) as portal, Farm({"/*": page("bí mật")}, host="127.0.0.2") as internal:
        policy = NetPolicy.build([portal.url("/")])
        with Egress(policy) as egress:
            assert _socks_connect(egress.port, "127.0.0.1", portal.port) == 0
            assert _socks_connect(egress.port, "127.0.0.2", internal.port) == 2  # not allowed by ruleset
            assert _socks_connect(egress.port, "localhost", internal.port) == 2
            assert _socks_connect(egress.port, "no-such-host.invalid", 80) == 4  # host unreachable
            assert "internal address" in str(egress.explain("127.0.0.2", internal.port))
            assert egress.explain("no-such-host.invalid", 80).kind == "dns"
    assert internal.hits == []


def test_the_light_client_never_reaches_inward_and_names_every_refusal():
    with (
        Farm({"/": page("bí mật")}, host="127.0.0.2") as internal,
        Farm({"/": page("bí mật v6")}, host="::1") as internal6,
    ):
        routes = {
            "/": page("Trang chủ"),
            "/meta": redirect_to(internal.url("/latest/meta-data/iam/security-credentials/")),
            "/v6": redirect_to(internal6.url("/")),
            "/file": redirect_to("file:///etc/passwd"),
            "/ftp": redirect_to(f"ftp://127.0.0.2:{internal.port}/"),
        }
        with Farm(routes) as portal:
            policy = NetPolicy.build([portal.url("/")])

            async def go():
                with Egress(policy) as egress:
                    client = LightClient(egress, UA)
                    try:
                        return [await client.fetch(portal.url(p)) for p in ("/", "/meta", "/v6", "/file", "/ftp")]
                    finally:
                        await client.aclose()

            ok, meta, v6, file_, ftp = asyncio.run(go())
    assert ok.status == 200 and ok.error is None
    assert internal.hits == [] and internal6.hits == []
    assert "127.0.0.2 is an internal address" in meta.error and meta.redirects == [portal.url("/meta")]
    assert "::1 is an internal address" in v6.error
    assert file_.error.startswith("redirects to file:///etc/passwd: not an http(s) URL (file:)")
    assert ftp.error.startswith(f"redirects to ftp://127.0.0.2:{internal.port}/: not an http(s) URL (ftp:)")
    assert not file_.transient and not ftp.transient


def test_the_guard_blocks_state_changes_popups_and_navigation_loops():
    policy = NetPolicy.build(["http://127.0.0.1:8000/"])
    guard = RequestGuard(policy, allowed_posts=[AllowedPost(r"/api/tra-cuu$")], block_popups=True)
    url = "http://127.0.0.1:8000/"
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert guard.decide(method, url + "x").kind == "state-changing"
    assert guard.decide("POST", url + "api/tra-cuu") is None and guard.allowed == ["POST " + url + "api/tra-cuu"]
    assert guard.decide("GET", url + "win", other_page=True).kind == "pop-up"
    assert guard.decide("GET", "ftp://127.0.0.1/").kind == "scheme"
    guard.expect_navigation()
    verdicts = [guard.decide("GET", url, navigation=True) for _ in range(MAX_SELF_NAVIGATIONS + 3)]
    assert verdicts[: MAX_SELF_NAVIGATIONS + 1] == [None] * (MAX_SELF_NAVIGATIONS + 1)
    assert verdicts[-1].kind == "navigation-loop" and guard.navigation_loop
    guard.expect_navigation()
    assert guard.decide("GET", url, navigation=True) is None  # the evaluator's own navigation is never a loop


def test_a_yaml_alias_bomb_is_refused_at_once_with_one_line(tmp_path):
    bomb = tmp_path / "registry.yaml"
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefgh"[i]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    levels.append("portals: [*i]")
    bomb.write_text("\n".join(levels) + "\n", encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(InputError) as e:
        load(bomb)
    assert time.monotonic() - start < 1
    assert "too many YAML aliases" in str(e.value) and "\n" not in str(e.value)
    ok = tmp_path / "ok.yaml"
    ok.write_text("base: &b {kind: province}\nportals: [*b, *b]\n", encoding="utf-8")
    assert load(ok).data["portals"] == [{"kind": "province"}] * 2
