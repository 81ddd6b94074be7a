"""Hostile loopback servers and hostile pages, for the fuzz harness (issue #17).

``HostileServer`` answers each path from a table of routes on 127.0.0.1 and plays one
made-up host (``www.hostile.gov.cn``); ``write_site`` writes a site file for it into a
folder that ``GOVPRESS_SITES`` then points at, so the real spider, pipelines and archive
crawl it exactly as they crawl a government site.  ``hostile_page`` builds an article
page with a random mix of hostile constructs (bad URLs, deep nesting, attribute floods,
broken charsets …) around text that must survive.  Used by ``tests/test_fuzz.py`` and
``bench/fuzz.py``; production code never imports it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOST = "www.hostile.gov.cn"
SLUG = "sd_hostile"
LIST_PATH = "/news/"


def article_path(i: int) -> str:
    """Article URLs in the TRS ``t``-date form the ``trs_wcm`` profile matches."""
    return f"{LIST_PATH}202611/t20261120_{i}.html"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/html; charset=utf-8"
    reset: bool = False
    """Close the connection without answering."""


Route = Answer | Callable[[str], Answer]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.requests.append((self.path, dict(self.headers.items())))
        route = owner.routes.get(self.path) or owner.routes.get(self.path.split("?", 1)[0]) or owner.default
        answer = (route(self.path) if callable(route) else route) if route is not None else Answer(404, b"not found")
        if answer.reset:
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer


class HostileServer:
    """One made-up host on a loopback port, answering from ``routes`` (path -> Answer)."""

    def __init__(self, routes: dict[str, Route] | None = None, *, default: Route | None = None,
                 host: str = HOST, slug: str = SLUG):
        self.routes: dict[str, Route] = dict(routes or {})
        self.default = default
        """Answer for paths not in ``routes`` (404 when ``None``)."""
        self.host, self.slug = host, slug
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self._server: _Server | None = None

    def start(self) -> HostileServer:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hostmap(self) -> dict[str, str]:
        assert self._server is not None
        return {self.host: f"127.0.0.1:{self._server.server_address[1]}"}

    def write_site(self, folder: Path, max_pages: int = 3) -> Path:
        """Write this server's site file into ``folder`` (point ``GOVPRESS_SITES`` at it)."""
        return write_site(folder, max_pages, slug=self.slug, host=self.host)

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]


SITE_FILE = """# A made-up host served by simulator/hostile.py (tests and bench/fuzz.py only).
slug = "{slug}"
name = "敌意测试站"
dialect = "trs_wcm"
allowed_domains = ["{host}"]

[region]
province = "山东省"
city = ""
code = "370000"

[[lists]]
column = "要闻"
url = "http://{host}{list_path}"
max_pages = {max_pages}

[evidence]
host = "unverified"
scheme = "unverified"
region = "unverified"
article_url = "unverified"
encoding = "unverified"
"lists.要闻.url" = "unverified"
"lists.要闻.mechanism" = "unverified"
"""


