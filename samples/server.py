"""Serving the sample portals on 127.0.0.1: one ThreadingHTTPServer per portal, each its own origin.

The servers log every request (method, path) so tests can prove portalscore never sends a POST,
and stop cleanly: idle keep-alive connections are shut, designed delays are cut short, every
thread is joined and every port released.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from .app import PortalApp, Response
from .profiles import SAMPLE_PORTALS, SERVER_HEADERS, PortalSpec
from .shaping import Shaping

READ_METHODS = ("GET", "HEAD")
MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is dropped after this (stop() drops it at once)
    server: PortalServer

    def version_string(self) -> str:
        return self.server.server_header

    def log_message(self, format: str, *args) -> None:  # the request log is kept in memory instead
        pass

    def _send(self, resp: Response, head_only: bool = False) -> None:
        if resp.delay and self.server.stopping.wait(resp.delay):
            self.close_connection = True
            return
        self.send_response(resp.status)
        if resp.status != 204:
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head_only and resp.status != 204:
            self._write(resp.body)

    def _write(self, body: bytes) -> None:
        kbps = self.server.shaping.kbps if self.server.shaping else 0
        if not kbps:
            self.wfile.write(body)
            return
        chunk = 16 * 1024  # paced in 16 KB steps: the bandwidth cap of a slow link, per connection
        for i in range(0, len(body), chunk):
            started = time.monotonic()
            self.wfile.write(body[i : i + chunk])
            if self.server.stopping.wait(max(0.0, chunk / (kbps * 1024) - (time.monotonic() - started))):
                return

    def _shaped_get(self) -> Response | None:
        """The answer to a GET under the server's shaping; None when the shaping drops the request."""
        shaping = self.server.shaping
        if shaping is None:
            return self.server.app.get(self.path, self.server.base_url)
        if shaping.fault == "timeout":
            self.server.stopping.wait()  # accepts, reads, never answers: the client's timeout ends it
            self.close_connection = True
            return None
        own = shaping.static(self.path.split("?", 1)[0])
        resp = own or shaping.shape(self.server.app.get(self.path, self.server.base_url))
        page = resp.status == 200 and resp.content_type.startswith("text/html")
        if shaping.fault == "reset" and page and self.server.count_html() % 3 == 0:
            # SO_LINGER 0: close() sends a TCP reset, as an overloaded balancer dropping the connection does
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        return resp

    def _answer(self) -> None:
        self.server.record(self.command, self.path)
        if self.command in READ_METHODS:
            resp = self._shaped_get()
            if resp is not None:
                self._send(resp, head_only=self.command == "HEAD")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True  # the unread rest of the body would be taken for the next request
            length = 0
        body = self.rfile.read(length) if length else b""
        if self.command == "POST":
            wants_json = "application/json" in (self.headers.get("Accept") or "")
            self._send(self.server.app.post(self.path, body, wants_json))
        else:
            self._send(self.server.app.method_not_allowed())

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer


class PortalServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every request thread
    block_on_close = True

    def __init__(self, spec: PortalSpec, shaping: Shaping | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.spec = spec
        self.shaping = shaping  # samples/shaping.py: slow, heavy or faulty on purpose (the national bench)
        self._html_count = 0
        self.app = PortalApp(spec)
        self.server_header = SERVER_HEADERS.get(spec.id, "nginx")
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._log: list[tuple[str, str]] = []
        self._open: set[socket.socket] = set()

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self._log.append((method, path))

    def requests(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._log)

    def count_html(self) -> int:
        """1, 2, 3 ... over the HTML answers of this server (which of them a "reset" fault drops)."""
        with self._lock:
            self._html_count += 1
            return self._html_count

    def process_request(self, request, client_address) -> None:
        with self._lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, (ConnectionError, TimeoutError)):
            return  # a browser closing a connection is normal
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._lock:
            open_now = list(self._open)
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@dataclass(frozen=True)
class SamplePortal:
    id: str
    name: str
    kind: str
    url: str
    profile: PortalSpec


class SampleFleet:
    """The sample portals, served in-process. Use as a context manager or call stop()."""

    def __init__(self, servers: list[PortalServer]):
        self._servers = {s.spec.id: s for s in servers}
        self._threads: list[threading.Thread] = []
        self.portals = [SamplePortal(s.spec.id, s.spec.name, s.spec.kind, s.base_url + "/", s.spec) for s in servers]

    @classmethod
    def start(
        cls, specs: tuple[PortalSpec, ...] = SAMPLE_PORTALS, shaping: dict[str, Shaping] | None = None
    ) -> SampleFleet:
        """shaping: portal id -> how its server is slowed or broken (samples/shaping.py); none by default."""
        servers: list[PortalServer] = []
        try:
            for spec in specs:
                servers.append(PortalServer(spec, (shaping or {}).get(spec.id)))
        except OSError:
            for s in servers:
                s.server_close()
            raise
        fleet = cls(servers)
        for s in servers:
            t = threading.Thread(
                target=s.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sample-portal-{s.spec.id}", daemon=True
            )
            t.start()
            fleet._threads.append(t)
        return fleet

    def portal(self, portal_id: str) -> SamplePortal:
        for p in self.portals:
            if p.id == portal_id:
                return p
        raise KeyError(f"no sample portal {portal_id!r}")

    def registry_dict(self) -> dict:
        return {
            "name": "samples",
            "portals": [{"id": p.id, "name": p.name, "kind": p.kind, "url": p.url} for p in self.portals],
        }

    def write_registry(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump(self.registry_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def requests(self, portal_id: str) -> list[tuple[str, str]]:
        """Every (method, path) the portal has received, in order."""
        if portal_id not in self._servers:
            raise KeyError(f"no sample portal {portal_id!r}")
        return self._servers[portal_id].requests()

    def non_get_count(self, portal_id: str | None = None) -> int:
        """Requests other than GET/HEAD (POST, PUT...) received by one portal, or by all."""
        ids = [portal_id] if portal_id else list(self._servers)
        return sum(1 for pid in ids for method, _ in self.requests(pid) if method not in READ_METHODS)

    def stop(self) -> None:
        for s in self._servers.values():
            s.stopping.set()
        for s in self._servers.values():
            s.shutdown()
        for s in self._servers.values():
            s.close_connections()
            s.server_close()
        for t in self._threads:
            t.join()
        self._threads.clear()

    def __enter__(self) -> SampleFleet:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
