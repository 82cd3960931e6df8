"""The one way out: a SOCKS5 proxy on 127.0.0.1 that every browser and light request of a run goes through.

Each connection names its destination (host and port, as the client was asked for it: SOCKS5 lets the
proxy resolve the name). The proxy resolves it, checks every address with the run's NetPolicy, connects
to an address it checked, and then only relays bytes. So the rule holds for documents, subresources,
iframes, workers, `fetch()`, WebSockets and redirect hops alike, and for a name that resolves elsewhere a
moment after it was checked (DNS rebinding); neither client resolves a portal's names itself.

Why a SOCKS5 proxy rather than the browser's request interception or an HTTP proxy: interception sees a
request before DNS and not at all for redirect hops, preconnects or WebSockets; an HTTP proxy must parse
every plain-HTTP message to keep connections alive. A SOCKS5 tunnel is raw TCP: the browser keeps its own
connection reuse (timings stay what a citizen's browser would see) and the proxy stays small. HTTPS stays
end to end (the proxy never sees inside it).

A refused or failed destination is answered with a SOCKS error, which clients report vaguely
(ERR_SOCKS_CONNECTION_FAILED); `explain()` gives the named reason the proxy recorded, so the page that
caused it can say what happened ("internal address", "DNS: ... does not resolve", "connection refused").
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import struct
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from .netpolicy import NetPolicy, Refusal, ascii_host, display_host

log = logging.getLogger("portalscore.egress")

CONNECT_TIMEOUT_S = 15.0
DNS_TIMEOUT_S = 10.0
IDLE_TIMEOUT_S = 120.0  # a tunnel with no byte either way for this long is closed
HANDSHAKE_TIMEOUT_S = 10.0
CHUNK = 65536
MAX_REMEMBERED = 4096  # failures kept for explain()

# SOCKS5 reply codes (RFC 1928)
_OK, _FAIL, _NOT_ALLOWED, _NET_UNREACHABLE, _HOST_UNREACHABLE, _REFUSED, _TTL, _NO_COMMAND, _NO_ATYP = range(9)
_REPLY_FOR = {
    "internal-address": _NOT_ALLOWED,
    "host-not-allowed": _NOT_ALLOWED,
    "scheme": _NOT_ALLOWED,
    "bad-url": _NOT_ALLOWED,
    "dns": _HOST_UNREACHABLE,
    "refused": _REFUSED,
    "timeout": _TTL,
    "unreachable": _NET_UNREACHABLE,
    "failed": _FAIL,
}


@dataclass(frozen=True)
class Failure:
    refusal: Refusal
    at: float  # time.monotonic()


class Egress:
    """Start with `start()` (or as a context manager); `proxy_url` is what browsers and clients are given."""

    def __init__(self, policy: NetPolicy | None = None):
        self.policy = policy or NetPolicy()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self.port = 0
        self._failures: OrderedDict[tuple[str, int], Failure] = OrderedDict()
        self._lock = threading.Lock()
        self.connections = 0
        self.refused = 0

    # -- life ------------------------------------------------------------------------------------
    def start(self) -> Egress:
        if self._thread is not None:
            return self
        started = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as e:  # reported to the caller of start()
                errors.append(e)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        # Its own thread and loop: a busy crawl loop (or a scenario thread blocked in the browser) never
        # holds up the bytes of a page being timed.
        self._thread = threading.Thread(target=run, name="portalscore-egress", daemon=True)
        self._thread.start()
        started.wait()
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(close(), loop).result(5)
        except Exception:  # already closing
            pass
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        self._thread = self._loop = None

    def __enter__(self) -> Egress:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def proxy_url(self) -> str:
        if not self.port:
            raise RuntimeError("the egress proxy is not started")
        return f"socks5://127.0.0.1:{self.port}"

    # -- what happened ---------------------------------------------------------------------------
    def explain(self, host: str, port: int, since: float = 0.0) -> Refusal | None:
        """The reason the last connection to (host, port) was refused or failed, if it was (after `since`)."""
        try:
            key = (ascii_host(host), port)
        except ValueError:
            return None
        with self._lock:
            failure = self._failures.get(key)
        return failure.refusal if failure is not None and failure.at >= since else None

    def _remember(self, host: str, port: int, refusal: Refusal) -> None:
        with self._lock:
            self._failures[(host, port)] = Failure(refusal, time.monotonic())
            self._failures.move_to_end((host, port))
            while len(self._failures) > MAX_REMEMBERED:
                self._failures.popitem(last=False)

    # -- one client connection -------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: asyncio.StreamWriter | None = None
        try:
            try:
                host, port = await asyncio.wait_for(self._handshake(reader, writer), HANDSHAKE_TIMEOUT_S)
            except (TimeoutError, asyncio.IncompleteReadError, ValueError, ConnectionError):
                return
            self.connections += 1
            opened = await self._open(host, port)
            if isinstance(opened, Refusal):
                self._remember(host, port, opened)
                if opened.kind in ("internal-address", "host-not-allowed", "scheme", "bad-url"):
                    self.refused += 1
                    log.info(
                        "refused %s:%s: %s",
                        host,
                        port,
                        opened.message,
                        extra={
                            "event": "egress_refused",
                            "host": display_host(host),
                            "port": port,
                            "reason": opened.kind,
                        },
                    )
                writer.write(_reply(_REPLY_FOR.get(opened.kind, _FAIL)))
                await writer.drain()
                return
            up_reader, upstream = opened
            writer.write(_reply(_OK))
            await writer.drain()
            await _relay(reader, writer, up_reader, upstream)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            for w in (writer, upstream):
                if w is not None:
                    w.close()

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int]:
        version, nmethods = await reader.readexactly(2)
        if version != 5:
            raise ValueError("not SOCKS5")
        methods = await reader.readexactly(nmethods)
        if 0 not in methods:  # we offer no authentication: the port is on loopback and enforces the rule anyway
            writer.write(b"\x05\xff")
            await writer.drain()
            raise ValueError("no acceptable method")
        writer.write(b"\x05\x00")
        await writer.drain()
        version, command, _, atyp = await reader.readexactly(4)
        if atyp == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif atyp == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        elif atyp == 3:
            length = (await reader.readexactly(1))[0]
            host = ascii_host((await reader.readexactly(length)).decode("utf-8", "replace"))
        else:
            writer.write(_reply(_NO_ATYP))
            await writer.drain()
            raise ValueError("address type")
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # CONNECT only: no BIND, no UDP ASSOCIATE
            writer.write(_reply(_NO_COMMAND))
            await writer.drain()
            raise ValueError("command")
        return host, port

    async def _open(self, host: str, port: int):
        """(reader, writer) to an address of host:port that the policy allows, or the Refusal."""
        refusal = self.policy.check_name(host, port)
        if refusal:
            return refusal
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), DNS_TIMEOUT_S)
        except TimeoutError:
            return Refusal("dns", f"DNS: no answer for {display_host(host)} within {DNS_TIMEOUT_S:g}s")
        except (socket.gaierror, UnicodeError) as e:
            return Refusal("dns", f"DNS: {display_host(host)} does not resolve ({e.args[-1] if e.args else e})")
        checked = self.policy.check_addresses(host, port, [str(info[4][0]) for info in infos])
        if isinstance(checked, Refusal):
            return checked
        last: Refusal | None = None
        for ip in checked:
            try:
                return await asyncio.wait_for(asyncio.open_connection(str(ip), port), CONNECT_TIMEOUT_S)
            except TimeoutError:
                last = Refusal("timeout", f"no connection to {display_host(host)}:{port} within {CONNECT_TIMEOUT_S:g}s")
            except ConnectionRefusedError:
                last = Refusal("refused", f"connection refused by {display_host(host)}:{port}")
            except OSError as e:
                last = Refusal("unreachable", f"{display_host(host)}:{port} unreachable ({e.strerror or e})")
        return last or Refusal("failed", f"no connection to {display_host(host)}:{port}")


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def _reply(code: int) -> bytes:
    return bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0])


async def _relay(
    a_reader: asyncio.StreamReader,
    a_writer: asyncio.StreamWriter,
    b_reader: asyncio.StreamReader,
    b_writer: asyncio.StreamWriter,
) -> None:
    """Bytes both ways until either side closes or nothing moves for IDLE_TIMEOUT_S."""
    last = [time.monotonic()]

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    data = await reader.read(CHUNK)
                except ConnectionResetError:
                    _reset(writer)  # passed on as a reset, not a clean close: the client names what happened
                    return
                if not data:
                    break
                last[0] = time.monotonic()
                writer.write(data)
                await writer.drain()
        finally:
            if writer.can_write_eof():
                try:
                    writer.write_eof()
                except OSError:
                    pass

    tasks = [asyncio.ensure_future(pump(a_reader, b_writer)), asyncio.ensure_future(pump(b_reader, a_writer))]
    try:
        while True:
            done, _ = await asyncio.wait(tasks, timeout=IDLE_TIMEOUT_S / 4, return_when=asyncio.ALL_COMPLETED)
            if len(done) == len(tasks) or time.monotonic() - last[0] > IDLE_TIMEOUT_S:
                break
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
