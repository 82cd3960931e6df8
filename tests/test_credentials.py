"""Portals behind a login (staging sites behind HTTP Basic authentication): the credentials come from the
environment or a secrets file, reach the portal's own origin and nothing else, and never appear in logs,
progress, the database or the report."""

from __future__ import annotations

import base64
import io
import logging
import sqlite3
import textwrap
from pathlib import Path
from urllib.parse import quote

import pytest

from portalscore import credentials
from portalscore.contract import secrets
from portalscore.contract.errors import InputError
from portalscore.registry import load_registry
from tests.browsers import journey_browser
from tests.faultfarm import Farm, basic_auth, links, page
from tests.helpers import portalscore_cli

USER, PASSWORD = "kiemthu", "Kt-9fQ2z!vX7#staging"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SET = "staging-account"
ENV = {"PORTALSCORE_SECRET_STAGING_ACCOUNT_USERNAME": USER, "PORTALSCORE_SECRET_STAGING_ACCOUNT_PASSWORD": PASSWORD}
LEAKS = (PASSWORD, TOKEN, quote(PASSWORD, safe=""))


@pytest.fixture(autouse=True)
def no_credentials_left():
    yield
    secrets.deactivate(forget_values=True)


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def other_farm() -> Farm:
    """Another portal on another origin: it must never be sent the staging credentials, not even when it
    asks for Basic credentials itself (/dang-nhap answers 401 with a challenge, as a phishing host would)."""
    return Farm(
        {
            "/": page("Cổng khác", "<p>Cổng dịch vụ công khác</p>"),
            "/dang-nhap": basic_auth(None, "ai-do", "khac"),
            "/mau.pdf": lambda h: h.send(200, b"%PDF-1.4\n" + b"0" * 500, content_type="application/pdf"),
            "/anh.png": lambda h: h.send(200, PNG, content_type="image/png"),
        }
    )


def staging_farm(other: Farm) -> Farm:
    """A staging portal behind Basic auth whose pages echo sensitive-looking things back: the header it was
    sent, the password, a link carrying user:pass@; and that reach the other portal (image, redirects, links)."""

    def home(h) -> None:
        echoed = h.headers.get("Authorization", "")
        h.send(
            200,
            page(
                f"Xin chào {USER} ({echoed})",
                f"<p>Đã đăng nhập với {echoed}; mật khẩu {PASSWORD}</p>"
                f"<img src='{other.url('/anh.png')}' alt='Ảnh minh hoạ'>"
                + links(
                    "/chuyen",
                    "/thu-tuc",
                    "/mau-don.pdf",
                    "/tra-cuu?mk=" + quote(PASSWORD, safe=""),
                    f"http://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{other.port}/",
                    other.url("/"),
                ),
            ),
        )

    routes = {
        "/": home,
        "/thu-tuc": page("Thủ tục", "<p>Danh sách thủ tục</p>" + links("/", "/tra-cuu")),
        "/tra-cuu": page("Tra cứu hồ sơ", "<p>Nhập mã hồ sơ</p>" + links("/")),
        "/chuyen": lambda h: h.redirect(other.url("/dang-nhap")),  # a page load that ends on the other origin
        "/mau-don.pdf": lambda h: h.redirect(other.url("/mau.pdf")),  # a document: a light check, redirected
    }
    routes = {path: basic_auth(route, USER, PASSWORD) for path, route in routes.items()}
    routes["*"] = basic_auth(None, USER, PASSWORD)  # robots.txt, sitemap.xml: 401 too without the credentials
    return Farm(routes)


def write_registry(path: Path, staging: Farm, other: Farm, extra: str = "") -> Path:
    path.write_text(
        textwrap.dedent(f"""\
        name: staging-test
        portals:
          - id: thu-nghiem
            name: Cổng thử nghiệm
            kind: other
            url: {staging.url("/")}
            credentials: {SET}{extra}
          - id: cong-khac
            name: Cổng khác
            kind: other
            url: {other.url("/")}
        """),
        encoding="utf-8",
    )
    return path


def authorization_headers(farm: Farm) -> list[str]:
    return [v for hit in farm.hits for k, v in hit.headers.items() if k.lower() == "authorization"]


