"""Proxies: ``GOVPRESS_PROXY`` / ``PROXY_URL`` or a site file's ``proxy``, through a real forwarding
proxy on 127.0.0.1 that records what passed through it; per-site politeness unchanged."""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive import Archive
from core.siteconfig import SITES_DIR, SiteConfigError, parse_site
from crawler.middlewares.siteaccess import egress_label
from tests.conftest import crawl


class ForwardingProxy(ThreadingHTTPServer):
    """A plain HTTP forward proxy (absolute-form requests; CONNECT tunnels) recording each request."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ForwardingProxy

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.seen.append(("GET", self.path, self.headers.get("Host", "")))
        if parts.hostname not in ("127.0.0.1", "localhost"):
            self.send_error(403, "this test proxy forwards to loopback only")
            return
        upstream = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "proxy-authorization")}
        upstream.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        resp = upstream.getresponse()
        body = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()

    def do_CONNECT(self) -> None:
        self.server.seen.append(("CONNECT", self.path, self.headers.get("Host", "")))
        host, _, port = self.path.rpartition(":")
        if host not in ("127.0.0.1", "localhost"):
            self.send_error(403)
            return
        upstream = socket.create_connection((host, int(port)), timeout=10)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True
        pipes = [threading.Thread(target=_pipe, args=(a, b), daemon=True)
                 for a, b in ((self.connection, upstream), (upstream, self.connection))]
        for p in pipes:
            p.start()
        for p in pipes:
            p.join(timeout=30)


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture()
def proxy():
    server = ForwardingProxy()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_every_request_of_the_crawl_goes_through_the_proxy(simulator, proxy, tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    runs = crawl(simulator, archive, ["sd_qingdao"], PROXY_URL=proxy.url, LIST_MAX_PAGES=2)
    assert runs[0]["status"] == "ok", runs[0]
    through = [(m, t) for m, t, host in proxy.seen if host == "www.qingdao.gov.cn"]
    served = [r for r in simulator.requests if r.host == "www.qingdao.gov.cn"]
    assert len(through) == len(served) >= 5
    assert {urlsplit(t).path for _, t in through} == {r.path for r in served}
    assert Archive(archive).count() >= 5
    # politeness: one request at a time to the site, even through the proxy
    spans = sorted((r.started, r.finished) for r in served)
    assert all(b[0] >= a[1] - 0.001 for a, b in zip(spans, spans[1:]))


def test_a_site_file_proxy_routes_only_that_site(simulator, proxy, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    text = (SITES_DIR / "sd_qingdao.toml").read_text("utf-8").replace('slug = "sd_qingdao"', 'slug = "xx_proxied"')
    text = text.replace('cms = "trs_wcm"', f'cms = "trs_wcm"\nproxy = "{proxy.url}"')
    (tmp_path / "xx_proxied.toml").write_text(text, "utf-8")
    monkeypatch.setenv("GOVPRESS_SITES", str(tmp_path))
    runs = crawl(simulator, tmp_path / "a.sqlite", ["xx_proxied", "sd_dzwww"], LIST_MAX_PAGES=1)
    assert {r["site"]: r["status"] for r in runs} == {"xx_proxied": "ok", "sd_dzwww": "ok"}
    hosts = {host for _, _, host in proxy.seen}
    assert hosts == {"www.qingdao.gov.cn"}


def test_egress_labels_hide_credentials() -> None:
    assert egress_label("") == "direct"
    assert egress_label("http://user:secret@10.0.0.1:3128") == "http://10.0.0.1:3128"


def test_a_bad_proxy_is_rejected(tmp_path: Path) -> None:
    text = (SITES_DIR / "sd_qingdao.toml").read_text("utf-8").replace('slug = "sd_qingdao"', 'slug = "xx_bad"')
    (tmp_path / "xx_bad.toml").write_text(text.replace('cms = "trs_wcm"', 'cms = "trs_wcm"\nproxy = "socks5://x"'))
    with pytest.raises(SiteConfigError, match="proxy: 'socks5://x' is not an http"):
        parse_site(tmp_path / "xx_bad.toml")
