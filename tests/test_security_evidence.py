"""Security evidence that names things (issue 19, item 5): the certificate's issuer, days to expiry and the TLS
version, and where http:// leads; measured by the real crawler through its egress proxy against TLS servers on
127.0.0.1 whose certificates are made here with the openssl CLI, and shown in the report's evidence lines in both
languages."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalscore.contract.evidence import HttpsRedirect, PortalEvidence, TlsCheck
from portalscore.crawler.certinfo import certificate_facts
from portalscore.crawler.settings import CrawlSettings
from portalscore.criteria import load_criteria_set, score_portal
from portalscore.reports.i18n import Translator
from tests.faultfarm import Farm, page
from tests.test_crawler_politeness import QUICK, _portal, _run

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")

CA_NAME = "Portalscore Test CA"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, Path]:
    """A CA, a server certificate it signed for 127.0.0.1 valid 30 days, and a self-signed one."""
    d = tmp_path_factory.mktemp("pki")
    ca_key, ca, key, csr, cert = (d / n for n in ("ca.key", "ca.pem", "srv.key", "srv.csr", "srv.pem"))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
             "-subj", f"/O={CA_NAME}/CN={CA_NAME}", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    ext = d / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
             "-out", str(cert), "-days", "30", "-extfile", str(ext))  # fmt: skip
    self_key, self_cert = d / "self.key", d / "self.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self_key), "-out", str(self_cert),
             "-days", "5", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")  # fmt: skip
    return {"ca": ca, "cert": cert, "key": key, "self_cert": self_cert, "self_key": self_key}


SETTINGS = CrawlSettings(**QUICK, max_pages=1)
HOME = {"/": page("Cổng dịch vụ công")}


def _lines(ev: PortalEvidence, cid: str) -> tuple[str, str]:
    """(English, Vietnamese) evidence line of a criterion of the 2024 method."""
    ps = score_portal(load_criteria_set("mic-2024"), ev)
    c = next(c for c in ps.criteria if c.id == cid)
    ref = c.evidence[0]
    return ref.label, str(Translator("vi").msg(ref.label_msg))


@pytest.mark.browser
def test_a_valid_certificate_is_named_issuer_expiry_and_tls_version(certs, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certs["ca"]))  # our CA, trusted as a public one would be
    with Farm(HOME, tls=(str(certs["cert"]), str(certs["key"]))) as farm:
        [ev] = _run(SETTINGS, _portal(farm.url("/")))
    tls = ev.tls
    assert tls is not None and tls.valid is True and tls.error is None
    assert tls.issuer == CA_NAME
    assert tls.days_left in (29, 30) and tls.expires
    assert tls.version in ("TLSv1.2", "TLSv1.3")
    assert PortalEvidence.from_dict(ev.to_dict()).tls == tls  # stored and read back typed
    en, vi = _lines(ev, "sec.tls_valid")
    assert (
        en
        == f"valid TLS certificate: yes: issued by {CA_NAME}, expires {tls.expires[:10]} (in {tls.days_left} days), {tls.version}"
    )
    assert f"do {CA_NAME} cấp" in vi and f"còn {tls.days_left} ngày" in vi and tls.version in vi


@pytest.mark.browser
def test_an_untrusted_certificate_names_the_error_and_the_tls_version(certs):
    with Farm(HOME, tls=(str(certs["self_cert"]), str(certs["self_key"]))) as farm:
        [ev] = _run(SETTINGS, _portal(farm.url("/")))
    assert ev.tls is not None and ev.tls.valid is False
    assert "certificate" in (ev.tls.error or "") and ev.tls.version in ("TLSv1.2", "TLSv1.3")
    # read off the certificate's own bytes, as ssl describes no unverified peer: issued by itself, 5 days to go
    assert ev.tls.issuer == "127.0.0.1" and ev.tls.days_left in (4, 5) and ev.tls.expires
    assert ev.https_redirect is not None and ev.https_redirect.redirects is None  # a test port: not asked
    assert "non-standard HTTPS port" in (ev.https_redirect.error or "")
    en, vi = _lines(ev, "sec.tls_valid")
    assert en.startswith("valid TLS certificate: no: tls: ")
    assert en.endswith(
        f"(issued by 127.0.0.1, expires {ev.tls.expires[:10]}: in {ev.tls.days_left} days, {ev.tls.version})"
    )
    assert f"do 127.0.0.1 cấp, hết hạn ngày {ev.tls.expires[:10]}: còn {ev.tls.days_left} ngày" in vi


@pytest.mark.browser
def test_http_to_https_redirect_names_where_http_leads(certs, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certs["ca"]))
    with Farm(HOME, tls=(str(certs["cert"]), str(certs["key"]))) as secure:
        with Farm({"/": lambda h: h.redirect(secure.url("/"), 301)}) as plain:
            [ev] = _run(SETTINGS, _portal(plain.url("/")))
        with Farm(HOME) as stays_plain:
            [plain_ev] = _run(SETTINGS, _portal(stays_plain.url("/")))
    hr = ev.https_redirect
    assert hr == HttpsRedirect(
        redirects=True, url=plain.url("/"), final_url=secure.url("/"), status=200, hops=[plain.url("/")]
    )
    en, vi = _lines(ev, "sec.https_redirect")
    assert en == f"http redirects to https: yes: {plain.url('/')} → {secure.url('/')}"
    assert vi.endswith(f"có: {plain.url('/')} → {secure.url('/')}")
    assert plain_ev.https_redirect is not None and plain_ev.https_redirect.redirects is False
    en, vi = _lines(plain_ev, "sec.https_redirect")
    assert en == f"http redirects to https: no: {stays_plain.url('/')} answers 200 at {stays_plain.url('/')}"
    assert "trả về mã 200" in vi


@pytest.mark.parametrize("days", [5, 12000])  # before 2050 a UTCTime, after it a GeneralizedTime
def test_certificate_facts_are_read_from_the_bytes_as_openssl_reads_them(tmp_path, days):
    key, pem = tmp_path / "k.pem", tmp_path / "c.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(pem), "-days", str(days),
             "-utf8", "-subj", "/C=VN/O=Cục Chứng thực số/CN=ca.example.gov.vn")  # fmt: skip
    der = ssl.PEM_cert_to_DER_cert(pem.read_text())
    end = subprocess.run(["openssl", "x509", "-in", str(pem), "-noout", "-enddate"], capture_output=True, text=True)
    not_after = datetime.strptime(end.stdout.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y GMT").replace(tzinfo=UTC)
    facts = certificate_facts(der)
    assert facts["issuer"] == "Cục Chứng thực số"  # the organisation, UTF-8, before the common name
    assert facts["expires"] == not_after.isoformat() and facts["days_left"] in (days - 1, days)
    later = certificate_facts(der, now=not_after + timedelta(days=3, hours=1))
    assert later["days_left"] == -4  # expired: said in days, negative
    assert certificate_facts(der[:100]) == {} and certificate_facts(b"") == {}  # unreadable: nothing claimed


def test_runs_stored_before_the_typed_checks_keep_their_plain_lines():
    stored = {  # as such a run is read back from the store
        "portal": {"id": "p", "name": "Cổng", "kind": "province", "url": "https://p.example/"},
        "site": {"tls": {"valid": False, "error": "certificate has expired"}, "https_redirect": True},
    }
    ev = PortalEvidence.from_dict(stored)
    assert _lines(ev, "sec.tls_valid")[0] == "valid TLS certificate: no: certificate has expired"
    assert _lines(ev, "sec.https_redirect")[0] == "http redirects to https: yes"
    ev.tls = TlsCheck(valid=False, error="tls: certificate has expired", version="TLSv1.2")
    assert _lines(ev, "sec.tls_valid")[0] == "valid TLS certificate: no: tls: certificate has expired (TLSv1.2)"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=599))
def test_a_portal_s_malformed_certificate_bytes_never_raise(data, cut):
    # The bytes come from the portal: anything at all yields facts or nothing, never an exception.
    assert isinstance(certificate_facts(data), dict)
    assert isinstance(certificate_facts(b"\x30\x82\x02\x00" + data[:cut]), dict)
