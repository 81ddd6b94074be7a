"""``govpress discover`` and ``govpress new-site``: recognise a portal's platform and its news columns.

Discovery fetches a portal's homepage (and the header/footer it includes by script or
iframe), scores every dialect by its ``[detect] markers``, picks links whose text names a
wanted column (要闻, 政务动态, 新闻发布会, 发布会实录, 权威发布), fetches a few of those column
pages and works out each one's list mechanism and sample article links, following a JS
shell's data call when there is one.  ``write_site`` turns the result into a site file
whose facts say where they were seen, and a fixture folder of the fetched pages.

Fetching goes through a ``Fetcher``: live (urllib, robots.txt obeyed, honest User-Agent,
a delay between requests) or the simulator (``--demo``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from core.siteconfig import DIALECTS_DIR, ListPage, SiteDefinition, load_dialects
from crawler.apilists import list_page, script_html

logger = logging.getLogger(__name__)

WANTED = (("新闻发布会", "新闻发布会"), ("发布会实录", "发布会实录"), ("发布实录", "发布会实录"),
          ("权威发布", "权威发布"), ("政务动态", "政务动态"), ("要闻", "要闻"), ("今日", "要闻"),
          ("发布会", "新闻发布会"))
"""Link-text keys of wanted columns, most specific first, and the role each names."""
MAX_COLUMNS = 5
USER_AGENT = "govpress-discover (+https://github.com/govpress; research archive of press releases)"


class DiscoverError(RuntimeError):
    """A portal that cannot be discovered; the message is one line naming the URL."""


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        m = re.search(r"charset=([\w-]+)", self.content_type)
        cs = m.group(1) if m else "utf-8"
        if not m:
            head = re.search(rb"charset=[\"']?([\w-]+)", self.body[:2048])
            cs = head.group(1).decode() if head else "utf-8"
        try:
            return self.body.decode(cs, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


Fetcher = Callable[[str], Fetched]


def live_fetcher(delay: float = 2.0, timeout: float = 20.0) -> Fetcher:
    """Polite urllib fetching: robots.txt per host, one request at a time, ``delay`` between."""
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}
    last = [0.0]

    def fetch(url: str) -> Fetched:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in robots:
            rp = urllib.robotparser.RobotFileParser(host + "/robots.txt")
            try:
                rp.read()
            except OSError:
                rp.parse([])  # no robots.txt reachable: nothing is disallowed
            robots[host] = rp
        if not robots[host].can_fetch(USER_AGENT, url):
            raise DiscoverError(f"{url}: disallowed by robots.txt")
        wait = last[0] + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = resp.read(8 * 1024 * 1024)
                return Fetched(resp.geturl(), resp.status, resp.headers.get("Content-Type", ""), body)
        except urllib.error.HTTPError as exc:
            return Fetched(url, exc.code, exc.headers.get("Content-Type", ""), b"")
        except OSError as exc:
            raise DiscoverError(f"{url}: cannot fetch: {exc}") from None
        finally:
            last[0] = time.monotonic()

    return fetch


def simulator_fetcher(sim: Any) -> Fetcher:
    """Fetch from a running ``simulator.Simulator`` by Host header (``--demo`` and tests)."""
    import http.client

    def fetch(url: str) -> Fetched:
        parts = urlsplit(url)
        if parts.hostname not in sim.hostmap():
            raise DiscoverError(f"{url}: {parts.hostname} is not simulated")
        conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)
        try:
            conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                         headers={"Host": parts.netloc, "User-Agent": USER_AGENT})
            resp = conn.getresponse()
            return Fetched(url, resp.status, resp.getheader("Content-Type", ""), resp.read())
        finally:
            conn.close()

    return fetch


@dataclass
class Candidate:
    column: str
    role: str
    url: str
    mechanism: str = "html"
    samples: list[str] = field(default_factory=list)
    data_url: str = ""
    next_url: str = ""
    count: int = 0
    """Article links found on the column's first page (or its data call)."""
    pages: dict[str, Fetched] = field(default_factory=dict, repr=False)


@dataclass
class Discovery:
    url: str
    dialect: str
    scores: dict[str, int]
    candidates: list[Candidate]
    site_name: str = ""
    charset: str = ""
    home: Fetched | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "dialect": self.dialect, "scores": self.scores, "site_name": self.site_name,
                "charset": self.charset,
                "columns": [{"column": c.column, "role": c.role, "url": c.url, "mechanism": c.mechanism,
                             "data_url": c.data_url, "next_url": c.next_url, "links": c.count, "samples": c.samples}
                            for c in self.candidates]}