def assert_nothing_leaked(tmp_path: Path, *texts: str) -> None:
    """No spelling of the secret in the database files (with SQLite's WAL), the output folder or the console."""
    files = list(tmp_path.glob("db.sqlite*")) + [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert any(p.name == "db.sqlite" for p in files) and any(p.name == "index.html" for p in files)
    for leak in LEAKS:
        needle = leak.encode()
        for f in files:
            assert needle not in f.read_bytes(), f"{leak!r} found in {f}"
        for text in texts:
            assert leak not in text, f"{leak!r} found on the console"


@pytest.mark.parametrize("source", ["environment", "secrets-file"])
def test_staging_portal_is_crawled_and_its_credentials_never_leak(tmp_path, source):
    env, extra = dict.fromkeys(ENV, ""), []  # empty: the caller's environment must not provide them
    if source == "environment":
        env = dict(ENV)
    else:
        secrets_file = tmp_path / "secrets.yaml"
        secrets_file.write_text(f"{SET}:\n  username: {USER}\n  password: '{PASSWORD}'\n", encoding="utf-8")
        secrets_file.chmod(0o600)
        extra = ["--secrets", str(secrets_file)]
    with other_farm() as other, staging_farm(other) as staging:
        registry = write_registry(tmp_path / "registry.yaml", staging, other)
        db = tmp_path / "db.sqlite"
        proc = portalscore_cli(
            "-v",
            "run",
            "--registry",
            str(registry),
            "--out",
            str(tmp_path / "out"),
            "--db",
            f"sqlite:///{db}",
            "--max-pages",
            "3",
            "--lab-runs",
            "1",
            "--no-scenarios",
            "--allow-host",
            "127.0.0.1",
            *extra,
            env=env,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]

        # The portal was evaluated as its users see it: pages behind the login answered 200.
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT url, json_extract(data, '$.status') FROM pages "
                "WHERE portal_id = 'thu-nghiem' AND profile = 'desktop'"
            ).fetchall()
        behind_login = [status for url, status in rows if not url.endswith("/chuyen")]  # /chuyen leaves the portal
        assert len(behind_login) >= 2 and set(behind_login) == {200}, rows
        assert staging.count("/") >= 1
        expected = f"Basic {TOKEN}"
        # Light requests (robots.txt) carry them too, preemptively, to the portal's own origin.
        assert any(h.path == "/robots.txt" and h.headers.get("Authorization") == expected for h in staging.hits)

        # The other origin got requests from the staging portal's pages (image, redirect) and never the header.
        reached = {h.path for h in other.hits}  # any method: link checks use HEAD
        assert {"/anh.png", "/dang-nhap", "/mau.pdf"} <= reached, reached
        assert authorization_headers(other) == []
    assert_nothing_leaked(tmp_path, proc.stdout, proc.stderr)
    # What the pages echoed is kept, masked.
    assert "***" in (tmp_path / "out" / "evidence" / "thu-nghiem.json").read_text(encoding="utf-8")


def test_journeys_offer_the_credentials_to_the_portal_only_and_keep_no_trace(tmp_path):
    from portalscore.scenarios.runner import run_scenarios

    with other_farm() as other, staging_farm(other) as staging:
        registry = load_registry(write_registry(tmp_path / "registry.yaml", staging, other))
        secrets.activate(credentials.resolve(registry, environ=ENV))
        with journey_browser(only_loopback=False) as browser:
            results = run_scenarios(browser, registry.portals[0], tmp_path / "artefacts", only=["home"])
        home = results[0]
        assert home.steps[0].name == "open_home" and home.steps[0].ok, home.steps  # not a 401
        title = next(s for s in home.steps if s.name == "title")
        assert title.detail.startswith(f"Xin chào {USER}"), title.detail  # the page behind the login was read
        assert f"Basic {TOKEN}" in authorization_headers(staging)
        assert "/anh.png" in other.paths() and authorization_headers(other) == []  # the image, loaded by the page
        # A failing journey keeps a trace and a screenshot, except on a portal with credentials.
        assert home.outcome == "failed", home
        assert home.trace is None and home.screenshot is None
        assert not (tmp_path / "artefacts").exists() or not any((tmp_path / "artefacts").iterdir())


