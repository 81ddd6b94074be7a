"""Hosts that refuse us, one per recognised block (``crawler.blocks``), for tests and demos.

HTTP-level refusals are ``SiteApp`` hosts served by the simulator's server
(``BLOCK_HOSTS``); refusals below HTTP get endpoints of their own
(``BlockEndpoints``): a TLS listener that accepts only legacy settings (1024-bit
DHE, TLS 1.2, as modern OpenSSL refuses with "dh key too small"), a port that
accepts and never answers (timeout), a port whose accept queue is full so SYNs
go unanswered (blackhole), and a closed port (refused).  Every page here is
written for the simulator from the public descriptions cited in SITES.md §0/§1
(no saved pages).  Their site files live in ``simulator/data/block_sites``.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import socket
import ssl
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import Column, Page, SiteApp

if TYPE_CHECKING:
    from ..server import Simulator

logger = logging.getLogger(__name__)

SITES_DIR = Path(__file__).resolve().parent.parent / "data" / "block_sites"
"""Site files of the block hosts (used by ``govpress probe --demo`` and the tests)."""
DOMAIN = "block.test"

# RFC 2409 Oakley group 2 (1024-bit MODP), generator 2: the weak DH group of old servers.
DH1024_PEM = b"""-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
"""


def _page(status: int, body: str, headers: list[tuple[str, str]] | None = None,
          content_type: str = "text/html; charset=utf-8") -> Page:
    return Page(status=status, body=body.encode("utf-8"), content_type=content_type,
                headers=list(headers or []))


SHELL_HEAD = ('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
              '<meta name="ColId" content="{colid}">\n</head>\n<body>\n<div class="header">{title}</div>\n')


class BlockApp(SiteApp):
    """A host with one list page that answers with a refusal or an empty shell."""

    list_path = "/col/col1001/index.html"

    def __init__(self, page_size: int = 5) -> None:
        super().__init__(page_size)
        self.columns = (Column("要闻", self.list_path),)

    def answer(self, path: str, query: dict[str, str], method: str) -> Page | None:
        raise NotImplementedError

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        return self.answer(path, query, method)


class RuishuHost(BlockApp):
    """瑞数 Ruishu: a first answer 412 with a ``$_ts`` bootstrap and an S/T cookie pair."""

    host = f"ruishu.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page:
        body = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<meta id="9DhefwqGPrzGxEp9hPaoag" content="simulated">'
                "<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;"
                "$_ts.cd=\"qqqqqq\";</script><script type=\"text/javascript\" src=\"/sim/ruishu.js\" r=\"m\">"
                "</script></head><body></body></html>")
        return _page(412, body, [("Set-Cookie", "FSSBBIl1UgzbN7N80S=simulated; Path=/; HttpOnly"),
                                 ("Set-Cookie", "FSSBBIl1UgzbN7N80T=simulated; Path=/")])


class JiasuleHost(BlockApp):
    """加速乐 Jiasule: 521 with a ``__jsluid`` cookie and a script that sets ``__jsl_clearance``."""

    host = f"jiasule.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page:
        body = ("<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')"
                "+('a')+('r')+('a')+('n')+('c')+('e')+('_')+('s')+('=')+('simulated')+';max-age=3600;path=/';"
                "location.href=location.pathname+location.search</script></body></html>")
        return _page(521, body, [("Set-Cookie", "__jsluid_s=simulated; max-age=31536000; path=/; HttpOnly")])


class WzwsHost(BlockApp):
    """360 网站卫士: a 200 challenge page with ``wzws_cid`` and a ``wzwschallenge`` form."""

    host = f"wzws.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page:
        body = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>'
                '<script type="text/javascript">var wzwstemplate="simulated";var wzwschallenge="simulated";'
                'function HXXTTKKLLPPP5(){}location.href="/WZWSREL" + "?wzwschallenge=" + wzwschallenge;'
                "</script></body></html>")
        return _page(200, body, [("Set-Cookie", "wzws_cid=simulated; path=/; HttpOnly")])


class GeoHost(BlockApp):
    """A WAF's 403 page for a foreign address (Aliyun WAF wording, SITES.md §0: 403 from abroad)."""

    host = f"geo.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page:
        body = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>405</title></head><body>'
                "<h2>很抱歉，由于您访问的URL有可能对网站造成安全威胁，您的访问被阻断。</h2>"
                "<p>您所在的地区暂不支持访问本网站（境外IP）。</p>"
                '<p>阿里云Web应用防火墙 <a href="https://errors.aliyun.com/">errors.aliyun.com</a></p>'
                "</body></html>")
        return _page(403, body)


class DeadRedirectHost(BlockApp):
    """A 302 with no Location and a 0-byte body (SITES.md §0: jining from a US address)."""

    host = f"deadredirect.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page:
        return Page(status=302, body=b"", content_type="text/html")


class NotFoundHost(BlockApp):
    """Every page 404 (SITES.md §0: zaozhuang from a US address)."""

    host = f"notfound.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page:
        return self.not_found()


ROWS = 6
"""Articles behind each shell host's data API (their pages are served by the host itself)."""