def write_site(folder: Path, max_pages: int = 3, *, slug: str = SLUG, host: str = HOST) -> Path:
    """Write a hostile site's file into ``folder`` (point ``GOVPRESS_SITES`` at it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.toml"
    path.write_text(SITE_FILE.format(max_pages=max_pages, slug=slug, host=host, list_path=LIST_PATH), "utf-8")
    return path


_WORDS = ("发展", "改革", "项目", "建设", "服务", "企业", "民生", "教育", "医疗", "交通", "生态", "乡村", "城市",
          "科技", "创新", "就业", "安全", "文化", "旅游", "水利", "农业", "工业", "金融", "税收", "社区", "养老",
          "住房", "环境", "能源", "数字", "法治", "审批", "招商", "港口", "海洋", "物流", "消费", "投资")
SENTENCE = "市政府召开常务会议，研究部署近期重点工作，会议强调要抓好落实第{i}项任务。"


def article_html(i: int, extra: str = "", head: str = "") -> str:
    """A plain article whose body holds ``SENTENCE`` for ``i`` three times, plus ``extra``."""
    rng = random.Random(i)  # distinct text per article, so dedup keeps them apart
    body = "".join(f"<p>{SENTENCE.format(i=i)}{''.join(rng.choices(_WORDS, k=30))}第{k}段。</p>" for k in range(3))
    return (f"<html><head><meta charset='utf-8'>{head}<title>第{i}号通知</title></head><body>"
            f"<div class='article'><h1>关于第{i}号工作的通知</h1><div class='info'>发布时间：2026-11-20 09:00</div>"
            f"<div class='TRS_Editor'>{body}{extra}</div></div></body></html>")


def list_html(links: list[str], next_href: str = "") -> str:
    items = "".join(f"<li><a href='{h}'>第{n}条</a><span>2026-11-20</span></li>" for n, h in enumerate(links))
    nxt = f"<a href='{next_href}'>下一页</a>" if next_href else ""
    return f"<html><head><meta charset='utf-8'></head><body><ul class='list'>{items}</ul>{nxt}</body></html>"


# -- hostile pages ------------------------------------------------------------------------
BAD_URLS = ["http://[::1/a.pdf", "http://[zz]/b.jpg", "http://x.gov.cn:99999/c.pdf", "https://[/d.doc",
            "javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.1/e.pdf", "\x00\x01", "http://%zz/f.pdf"]


def _constructs(rng: random.Random) -> dict[str, Callable[[], str]]:
    return {
        "bad_href": lambda: f"<p><a href='{rng.choice(BAD_URLS)}'>附件{rng.randint(1, 9)}.pdf</a></p>",
        "bad_img": lambda: f"<p><img src='{rng.choice(BAD_URLS)}' width='300'></p>",
        "bad_base": lambda: "",  # placed in the head
        "deep": lambda: "<div>" * rng.randint(300, 3000) + "深处" + "</div>" * rng.randint(0, 3000),
        "attr_flood": lambda: "<span " + " ".join(f"a{k}=x" for k in range(rng.randint(2000, 40000))) + ">x</span>",
        "br_flood": lambda: "<br>" * rng.randint(1000, 200_000),
        "unclosed": lambda: "<table><tr><td>" * rng.randint(10, 500),
        "junk_entities": lambda: "&#0;&#xD800;&#99999999;&bogus;&#x110000;",
        "control_chars": lambda: "".join(chr(rng.randint(0, 31)) for _ in range(50)),
        "stray_html": lambda: "</html><html><body><p>尾巴</p>",
        "cdata": lambda: "<![CDATA[ <p> ]]> <!-- <p> --> <?php echo 1 ?>",
        "huge_text": lambda: "字" * rng.randint(10_000, 300_000),
    }


CONSTRUCTS = tuple(_constructs(random.Random(0)))
CHARSETS = ["utf-8", "gbk", "base64", "hex", "rot13", "zlib", "idna", "utf-16", "utf-32", "utf-7", "nonsense", ""]


def hostile_page(rng: random.Random, i: int = 0) -> tuple[bytes, str, list[str]]:
    """``(raw bytes, Content-Type, constructs used)``: an article with hostile parts around its text."""
    makers = _constructs(rng)
    chosen = rng.sample(CONSTRUCTS, rng.randint(1, 4))
    extra = "".join(makers[name]() for name in chosen)
    head = f"<base href='{rng.choice(BAD_URLS)}'>" if "bad_base" in chosen else ""
    html = article_html(i, extra, head)
    charset = rng.choice(CHARSETS)
    raw = html.encode("utf-8")
    if rng.random() < 0.3:  # the bytes may not be what is declared, or contain junk
        raw = raw.replace(b"\xe3", bytes([rng.randint(0, 255)]), rng.randint(0, 3))
    return raw, f"text/html; charset={charset}" if charset else "text/html", chosen


# -- the scenario the fuzz test and bench/fuzz.py crawl ---------------------------------------
class Hosts:
    """Several servers as one host map (what ``tests.conftest.crawl`` asks of a simulator)."""

    def __init__(self, servers: list[HostileServer]):
        self.servers = servers

    def hostmap(self) -> dict[str, str]:
        return {k: v for s in self.servers for k, v in s.hostmap().items()}


def _article(path: str) -> Answer:
    if not path.startswith(f"{LIST_PATH}2026"):
        return Answer(404, b"not found")
    i = int(path.rsplit("_", 1)[1].split(".")[0])
    return Answer(body=article_html(i).encode("utf-8"))


def scenario(fuzz_articles: int = 12, flood_links: int = 3000, seed: int = 17) -> dict[str, HostileServer]:
    """Six hostile servers, one made-up host each (not started): bad links, a link flood,
    robots.txt 503, robots.txt reset, a cookie flood, and fuzzed article pages."""
    rng = random.Random(seed)
    fuzz_pages = {article_path(i): hostile_page(rng, i) for i in range(fuzz_articles)}
    cookie_count = iter(range(10**6))

    def cookie_article(path: str) -> Answer:
        n = next(cookie_count)
        cookies = [("Set-Cookie", f"c{n}_{k}={'v' * 200}; Path=/; Domain=.cookies.gov.cn") for k in range(30)]
        return Answer(body=_article(path).body, headers=cookies)

    bad_links = [article_path(1), "http://[::1/news/202611/t20261120_99.html", article_path(2), article_path(3)]
    flood = [article_path(1000 + k) for k in range(flood_links)]
    return {
        "links": HostileServer({
            LIST_PATH: Answer(body=list_html(bad_links).encode()),
            article_path(1): Answer(body=article_html(1, "<p><a href='http://[::1/a.pdf'>附件1.pdf</a></p>").encode()),
            article_path(2): Answer(body=article_html(2, "<p><img src='http://[::1/a.jpg' width='300'></p>").encode()),
            article_path(3): Answer(body=article_html(3, head="<base href='http://[::1/'>").encode()),
        }, host="www.links.gov.cn", slug="sd_hostile_links"),
        "flood": HostileServer({
            LIST_PATH: Answer(body=list_html(flood).encode()),
            f"{LIST_PATH}index_1.shtml": Answer(body=list_html(flood[::-1]).encode()),
            f"{LIST_PATH}index_2.shtml": Answer(body=list_html(flood[500:]).encode()),
        }, default=_article, host="www.flood.gov.cn", slug="sd_hostile_flood"),
        "robots503": HostileServer({"/robots.txt": Answer(503, b"busy")}, default=_article,
                                   host="www.robots503.gov.cn", slug="sd_hostile_robots"),
        "robots_reset": HostileServer({"/robots.txt": Answer(reset=True)}, default=_article,
                                      host="www.robotsreset.gov.cn", slug="sd_hostile_reset"),
        "cookies": HostileServer({
            LIST_PATH: Answer(body=list_html([article_path(i) for i in range(8)]).encode(),
                              headers=[("Set-Cookie", "first=1; Path=/")]),
        }, default=cookie_article, host="www.cookies.gov.cn", slug="sd_hostile_cookies"),
        "fuzz": HostileServer({
            LIST_PATH: Answer(body=list_html(list(fuzz_pages)).encode()),
            **{p: Answer(body=raw, content_type=ct) for p, (raw, ct, _) in fuzz_pages.items()},
        }, host="www.fuzz.gov.cn", slug="sd_hostile_fuzz"),
    }