def refused(tmp_path: Path, registry_text: str, env: dict | None = None, *extra: str):
    registry = tmp_path / "registry.yaml"
    registry.write_text(textwrap.dedent(registry_text), encoding="utf-8")
    out = tmp_path / "out"
    proc = portalscore_cli(
        "run",
        "--registry",
        str(registry),
        "--out",
        str(out),
        "--db",
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        *extra,
        env={**dict.fromkeys(ENV, ""), **(env or {})},
        timeout=120,
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("portalscore: error: "), proc.stderr  # one line, no traceback
    assert not out.exists() and not (tmp_path / "db.sqlite").exists(), "nothing may be written"
    return lines[0]


PORTAL = """\
    name: staging-test
    portals:
      - id: tinh-a
        name: Tỉnh A
        kind: province
        url: http://127.0.0.1:9/
      - id: thu-nghiem
        name: Cổng thử nghiệm
        kind: other
        url: http://127.0.0.1:9/staging/
"""


def test_a_credential_set_that_is_not_provided_stops_the_run(tmp_path):
    line = refused(tmp_path, PORTAL + "        credentials: staging-account\n")
    for needle in (
        "registry.yaml:11:",
        "portals[1].credentials",
        "'thu-nghiem'",
        "'staging-account'",
        "PORTALSCORE_SECRET_STAGING_ACCOUNT_USERNAME",
        "PORTALSCORE_SECRET_STAGING_ACCOUNT_PASSWORD",
        "--secrets",
    ):
        assert needle in line, line


def test_half_a_credential_set_in_the_environment_is_refused(tmp_path):
    line = refused(
        tmp_path,
        PORTAL + "        credentials: staging-account\n",
        {"PORTALSCORE_SECRET_STAGING_ACCOUNT_PASSWORD": PASSWORD},
    )
    assert "registry.yaml:11:" in line and "PORTALSCORE_SECRET_STAGING_ACCOUNT_USERNAME is not set" in line, line
    assert PASSWORD not in line


@pytest.mark.parametrize(
    "entry, needles",
    [
        (
            f"        password: {PASSWORD}\n",
            ("registry.yaml:11:", "portals[1].password", "do not belong in a registry"),
        ),
        (
            f"        credentials:\n          username: {USER}\n          password: {PASSWORD}\n",
            ("registry.yaml:11:", "portals[1].credentials", "must be the NAME of a credential set"),
        ),
        (f"        http_credentials: {USER}:{PASSWORD}\n", ("registry.yaml:11:", "do not belong in a registry")),
    ],
    ids=["password-key", "values-under-credentials", "http_credentials-key"],
)
def test_secret_values_in_the_registry_are_refused_without_being_echoed(tmp_path, entry, needles):
    line = refused(tmp_path, PORTAL + entry)
    for needle in needles:
        assert needle in line, line
    assert PASSWORD not in line


def test_a_password_in_a_portal_url_is_refused_without_being_echoed(tmp_path):
    text = PORTAL.replace("http://127.0.0.1:9/staging/", f"http://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:9/")
    line = refused(tmp_path, text)
    assert "registry.yaml:10:" in line and "portals[1].url" in line and "credentials: NAME" in line, line
    assert quote(PASSWORD, safe="") not in line and PASSWORD not in line


def test_secrets_file_checks_and_permission_warning(tmp_path, caplog):
    path = tmp_path / "secrets.yaml"
    path.write_text(f"{SET}:\n  username: {USER}\n  password: '{PASSWORD}'\n", encoding="utf-8")
    path.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="portalscore.contract.secrets"):
        creds = credentials.load_file(path)
    assert creds[SET].username == USER and creds[SET].password == PASSWORD and caplog.records == []
    assert PASSWORD not in repr(creds)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="portalscore.contract.secrets"):
        credentials.load_file(path)
    assert any(
        "accessible by group or others" in r.getMessage() and "chmod 600" in r.getMessage() for r in caplog.records
    )

    path.write_text(f"{SET}:\n  username: {USER}\n  password: 12345678\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(InputError) as e:
        credentials.load_file(path)
    assert str(e.value).startswith(f"{path}:3: {SET}.password: must be a non-empty string")
    with pytest.raises(InputError, match="file not found"):
        credentials.load_file(tmp_path / "missing.yaml")


def test_environment_wins_over_the_file_and_names_are_mapped(tmp_path):
    assert credentials.env_names("staging-account.v2") == (
        "PORTALSCORE_SECRET_STAGING_ACCOUNT_V2_USERNAME",
        "PORTALSCORE_SECRET_STAGING_ACCOUNT_V2_PASSWORD",
    )
    path = tmp_path / "secrets.yaml"
    path.write_text(f"{SET}:\n  username: from-file\n  password: file-password\n", encoding="utf-8")
    path.chmod(0o600)
    registry_file = tmp_path / "registry.yaml"
    registry_file.write_text(textwrap.dedent(PORTAL) + "    credentials: staging-account\n", encoding="utf-8")
    registry = load_registry(registry_file)
    assert credentials.resolve(registry, path, environ={})["http://127.0.0.1:9"].username == "from-file"
    cred = credentials.resolve(registry, path, environ=ENV)["http://127.0.0.1:9"]
    assert (cred.username, cred.password, cred.source) == (USER, PASSWORD, "environment")

    # Two sets for one origin: which one the browser should answer with is ambiguous, so it is refused.
    text = textwrap.dedent(PORTAL).replace(
        "url: http://127.0.0.1:9/\n", "url: http://127.0.0.1:9/\n    credentials: other-account\n", 1
    )
    registry_file.write_text(text + "    credentials: staging-account\n", encoding="utf-8")
    other = {"PORTALSCORE_SECRET_OTHER_ACCOUNT_USERNAME": "u", "PORTALSCORE_SECRET_OTHER_ACCOUNT_PASSWORD": "p"}
    with pytest.raises(InputError, match="one origin has one credential set") as e:
        credentials.resolve(load_registry(registry_file), environ={**ENV, **other})
    assert str(e.value).startswith(f"{registry_file}:12: portals[1].credentials: portal 'thu-nghiem'")


def test_credentials_go_to_their_origin_only_and_are_masked_everywhere():
    secrets.activate({"http://127.0.0.1:8080": secrets.Credential(SET, USER, PASSWORD)})
    assert secrets.authorization("http://127.0.0.1:8080/a?b") == f"Basic {TOKEN}"
    for elsewhere in (
        "http://127.0.0.1:8081/",
        "https://127.0.0.1:8080/",
        "http://localhost:8080/",
        "http://127.0.0.1.evil.example:8080/",
        "http://kiemthu@evil.example/",
    ):
        assert secrets.authorization(elsewhere) is None, elsewhere
    assert secrets.http_credentials() == [{"username": USER, "password": PASSWORD, "origin": "http://127.0.0.1:8080"}]
    assert secrets.http_credentials("http://127.0.0.1:8081/") is None

    text = (
        f"pw {PASSWORD} / {quote(PASSWORD, safe='')} / Authorization: Basic {TOKEN} / "
        f"http://{USER}:secret@127.0.0.1:8080/x / authorization=Bearer abc.def"
    )
    masked = secrets.redact(text)
    assert all(leak not in masked for leak in LEAKS) and "secret@" not in masked and "abc.def" not in masked, masked
    assert "http://kiemthu:***@127.0.0.1:8080/x" in masked
    secrets.activate({"http://127.0.0.1:8081": secrets.Credential("khac", "u", "a&b<c>")})
    assert secrets.redact("<p>a&amp;b&lt;c&gt;</p> a&b<c>") == "<p>***</p> ***"  # as an axe node snippet shows it
    assert secrets.redact(PASSWORD) == "***"  # the earlier run's values stay masked
    assert secrets.scrub({"notes": [text], "status": 200})["notes"][0] == masked

    # A log handler with the filter the CLI installs: message, arguments and traceback are masked.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(secrets.RedactFilter())
    logger = logging.getLogger("portalscore.test_credentials")
    logger.addHandler(handler)
    try:
        logger.warning("login with %s", PASSWORD)
        try:
            raise RuntimeError(f"401 for http://{USER}:{PASSWORD}@127.0.0.1:8080/")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "login with ***" in written and "RuntimeError: 401 for http://kiemthu:***@127.0.0.1:8080/" in written
    assert PASSWORD not in written