def shell_article_path(n: int) -> str:
    return f"/art/2026/11/{n + 1}/art_1001_{9000 + n}.html"


def shell_article(host: str, n: int) -> Page:
    title = f"模拟数据接口文章第{n}篇：全省政务服务事项办理情况通报"
    paras = "".join(f"<p>这是{host}通过数据接口列出的第{n}篇文章的第{i}段正文，内容用于检验列表数据接口的抓取。</p>"
                    for i in range(1, 4))
    return _page(200, (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="2026-11-{n + 1:02d} 09:30">\n'
        '<meta name="ContentSource" content="模拟站">\n</head>\n<body>\n'
        f'<div class="main_content"><h1>{title}</h1>\n<div id="zoom">{paras}</div></div>\n</body>\n</html>\n'))


def shell_rows() -> str:
    return "".join(f'<li><a href="{shell_article_path(n)}" title="第{n}篇">模拟数据接口文章第{n}篇</a>'
                   f"<span>2026-11-{n + 1:02d}</span></li>" for n in range(1, ROWS + 1))


class ShellApp(BlockApp):
    """A shell list page plus the data API and the article pages behind it."""

    def api(self, path: str, query: dict[str, str], method: str) -> Page | None:
        raise NotImplementedError

    def route(self, path: str, query: dict[str, str], method: str) -> Page | None:
        for n in range(1, ROWS + 1):
            if path == shell_article_path(n):
                return shell_article(self.host, n)
        return self.api(path, query, method) or self.answer(path, query, method)


