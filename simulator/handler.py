"""The HTTP side of the simulator: a threading server on 127.0.0.1 and its request handler."""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import faults as F
from .requestlog import RequestRecord

if TYPE_CHECKING:
    from .server import Simulator
    from .sites import SiteApp

logger = logging.getLogger(__name__)


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    """Listen backlog (socketserver's default of 5 drops bursts of connections: 1 s SYN retries)."""
    sim: Simulator

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.open_sockets: set[socket.socket] = set()
        self.sock_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), SimHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Headers and body go out in separate writes: with Nagle on, the body waits for the
        # client's delayed ACK (~40 ms a response on Linux loopback).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.sock_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sock_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self.sock_lock:
            socks, self.open_sockets = list(self.open_sockets), set()
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    server: SimServer
    _rec: RequestRecord

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.headers.get("Host", "-") if hasattr(self, "headers") else "-",
                     format % args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve("POST")

    # -- plumbing ----------------------------------------------------------------
    def _serve(self, method: str) -> None:
        sim = self.server.sim
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip().lower()
        target = self.path
        if "://" in target:  # absolute-form request target
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k.lower(): v for k, v in self.headers.items()}
        rec = sim.requests.begin(RequestRecord(host, method, target, headers, time.monotonic()))
        self._rec = rec
        status = 0
        try:
            status = self._respond(sim, host, target, method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            logger.exception("simulator failed on %s %s%s", method, host, target)
            status = self._send(500, [("Content-Type", "text/html")], F.status_body(500), method)
        finally:
            sim.requests.end(rec, status)

    def _commit(self, status: int) -> None:
        """Mark the response as answered with ``status``, before any of it reaches the client."""
        self.server.sim.requests.commit(self._rec, status)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, method: str) -> int:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self._commit(status)
        self.end_headers()
        if method != "HEAD" and status not in (204, 304):
            self.wfile.write(body)
        return status

    def _reset(self) -> int:
        self._commit(0)
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        return 0

    def _respond(self, sim: Simulator, host: str, target: str, method: str) -> int:
        app = sim._hosts.get(host)
        if app is None:
            return self._send(404, [("Content-Type", "text/plain")], b"unknown host\n", method)
        fault = sim._faults.match(host, target)
        if fault and fault.kind == "delay":
            sim._stopping.wait(float(fault.params.get("seconds", 1.0)))
        elif fault and fault.kind != "truncate":
            return self._fault(fault, app, target, method)
        page = sim._page(app, target, method, self.headers)
        headers = [("Content-Type", page.content_type), *page.headers]
        if fault and fault.kind == "truncate":
            keep = int(len(page.body) * float(fault.params.get("fraction", 0.5)))
            self.close_connection = True
            self.send_response(page.status)
            for k, v in headers + [("Content-Length", str(len(page.body))), ("Connection", "close")]:
                self.send_header(k, v)
            self._commit(page.status)
            self.end_headers()
            self.wfile.write(page.body[:keep])
            return page.status
        return self._send(page.status, headers, page.body, method)

    def _fault(self, fault: F.Fault, app: SiteApp, target: str, method: str) -> int:
        p, kind = fault.params, fault.kind
        html = [("Content-Type", "text/html")]
        if kind in ("reset", "down"):
            return self._reset()
        if kind == "status":
            code = int(p.get("code", 503))
            extra = [("Retry-After", str(p["retry_after"]))] if p.get("retry_after") is not None else []
            return self._send(code, html + extra, F.status_body(code), method)
        if kind == "redirect":
            return self._send(int(p.get("code", 302)), html + [("Location", str(p["location"]))], b"", method)
        if kind == "redirect_loop":
            path = target.split("?", 1)[0]
            loc = path if "_loop=1" in target else f"{path}?_loop=1"
            return self._send(302, html + [("Location", app.base + loc)], b"", method)
        if kind == "gzip_bomb":
            body = F.gzip_bomb(int(p.get("mb", 64)))
            return self._send(200, html + [("Content-Encoding", "gzip")], body, method)
        if kind == "binary":
            return self._send(200, html, F.binary(int(p.get("size", 64 * 1024))), method)
        # big: stream without building the whole body
        size = int(p.get("size", 10 * 1024 * 1024))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self._commit(200)
        self.end_headers()
        if method != "HEAD":
            for chunk in F.big_chunks(size):
                self.wfile.write(chunk)
        return 200
