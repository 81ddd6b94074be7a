"""Proxies: ``GOVPRESS_PROXY`` / ``PROXY_URL`` or a site file's ``proxy``, through a real forwarding
proxy on 127.0.0.1 that records what passed through it; per-site politeness unchanged."""

from __future__ import annotations

import http.client
import itertools
import os
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


def _serve(server: ForwardingProxy) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory):
    """One crawl: sd_dzwww through the global proxy (PROXY_URL, i.e. GOVPRESS_PROXY), a copy of
    sd_qingdao through the proxy its site file names."""
    from simulator import Simulator

    folder = tmp_path_factory.mktemp("proxy_sites")
    every, own = ForwardingProxy(), ForwardingProxy()
    for server in (every, own):
        _serve(server)
    text = (SITES_DIR / "sd_qingdao.toml").read_text("utf-8").replace('slug = "sd_qingdao"', 'slug = "xx_proxied"')
    (folder / "xx_proxied.toml").write_text(text.replace('cms = "trs_wcm"', f'cms = "trs_wcm"\nproxy = "{own.url}"'))
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVPRESS_SITES", f"{folder}{os.pathsep}{SITES_DIR}")
    try:
        with Simulator() as sim:
            runs = crawl(sim, folder / "a.sqlite", ["xx_proxied", "sd_dzwww"], PROXY_URL=every.url,
                         LIST_MAX_PAGES=2)
            yield sim, folder / "a.sqlite", {r["site"]: r for r in runs}, every, own
    finally:
        mp.undo()
        for server in (every, own):
            server.shutdown()
            server.server_close()


def test_every_request_goes_through_its_proxy(proxied) -> None:
    sim, archive, runs, every, own = proxied
    assert {s: r["status"] for s, r in runs.items()} == {"xx_proxied": "ok", "sd_dzwww": "ok"}
    for server, hosts in ((own, {"www.qingdao.gov.cn"}), (every, {"sd.dzwww.com", "www.dzwww.com"})):
        through = [t for _, t, host in server.seen if host in hosts]
        served = [r for r in sim.requests if r.host in hosts]
        assert len(through) == len(served) == len(server.seen) >= 5
        assert sorted(urlsplit(t).path for t in through) == sorted(r.path for r in served)
    assert len(list(Archive(archive).documents(site="xx_proxied"))) >= 5


def test_a_site_file_proxy_overrides_the_global_one(proxied) -> None:
    _, _, _, every, own = proxied
    assert {host for _, _, host in own.seen} == {"www.qingdao.gov.cn"}
    assert "www.qingdao.gov.cn" not in {host for _, _, host in every.seen}


def test_politeness_is_per_site_through_a_proxy(proxied) -> None:
    sim, _, _, _, _ = proxied
    served = [r for r in sim.requests if r.host == "www.qingdao.gov.cn"]
    spans = sorted((r.started, r.finished) for r in served)
    assert all(b[0] >= a[1] - 0.001 for a, b in itertools.pairwise(spans))  # one at a time


def test_egress_labels_hide_credentials() -> None:
    assert egress_label("") == "direct"
    assert egress_label("http://user:secret@10.0.0.1:3128") == "http://10.0.0.1:3128"


def test_a_bad_proxy_is_rejected(tmp_path: Path) -> None:
    text = (SITES_DIR / "sd_qingdao.toml").read_text("utf-8").replace('slug = "sd_qingdao"', 'slug = "xx_bad"')
    (tmp_path / "xx_bad.toml").write_text(text.replace('cms = "trs_wcm"', 'cms = "trs_wcm"\nproxy = "socks5://x"'))
    with pytest.raises(SiteConfigError, match="proxy: 'socks5://x' is not an http"):
        parse_site(tmp_path / "xx_bad.toml")
