"""A whole `portalscore run`, journeys included, over portals that attack the evaluator (tests/hostile.py): nothing
they serve makes us reach our own network or send a state-changing request; every attempt is a named finding;
no portal ends without a score from pages or a named error; loops and big pages are bounded."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import pytest

from portalscore.contract.evidence import PortalEvidence
from tests import hostile
from tests.faultfarm import Farm
from tests.helpers import portalscore_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]
IDN = "http://dịchvụcông.invalid/"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-run")
    with ExitStack() as stack:
        inside, inside6 = (stack.enter_context(f) for f in hostile.internal_farms())
        farms = {
            "thu-thach": stack.enter_context(Farm(hostile.ssrf_routes(inside, inside6))),
            "chuyen-vao": stack.enter_context(Farm(hostile.start_inward_routes(inside))),
            "vong-lap": stack.enter_context(Farm(hostile.redirect_loop_routes())),
            "lam-moi": stack.enter_context(Farm(hostile.refresh_loop_routes())),
        }
        urls = {pid: farm.url("/") for pid, farm in farms.items()} | {"idn": IDN}
        registry = tmp / "registry.yaml"
        registry.write_text(
            "name: hostile\nportals:\n"
            + "".join(
                f"  - {{id: {pid}, name: 'Cổng {pid}', kind: province, url: '{url}'}}\n" for pid, url in urls.items()
            ),
            encoding="utf-8",
        )
        start = time.monotonic()
        # No --allow-host: the network policy alone keeps the run off the evaluator's network.
        proc = portalscore_cli(
            "run", "--registry", str(registry), "--out", str(tmp / "out"), "--db", f"sqlite:///{tmp / 'db.sqlite'}",
            "--max-pages", "12", "--lab-runs", "1", "--journey-budget", "20", "-q", timeout=1500,
        )  # fmt: skip
        took = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr[-4000:]
    evidence = {
        pid: PortalEvidence.from_dict(json.loads((tmp / "out" / "evidence" / f"{pid}.json").read_text("utf-8")))
        for pid in urls
    }
    ranking = json.loads((tmp / "out" / "ranking.json").read_text(encoding="utf-8"))
    return {"farms": farms, "inside": inside, "inside6": inside6, "ev": evidence, "ranking": ranking, "took": took}


def _page(ev: PortalEvidence, path: str):
    return next(p for p in ev.pages if p.profile == "desktop" and p.url.endswith(path))


def test_nothing_reaches_the_evaluators_network_in_any_phase(hostile_run):
    assert hostile_run["inside"].hits == [], hostile_run["inside"].hits[:3]
    assert hostile_run["inside6"].hits == [], hostile_run["inside6"].hits[:3]


def test_every_attempt_to_reach_inward_is_a_named_finding(hostile_run):
    ev = hostile_run["ev"]["thu-thach"]
    inside, inside6 = hostile_run["inside"], hostile_run["inside6"]
    ssrf = _page(ev, "/ssrf")
    assert ssrf.error is None  # the page itself is evaluated
    refused = {b.url for b in ssrf.blocked if b.kind == "internal-address"}
    assert inside.url("/pixel.png") in refused and inside6.url("/admin") in refused, ssrf.blocked
    assert all("is an internal address" in b.reason for b in ssrf.blocked if b.kind == "internal-address")
    # A page that redirects inward is not evaluated, and says why.
    assert "127.0.0.2 is an internal address" in _page(ev, "/to-meta").error
    assert "non-web address" in _page(ev, "/to-file").error
    # Links and sitemap entries that point inward are checked by name, never by a request.
    inward_links = [lc for lc in ev.links if lc.url.startswith((inside.url("/"), inside6.url("/")))]
    assert inward_links and all("is an internal address" in (lc.error or "") for lc in inward_links), inward_links


def test_no_state_changing_request_reaches_a_portal_in_any_phase(hostile_run):
    for pid, farm in hostile_run["farms"].items():
        methods = {h.method for h in farm.hits}
        assert methods <= {"GET", "HEAD"}, (
            pid,
            [(h.method, h.path) for h in farm.hits if h.method not in ("GET", "HEAD")],
        )
    posts = _page(hostile_run["ev"]["thu-thach"], "/posts")
    blocked = {(b.method, b.url.rsplit("/", 2)[-2] + "/" + b.url.rsplit("/", 1)[-1]) for b in posts.blocked}
    assert {("POST", "api/ho-so"), ("DELETE", "ho-so/1"), ("PUT", "ho-so/1"), ("POST", "api/beacon")} <= blocked
    assert any(b.method == "POST" and b.url.endswith("/nop-ho-so") for b in posts.blocked)


def test_loops_and_big_pages_are_bounded(hostile_run):
    ev, farm = hostile_run["ev"]["thu-thach"], hostile_run["farms"]["thu-thach"]
    assert farm.count("/refresh") <= 20  # a meta-refresh loop, all phases together
    assert "navigation loop" in _page(ev, "/refresh").error
    assert hostile_run["farms"]["lam-moi"].count("/") <= 20
    big = _page(ev, "/links20k")
    assert big.error is None and len(big.links) == 2000, big.error
    assert any(n.startswith("links capped: the first 2000 of 20") for n in big.notes)
    inline = _page(ev, "/links20k-inline")  # evaluated or not, within the page's time, and named either way
    assert inline.error is None or "page unresponsive" in inline.error or "time limit" in inline.error
    assert not [p for p in farm.paths() if p.startswith("/win")]  # pop-ups load nothing
    assert farm.max_inflight <= 2


def test_every_portal_has_a_score_from_pages_or_a_named_error(hostile_run):
    ranking = {p["id"]: p for p in hostile_run["ranking"]["portals"]}
    evs = hostile_run["ev"]
    for pid, ev in evs.items():
        assert not any("crawl failed" in e or "internal error" in e for e in ev.errors), (pid, ev.errors)
        scored = ranking[pid]["pages_evaluated"] > 0
        assert scored or ranking[pid]["errors"], (pid, ranking[pid])
    assert any("127.0.0.2 is an internal address" in e for e in evs["chuyen-vao"].errors), evs["chuyen-vao"].errors
    assert not [p for p in evs["chuyen-vao"].pages if p.error is None]  # never crawled
    assert any("redirect loop" in e for e in evs["vong-lap"].errors), evs["vong-lap"].errors
    assert any("navigation loop" in e for e in evs["lam-moi"].errors), evs["lam-moi"].errors
    assert any("dịchvụcông.invalid" in e and "DNS" in e for e in evs["idn"].errors), evs["idn"].errors
    # A start page no journey can get past: the journeys are not run, and say why.
    for pid in ("chuyen-vao", "vong-lap", "lam-moi"):
        assert all(s.outcome == "error" and s.reason.startswith("not run:") for s in evs[pid].scenarios), pid