def score(texts: list[str], dialects: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Marker hits per dialect over the fetched texts (each marker counts once per text)."""
    out = {}
    for name, d in dialects.items():
        markers = d.get("detect", {}).get("markers", [])
        out[name] = sum(1 for text in texts for m in markers if re.search(m, text, re.I))
    return out


def _included(html: str, url: str, fetch: Fetcher) -> list[str]:
    """HTML a page pulls in from its own host: ``document.write`` scripts and iframes (a few)."""
    sel, host = Selector(text=html), urlsplit(url).netloc
    out = []
    srcs = [s for s in sel.xpath("//script/@src").getall() if not re.search(r"jquery|\.min\.js", s)]
    for src in (srcs[:4] + sel.xpath("//iframe/@src").getall()[:2]):
        full = urljoin(url, src)
        if urlsplit(full).netloc != host:
            continue
        try:
            got = fetch(full)
        except DiscoverError:
            continue
        if got.status == 200:
            text = got.text
            out.append(script_html(text) if "document.write" in text else text)
    return out


def _role(text: str) -> str | None:
    for key, role in WANTED:
        if key in text:
            return role
    return None


def _mechanism(text: str, url: str) -> str:
    if "/gkmlpt/api/" in url:
        return "gkmlpt_api"
    if re.search(r"unitUrl=|jpaas-publish-server", text, re.I):
        return "jpaas_unit"
    if "showJsContent.do" in text:
        return "datacall"
    if "<datastore>" in text:
        return "datastore"
    return "html"


def _probe_site(dialect: dict[str, Any], host: str) -> SiteDefinition:
    links = dialect.get("links", {})
    return SiteDefinition(slug="xx_probe", name="", cms="", allowed_domains=(host,), province="", city="",
                          region_code="000000", lists=(), article_pattern=links.get("pattern", r"$^"),
                          datastore=bool(links.get("datastore", False)))


def discover(url: str, fetch: Fetcher, dialects_dir: Path = DIALECTS_DIR) -> Discovery:
    """Recognise the platform of the portal at ``url`` and its candidate news columns."""
    if not re.match(r"https?://", url):
        raise DiscoverError(f"{url}: not an http(s) URL")
    home = fetch(url)
    if home.status != 200:
        raise DiscoverError(f"{url}: HTTP {home.status}")
    texts = [home.text, *_included(home.text, home.url, fetch)]
    dialects = load_dialects(dialects_dir)
    found: dict[str, Candidate] = {}
    for text in texts:
        for a in Selector(text=text).xpath("//a[@href]"):
            label = re.sub(r"\s+", "", "".join(a.xpath(".//text()").getall()) or a.attrib.get("title", ""))
            role = _role(label) if 2 <= len(label) <= 12 else None
            href = urljoin(home.url, a.attrib["href"].strip())
            if role and urlsplit(href).netloc == urlsplit(home.url).netloc and label not in found \
                    and href not in {c.url for c in found.values()}:
                found[label] = Candidate(label, role, href)
    cands = sorted(found.values(), key=lambda c: [r for _, r in WANTED].index(c.role))[:MAX_COLUMNS]
    for c in cands:
        page = fetch(c.url)
        if page.status != 200:
            continue
        c.pages["list"] = page
        texts.append(page.text)
    scores = score(texts, dialects)
    best = max(scores, key=lambda k: (scores[k], k == "hanweb_classic"))
    host = urlsplit(home.url).netloc
    probe = _probe_site(dialects[best], host)
    for c in cands:
        listed = c.pages.get("list")
        if listed is None:
            continue
        page = listed
        c.mechanism = _mechanism(page.text, c.url)
        lst = ListPage(url=c.url, column=c.column, mechanism=c.mechanism,
                       pages=str(dialects[best].get("pages", "")), first=int(dialects[best].get("first", 1)))
        ctype = page.content_type
        result = list_page(page.text, c.url, lst, probe, 1, ctype)
        if result.data_url:
            c.data_url = result.data_url
            data = fetch(result.data_url)
            if data.status == 200:
                c.pages["data"] = data
                result = list_page(data.text, result.data_url, lst, probe, 1, data.content_type)
        c.samples, c.count = result.links[:3], len(result.links)
        c.next_url = result.next_url or ""
        if c.samples:
            art = fetch(c.samples[0])
            if art.status == 200:
                c.pages["article"] = art
    title = Selector(text=home.text).css("title::text").get() or ""
    cs = re.search(r"charset=([\w-]+)", home.content_type) or re.search(r"charset=[\"']?([\w-]+)", home.text[:2048])
    return Discovery(home.url, best, scores, [c for c in cands if "list" in c.pages], title.strip(),
                     (cs.group(1).lower() if cs else ""), home)


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def site_toml(slug: str, disc: Discovery, *, name: str = "", province: str = "", city: str = "",
              code: str = "000000", demo: bool = False, today: dt.date | None = None) -> str:
    """A site file from a discovery; every fact says it was seen by discover (or is unverified)."""
    today = today or dt.date.today()
    seen = ("inferred: seen by govpress discover on the simulated portal" if demo
            else "confirmed: seen by govpress discover") + f" at {disc.url}, {today.isoformat()}"
    host = urlsplit(disc.url).netloc
    lines = [f"# Written by govpress new-site from {disc.url} on {today.isoformat()}: review every fact.",
             f"slug = {_q(slug)}", f"name = {_q(name or disc.site_name or slug)}", f"dialect = {_q(disc.dialect)}",
             f"allowed_domains = [{_q(host)}]", "", "[region]", f"province = {_q(province or '未知')}",
             f"city = {_q(city)}", 'county = ""', f"code = {_q(code)}"]
    ev = {"host": seen, "scheme": seen, "region": "unverified",
          "article_url": (seen + " (sample links match the dialect's article URLs)")
          if any(c.samples for c in disc.candidates) else "unverified",
          "encoding": (seen + f" (charset {disc.charset})") if disc.charset else "unverified"}
    with_rows = [c for c in disc.candidates if c.samples] or disc.candidates
    if not with_rows:
        raise DiscoverError(f"{disc.url}: no candidate column found; write the site file by hand")
    for c in with_rows:
        lines += ["", "[[lists]]", f"column = {_q(c.column)}", f"role = {_q(c.role)}", f"url = {_q(c.url)}",
                  f"mechanism = {_q(c.mechanism)}"]
        ev[f"lists.{c.column}.url"] = seen + f" (link text {c.column})"
        ev[f"lists.{c.column}.mechanism"] = seen if c.samples else "unverified"
    lines += ["", "[schedule]", 'cron = "0 3 * * *"', "jitter = 600", "", "[evidence]"]
    lines += [f"{_q(k) if not re.fullmatch(r'[a-z_]+', k) else k} = {_q(v)}" for k, v in ev.items()]
    return "\n".join(lines) + "\n"


def write_site(slug: str, disc: Discovery, sites_dir: Path, fixtures_dir: Path, **kw: Any) -> list[Path]:
    """Write ``<sites_dir>/<slug>.toml`` and ``<fixtures_dir>/<slug>/`` (the fetched pages)."""
    target = Path(sites_dir) / f"{slug}.toml"
    if target.exists():
        raise DiscoverError(f"{target}: already exists; remove it or choose another slug")
    text = site_toml(slug, disc, **kw)
    folder = Path(fixtures_dir) / slug
    folder.mkdir(parents=True, exist_ok=True)
    written = [target]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    today = (kw.get("today") or dt.date.today()).isoformat()
    lines = [f"# Pages fetched by govpress new-site on {today}. The counts below are what discover found:",
             "# check each against the saved page by eye before trusting the test built on them.", ""]
    c = next((c for c in disc.candidates if c.samples), None)
    if c is not None:
        page = c.pages.get("data") or c.pages["list"]
        ext = "json" if "json" in page.content_type else ("js" if "javascript" in page.content_type else "html")
        (folder / f"list.{ext}").write_bytes(page.body)
        written.append(folder / f"list.{ext}")
        lines += [f'["list.{ext}"]', 'kind = "list"', f"url = {_q(page.url)}", f"column = {_q(c.column)}",
                  f"article_links = {c.count}",
                  f"content_type = {_q(page.content_type)}", f"captured = {today}", ""]
        art = c.pages.get("article")
        if art is not None:
            (folder / "article_1.html").write_bytes(art.body)
            written.append(folder / "article_1.html")
            lines += ['["article_1.html"]', 'kind = "article_todo"', f"url = {_q(art.url)}",
                      f"content_type = {_q(art.content_type)}", f"captured = {today}",
                      "# fill in title, published, source, first_sentence, last_sentence from the page,",
                      '# then change kind to "article"', ""]
    (folder / "expected.toml").write_text("\n".join(lines), "utf-8")
    written.append(folder / "expected.toml")
    return written