class HanwebShellHost(ShellApp):
    """A Hanweb column page whose rows come from ``dataproxy.jsp`` (SITES.md §1 generation A)."""

    host = f"shell-hanweb.{DOMAIN}"

    def api(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == "/module/web/jpage/dataproxy.jsp" and method == "POST":
            records = "".join(f"<record><![CDATA[{row}]]></record>" for row in
                              shell_rows().replace("</li>", "</li>\n").splitlines())
            return _page(200, f'<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]>'
                              f"</nextgroup><recordset>{records}</recordset><totalrecord>{ROWS}</totalrecord>"
                              "</datastore>", content_type="text/xml; charset=UTF-8")
        return None

    def answer(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == self.list_path:
            return _page(200, SHELL_HEAD.format(title="要闻", colid=1001) + (
                '<div id="div1001"></div>\n<script type="text/javascript">\n'
                '$(function(){ $("#div1001").jpage({ dataStore: [], '
                'proxyUrl: "/module/web/jpage/dataproxy.jsp", perPage: 15, groupSize: 3, '
                "ajaxParam: { col: 1, webid: 1, columnid: 1001, unitid: 2001, "
                'sourceContentType: 1, webname: "模拟站", permissiontype: 0 } }); });\n</script>\n'
                "</body>\n</html>\n"))
        return None


class JpaasShellHost(ShellApp):
    """A jpaas page whose list is built by ``unitbuild.js`` from the unit-build API (SITES.md §1 B)."""

    host = f"shell-jpaas.{DOMAIN}"

    def api(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == "/api-gateway/jpaas-publish-server/front/page/build/unit" and "paramJson" in query:
            import json

            return _page(200, json.dumps({"success": True, "data": {"html": f"<ul>{shell_rows()}</ul>"}},
                                         ensure_ascii=False), content_type="application/json;charset=UTF-8")
        return None

    def answer(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == self.list_path:
            return _page(200, SHELL_HEAD.format(title="通知公告", colid=1001) + (
                '<div class="pagination" rows="15" count="0" unitUrl="/api-gateway/jpaas-publish-server/'
                'front/page/build/unit?parseType=bulidstatic&amp;webId=1&amp;tplSetId=1&amp;pageType=column'
                '&amp;tagId=list&amp;editType=null&amp;pageId=1001"></div>\n'
                '<script src="/js/unitbuild.js"></script>\n</body>\n</html>\n'))
        return None


class DatacallShellHost(ShellApp):
    """A jpaas column filled by ``showJsContent.do`` (SITES.md §4, Jinan 通知公告)."""

    host = f"shell-datacall.{DOMAIN}"

    def api(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == "/jact/front/datacall/showJsContent.do":
            rows = shell_rows().replace("'", "\\'").replace("/", "\\/")
            return _page(200, f"document.write('<ul>{rows}</ul>');",
                         content_type="application/javascript;charset=UTF-8")
        return None

    def answer(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == self.list_path:
            return _page(200, SHELL_HEAD.format(title="通知公告", colid=1001) + (
                '<div id="list"><script type="text/javascript" '
                'src="/jact/front/datacall/showJsContent.do?iid=1001"></script></div>\n</body>\n</html>\n'))
        return None


class LegacyTLSHost(BlockApp):
    """Served only over the legacy TLS listener (``BlockEndpoints``); an ordinary empty column."""

    host = f"legacytls.{DOMAIN}"

    def answer(self, path: str, query: dict[str, str], method: str) -> Page | None:
        if path == self.list_path:
            return _page(200, SHELL_HEAD.format(title="要闻", colid=1001) + "<ul></ul>\n</body>\n</html>\n")
        return None


BLOCK_HOSTS: tuple[type[SiteApp], ...] = (
    LegacyTLSHost, RuishuHost, JiasuleHost, WzwsHost, GeoHost, DeadRedirectHost, NotFoundHost,
    HanwebShellHost, JpaasShellHost, DatacallShellHost,
)
"""HTTP-level block hosts, served like any other simulated host."""

LEGACY_TLS_HOST = LegacyTLSHost.host
TIMEOUT_HOST = f"timeout.{DOMAIN}"
BLACKHOLE_HOST = f"blackhole.{DOMAIN}"
REFUSED_HOST = f"refused.{DOMAIN}"


def legacy_server_context(cert: Path, key: Path, dh_params: Path) -> ssl.SSLContext:
    """TLS 1.2 with 1024-bit DHE only: modern clients refuse it, ``SECLEVEL=1`` accepts it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA:@SECLEVEL=0")
    ctx.load_dh_params(str(dh_params))
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


class BlockEndpoints:
    """The sockets behind the below-HTTP block hosts; started and stopped with the simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._socks: list[socket.socket] = []
        self._held: list[socket.socket] = []
        self._tls: Any = None
        self._tls_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.ports: dict[str, int] = {}
        self.ca_file: Path | None = None
        """The TLS listener's certificate (PEM), for a site file's ``[tls] ca_file``."""

    def start(self) -> None:
        from ..handler import SimServer

        self._stop.clear()
        self._dir = tempfile.TemporaryDirectory(prefix="govpress-sim-tls-")
        folder = Path(self._dir.name)
        hosts = list(self.sim._hosts)
        # RSA key for the DHE-RSA suites; EC would need ECDHE, which the server does not offer.
        cert, key = _rsa_certificate(hosts, folder)
        self.ca_file = cert
        (folder / "dh1024.pem").write_bytes(DH1024_PEM)
        tls = SimServer(self.sim)
        tls.socket = legacy_server_context(cert, key, folder / "dh1024.pem").wrap_socket(
            tls.socket, server_side=True, do_handshake_on_connect=True)
        self._tls = tls
        self._tls_thread = threading.Thread(target=tls.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="govpress-simulator-tls", daemon=True)
        self._tls_thread.start()
        self.ports[LEGACY_TLS_HOST] = int(tls.server_address[1])
        # Accepts the TCP connection and never answers: a response timeout.
        hang = self._listen(backlog=16)
        self.ports[TIMEOUT_HOST] = hang.getsockname()[1]
        threading.Thread(target=self._hold, args=(hang,), daemon=True, name="govpress-sim-hang").start()
        # A listener that never accepts, its queue full: further SYNs get no answer (blackhole).
        hole = self._listen(backlog=0)
        port = hole.getsockname()[1]
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except (BlockingIOError, OSError):
                pass
            self._held.append(filler)
        self.ports[BLACKHOLE_HOST] = port
        # A port bound and closed: connection refused.
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.ports[REFUSED_HOST] = probe.getsockname()[1]
        probe.close()

    def _listen(self, backlog: int) -> socket.socket:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(backlog)
        self._socks.append(sock)
        return sock

    def _hold(self, sock: socket.socket) -> None:
        sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            self._held.append(conn)

    def stop(self) -> None:
        self._stop.set()
        if self._tls is not None:
            self._tls.shutdown()
            self._tls.drop_connections()
            self._tls.server_close()
            if self._tls_thread:
                self._tls_thread.join(timeout=5)
            self._tls = None
        for s in self._held + self._socks:
            try:
                s.close()
            except OSError:
                pass
        self._held, self._socks = [], []
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def hostmap(self) -> dict[str, str]:
        """Targets of the below-HTTP hosts (``https://`` keeps TLS in the loopback handler)."""
        out = {host: f"127.0.0.1:{port}" for host, port in self.ports.items()}
        if LEGACY_TLS_HOST in self.ports:
            out[LEGACY_TLS_HOST] = f"https://127.0.0.1:{self.ports[LEGACY_TLS_HOST]}"
        return out

    def tls_target(self) -> str:
        """``https://127.0.0.1:PORT`` of the legacy TLS listener (it serves every simulated host)."""
        return f"https://127.0.0.1:{self.ports[LEGACY_TLS_HOST]}"


_CERTS: dict[tuple[str, ...], tuple[bytes, bytes]] = {}
"""Certificates made in this process, by host list: key generation is the slow part of a start."""


def _rsa_certificate(hosts: list[str], directory: Path) -> tuple[Path, Path]:
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    made = _CERTS.get(tuple(hosts))
    if made is None:
        made = _CERTS[tuple(hosts)] = _make_rsa_certificate(hosts)
    cert_path.write_bytes(made[0])
    key_path.write_bytes(made[1])
    return cert_path, key_path


def _make_rsa_certificate(hosts: list[str]) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "govpress simulator")])
    now = datetime.datetime.now(datetime.UTC)
    sans: list[x509.GeneralName] = [x509.DNSName(h) for h in hosts]
    sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))
