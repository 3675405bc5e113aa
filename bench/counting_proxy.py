"""A counting HTTP proxy on loopback, in front of one registry: every exchange is recorded.

``bench/promotion.py`` puts one in front of each registry and points the tools at it, so the
requests and bytes it reports are counted on the wire, not estimated. The proxy is transparent:
it forwards each request to the registry as it came (the ``Host`` header too, so the
registry's ``Location`` answers name the proxy), streams bodies both ways in 1 MiB pieces
(``Content-Length`` or chunked) and keeps one upstream connection per client connection. With
``token_port``, requests for ``/token`` go to the registry's token server instead: the registry
names the proxy as its realm, so token fetches are counted with the registry's requests.

Each exchange is recorded with its method, path, query, status, the body bytes the client sent
and received, the ``Location`` answered, its kind (:func:`kind_of`) and the client connection
it came on. A client that opens with a TLS hello (a tool probing for HTTPS before it falls back
to plain HTTP, as versionbot and skopeo do on loopback) is answered ``400`` and recorded as a
``tls probe``. Loopback only; a bench tool, not part of the package.
"""

from __future__ import annotations

import http.client
import itertools
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar, Final

CHUNK: Final = 1024 * 1024
# Hop-by-hop headers (RFC 9110, 7.6.1) are the proxy's own business, not forwarded; so is
# Expect (http.server answers 100-continue itself).
_HOP: Final = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "expect"}
)
_ROUTE: Final = re.compile(
    r"^/v2/(?P<name>.+?)/(?P<what>manifests|blobs/uploads|blobs|referrers|tags/list)(/|$)"
)
_KINDS: Final = {
    "manifests": "manifest",
    "blobs/uploads": "upload",
    "blobs": "blob",
    "referrers": "referrers",
    "tags/list": "tag list",
}
KINDS: Final = ("auth", "manifest", "blob", "upload", "referrers", "tag list", "tls probe", "other")
TLS_HANDSHAKE: Final = b"\x16"


def kind_of(path: str) -> str:
    """What a request path is about (distribution spec endpoints): ``auth`` for the ``/v2/``
    version check (where a client meets the auth challenge) and a token endpoint, ``manifest``,
    ``blob``, ``upload`` (``/blobs/uploads/``, mounts too), ``referrers``, ``tag list``; else
    ``other``."""
    if path in {"/v2", "/v2/"} or path.endswith("/token"):
        return "auth"
    found = _ROUTE.match(path)
    return "other" if found is None else _KINDS[found["what"]]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request through the proxy and its answer."""

    method: str
    path: str
    query: str
    status: int
    sent: int  # request body bytes, client to registry
    received: int  # response body bytes, registry to client
    kind: str
    connection: int  # the client connection's number (1, 2, ...)
    location: str = ""  # the Location answered, if any
    started: float = 0.0  # time.monotonic() when the request line arrived
    seconds: float = 0.0  # until the answer's last byte was relayed


class CountingProxy:
    """A proxy on ``127.0.0.1`` in front of ``upstream_port`` (plain HTTP) that records every
    exchange; a context manager (serves in a thread, stopped on exit). Both ports may be set
    after the proxy is made (its own port is known first, so a registry can name it)."""

    def __init__(self, upstream_port: int = 0, token_port: int | None = None) -> None:
        """Bind a free port now; serve once entered."""
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._connections = itertools.count(1)
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.upstream_port = upstream_port
        self.token_port = token_port
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the registry part of image references through the proxy."""
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def record(self, exchange: Exchange) -> None:
        """Keep one exchange (called by the handler threads)."""
        with self._lock:
            self._exchanges.append(exchange)

    def connection_number(self) -> int:
        """A new client connection's number."""
        with self._lock:
            return next(self._connections)

    def take(self) -> list[Exchange]:
        """Every exchange recorded since the last call, in order; the record starts afresh."""
        with self._lock:
            taken, self._exchanges = self._exchanges, []
            return taken


class _Handler(BaseHTTPRequestHandler):
    """One client connection: forward each request upstream on one kept-alive connection."""

    proxy: ClassVar[CountingProxy]
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (40 ms a response), a cost of the proxy, not of the tool.
    disable_nagle_algorithm = True

    def handle(self) -> None:
        """Answer a TLS hello with a plain 400 (as a plain-HTTP registry does), else proxy."""
        self.number = self.proxy.connection_number()
        self.upstreams: dict[int, http.client.HTTPConnection] = {}
        try:
            first = self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first == TLS_HANDSHAKE:
            probe = Exchange("-", "", "", 400, 0, 0, "tls probe", self.number, "", time.monotonic())
            self.proxy.record(probe)
            self.connection.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            super().handle()
        finally:
            for upstream in self.upstreams.values():
                upstream.close()

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the exchanges are the log."""

    def do_GET(self) -> None:
        """Forward."""
        self._forward()

    def do_HEAD(self) -> None:
        """Forward."""
        self._forward()

    def do_POST(self) -> None:
        """Forward."""
        self._forward()

    def do_PUT(self) -> None:
        """Forward."""
        self._forward()

    def do_PATCH(self) -> None:
        """Forward."""
        self._forward()

    def do_DELETE(self) -> None:
        """Forward."""
        self._forward()

    def _forward(self) -> None:
        started = time.monotonic()
        path, _, query = self.path.partition("?")
        port = self.proxy.upstream_port
        if self.proxy.token_port is not None and path == "/token":
            port = self.proxy.token_port
        if port not in self.upstreams:
            self.upstreams[port] = http.client.HTTPConnection("127.0.0.1", port)
        upstream = self.upstreams[port]
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        for name, value in self.headers.items():
            if name.lower() not in _HOP:
                upstream.putheader(name, value)
        if chunked:
            upstream.putheader("Transfer-Encoding", "chunked")
        upstream.endheaders()
        sent = 0
        for piece in self._dechunked() if chunked else self._sized():
            sent += len(piece)
            upstream.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            upstream.send(b"0\r\n\r\n")
        response = upstream.getresponse()
        received = self._answer(response)
        kind = kind_of(path)
        location = response.headers.get("Location", "")
        self.proxy.record(
            Exchange(
                self.command,
                path,
                query,
                response.status,
                sent,
                received,
                kind,
                self.number,
                location,
                started,
                time.monotonic() - started,
            )
        )

    def _sized(self) -> Iterator[bytes]:
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            piece = self.rfile.read(min(left, CHUNK))
            if not piece:
                raise ConnectionError("the client closed during its request body")
            left -= len(piece)
            yield piece

    def _dechunked(self) -> Iterator[bytes]:
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in {b"\r\n", b"\n", b""}:
                    pass  # trailers
                return
            piece = self.rfile.read(size)
            self.rfile.readline()
            yield piece

    def _answer(self, response: http.client.HTTPResponse) -> int:
        """Relay ``response`` to the client; the body bytes relayed."""
        self.send_response_only(response.status, response.reason)
        sized = response.headers.get("Content-Length") is not None
        bodiless = self.command == "HEAD" or response.status in {204, 304}
        for name, value in response.headers.items():
            if name.lower() not in _HOP:
                self.send_header(name, value)
        if not sized and not bodiless:
            self.send_header("Transfer-Encoding", "chunked")
        if response.will_close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        received = 0
        if bodiless:
            response.read()
            return 0
        while piece := response.read(CHUNK):
            received += len(piece)
            self.wfile.write(piece if sized else b"%x\r\n%s\r\n" % (len(piece), piece))
        if not sized:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return received
