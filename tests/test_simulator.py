"""The local site simulator: routing by Host, markup per site, encodings, HTTP caching, faults, request log."""

from __future__ import annotations

import gzip
import http.client
import re
import socket
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from parsel import Selector

from core.siteconfig import SiteDefinition, load_sites
from simulator import SimArticle, Simulator

SLUGS = ["sd_province", "sd_jinan", "sd_qingdao", "sd_dzwww"]
FIXTURES = Path(__file__).parent / "fixtures" / "sites"
TITLE_CSS = {"sd_province": "h1.wip_art_tit", "sd_jinan": "div.art_title",
             "sd_qingdao": "div.detail-title", "sd_dzwww": "#news-head h2"}
BODY_CSS = {"sd_province": "div.wip_art_con", "sd_jinan": "#zoom",
            "sd_qingdao": "div.detail-content", "sd_dzwww": "#news-body"}
PUBDATE_META = {"sd_province": "PubDate", "sd_jinan": "pubdate", "sd_qingdao": "PubDate"}
BOILERPLATE = {
    "sd_province": ("当前位置", "打印本页", "关闭窗口", "分享到", "扫一扫在手机打开当前页", "主办单位", "网站标识码",
                    "ICP备", "公网安备", "版权所有", "技术支持"),
    "sd_jinan": ("当前的位置", "打印本页", "关闭窗口", "分享到", "主办", "网站标识码", "ICP备", "公网安备", "版权所有"),
    "sd_qingdao": ("当前位置", "打印本页", "关闭窗口", "分享到", "主办", "网站标识码", "ICP备", "公网安备", "版权所有"),
    "sd_dzwww": ("您的位置", "分享到", "主办", "ICP备", "公网安备", "新出网证", "版权所有"),
}
TITLE_SUFFIX = {"sd_province": "_山东省人民政府", "sd_jinan": "_济南市人民政府",
                "sd_qingdao": "_青岛政务网", "sd_dzwww": "_大众网"}


@dataclass
class Resp:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def charset(self) -> str:
        m = re.search(r"charset=([\w-]+)", self.headers.get("content-type", ""))
        return m.group(1) if m else "utf-8"

    @property
    def text(self) -> str:
        return self.body.decode(self.charset)


def fetch(sim: Simulator, url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Resp:
    """What the crawler's loopback handler does: real URL -> 127.0.0.1 with the real Host."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)
    try:
        target = quote(parts.path + (f"?{parts.query}" if parts.query else ""), safe="/?&=%:;@,+$!*'()~")
        conn.request(method, target,
                     headers={"Host": parts.netloc, **(headers or {})})
        resp = conn.getresponse()
        return Resp(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def links(resp: Resp, url: str, site: SiteDefinition) -> list[str]:
    """Article links on a list page, including Hanweb datastore CDATA records, in page order."""
    hrefs = Selector(text=resp.text).xpath("//a/@href").getall()
    for record in re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", resp.text, re.S):
        hrefs += Selector(text=record).xpath("//a/@href").getall()
    return [u for u in (urljoin(url, h) for h in hrefs) if site.article_re.search(u)]


class Balance(HTMLParser):
    """Checks that every non-void element is closed, in order."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture()
def fresh() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture(scope="module")
def sites() -> dict[str, SiteDefinition]:
    return load_sites()[0]


# -- server basics -----------------------------------------------------------------------------

def test_binds_loopback_only(sim: Simulator) -> None:
    assert sim.address[0] == "127.0.0.1"
    # The block hosts below HTTP (legacy TLS, timeout, blackhole, refused) have ports of their own.
    targets = {t.removeprefix("https://") for t in sim.hostmap().values()}
    assert all(t.startswith("127.0.0.1:") for t in targets)
    http_hosts = {h for h, t in sim.hostmap().items() if t == f"127.0.0.1:{sim.port}"}
    assert http_hosts == set(sim.schemes()) - {"legacytls.block.test"}
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", sim.port), timeout=2).close()


def test_stop_closes_the_port() -> None:
    s = Simulator().start()
    port = s.port
    assert fetch(s, "http://www.qingdao.gov.cn/robots.txt").status == 200
    s.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_hosts_match_the_site_files(sim: Simulator, sites: dict[str, SiteDefinition]) -> None:
    from simulator.sites import SITE_CLASSES

    assert set(sites) == {cls.slug for cls in SITE_CLASSES} and set(SLUGS) <= set(sites)
    blocks = {h for h in sim.hostmap() if h.endswith(".block.test")}  # simulator/sites/blocks.py
    assert set(sim.hostmap()) - blocks == {d for s in sites.values() for d in s.allowed_domains}
    for site in sites.values():
        for lst in site.lists:
            parts = urlsplit(lst.url)
            assert sim.schemes()[parts.netloc] == parts.scheme, lst.url


def test_routes_by_host_header(sim: Simulator) -> None:
    a = fetch(sim, "https://www.shandong.gov.cn/robots.txt")
    b = fetch(sim, "http://www.qingdao.gov.cn/robots.txt")
    assert a.body != b.body
    assert fetch(sim, "http://unknown.example.org/robots.txt").status == 404
    assert fetch(sim, "http://www.qingdao.gov.cn/no/such/page.shtml").status == 404
    assert fetch(sim, "http://www.dzwww.com/").status == 200


@pytest.mark.parametrize("host, disallowed", [
    ("www.shandong.gov.cn", ["/module/", "/jsearchfront/"]), ("www.jinan.gov.cn", ["/module/", "/jsearchfront/"]),
    ("www.qingdao.gov.cn", ["/igs/"]), ("sd.dzwww.com", []), ("www.dzwww.com", []),
])
def test_robots_txt(sim: Simulator, host: str, disallowed: list[str]) -> None:
    resp = fetch(sim, f"http://{host}/robots.txt")
    assert resp.status == 200 and resp.headers["content-type"].startswith("text/plain")
    assert "User-agent: *" in resp.text
    for path in disallowed:
        assert f"Disallow: {path}" in resp.text


# -- lists ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_first_list_page_shows_the_newest_rows(sim: Simulator, sites: dict[str, SiteDefinition], slug: str) -> None:
    for lst in sites[slug].lists:
        resp = fetch(sim, lst.url)
        assert resp.status == 200, lst.url
        expected = [a.url for a in sim.column(slug, lst.column)[: sim.page_size]]
        assert links(resp, lst.url, sites[slug]) == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_paging_reaches_every_article(sim: Simulator, sites: dict[str, SiteDefinition], slug: str) -> None:
    site = sites[slug]
    for lst in site.lists:
        column = sim.column(slug, lst.column)
        assert len(column) >= 10, f"{slug}/{lst.column}: fewer than 10 articles"
        seen: list[str] = []
        url: str | None = lst.url
        n = 1
        while url:
            resp = fetch(sim, url)
            if resp.status == 404:
                assert site.dialect == "trs_wcm" and len(seen) == len(column), url
                break
            found = links(resp, url, site)
            if not found:
                assert site.dialect == "hanweb_classic", f"empty page {url}"
                break
            seen += found
            n += 1
            if lst.pages:
                url = urljoin(lst.url, lst.pages.format(n=lst.first + n - 2))
            else:
                nxt = Selector(text=resp.text).xpath(lst.next_xpath).get()
                url = urljoin(url, nxt) if nxt else None
        assert seen == [a.url for a in column]
        assert n - 1 >= 3


def test_qingdao_list_aliases(sim: Simulator) -> None:
    a = fetch(sim, "http://www.qingdao.gov.cn/ywdt/zwyw/")
    b = fetch(sim, "http://www.qingdao.gov.cn/ywdt/zwyw/index.shtml")
    assert a.status == b.status == 200 and a.body == b.body
    r = fetch(sim, "http://www.qingdao.gov.cn/ywdt/zwyw")
    assert r.status == 301 and r.headers["location"] == "http://www.qingdao.gov.cn/ywdt/zwyw/"


def test_hanweb_datastore_rows_exist_only_as_cdata(sim: Simulator) -> None:
    resp = fetch(sim, "https://www.shandong.gov.cn/col/col97896/index.html?uid=509505&pageNum=2")
    sel = Selector(text=resp.text)
    assert sel.css("li.wip_col_listli").getall() == []
    assert sel.css("div.default_pgContainer").get() == '<div class="default_pgContainer"></div>'
    assert len(re.findall(r"<record><!\[CDATA\[", resp.text)) == sim.page_size
    assert "<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=410" in resp.text
    server_rendered = fetch(sim, "https://www.shandong.gov.cn/col/col97802/index.html")
    assert len(Selector(text=server_rendered.text).css("div.wip_col_listul li.wip_col_listli")) == sim.page_size


def test_dzwww_pager_links(sim: Simulator) -> None:
    first = Selector(text=fetch(sim, "http://sd.dzwww.com/sdnews/").text)
    assert first.xpath("//div[@id='flip']//a[contains(., '下一页')]/@href").get() == "index_1.htm"
    pages = -(-len(sim.column("sd_dzwww", "山东新闻")) // sim.page_size)
    last = fetch(sim, f"http://sd.dzwww.com/sdnews/index_{pages - 1}.htm")
    assert last.status == 200 and "下一页" not in last.text and "上一页" in last.text
    assert fetch(sim, f"http://sd.dzwww.com/sdnews/index_{pages}.htm").status == 404


# -- articles ------------------------------------------------------------------------------------

def test_every_article_page_carries_its_truth(sim: Simulator, sites: dict[str, SiteDefinition]) -> None:
    for art in (a for slug in SLUGS for a in sim.articles(slug)):
        site = sites[art.slug]
        assert site.article_re.search(art.url) and art.host in site.allowed_domains, art.url
        resp = fetch(sim, art.url)
        assert resp.status == 200, art.url
        assert resp.headers.get("etag") and resp.headers.get("last-modified"), art.url
        sel = Selector(text=resp.text)
        assert sel.css(TITLE_CSS[art.slug] + "::text").get() == art.title, art.url
        assert (sel.css("title::text").get() or "").endswith(TITLE_SUFFIX[art.slug])
        body = norm("".join(sel.css(BODY_CSS[art.slug]).xpath(".//text()").getall()))
        for para in (art.paragraphs[0], art.paragraphs[-1]):
            assert norm(para) in body, art.url
        page = resp.text + "".join(fetch(sim, urljoin(art.url, src)).text
                                   for src in sel.xpath("//script/@src | //iframe/@src").getall()
                                   if src.startswith(("/script/0/", "/jcms1/web1/site/tpl/")))
        for boiler in BOILERPLATE[art.slug]:
            assert boiler not in body and boiler in page, (art.url, boiler)
        if art.slug != "sd_dzwww":
            pubdate = sel.xpath(f"//meta[@name='{PUBDATE_META[art.slug]}']/@content").get()
            assert pubdate == art.published[:16].replace("T", " "), art.url
        else:
            side = sel.css("#news-side > div::text").get()
            assert side == art.published[:19].replace("T", " ")
            assert sel.css("#news-side > div:nth-child(2) p::text").get() == f"来源：{art.source}"


@pytest.mark.parametrize("slug", SLUGS)
def test_pages_are_well_formed(sim: Simulator, slug: str) -> None:
    urls = [*sim.list_urls(slug).values(), *(a.url for a in sim.articles(slug))]
    for url in urls:
        resp = fetch(sim, url)
        checker = Balance()
        checker.feed(resp.text)
        checker.close()
        assert not checker.errors and checker.stack == [], (url, checker.errors[:3], checker.stack)
        nested = slug == "sd_qingdao" and "/ywdt/zwyw/20" in url  # article bodies are nested documents
        assert resp.text.count("<body") == resp.text.count("<title>") == (2 if nested else 1)


def test_editor_credits_image_and_attachment(sim: Simulator) -> None:
    jinan = sim.articles("sd_jinan")
    credited = [a for a in jinan if a.credits]
    assert len(credited) >= 3
    for art in credited:  # the credit sits after the body box, not in it
        sel = Selector(text=fetch(sim, art.url).text)
        zoom, after = sel.css("#zoom").get() or "", sel.css("#zoom + div.bjxx").get() or ""
        assert "编辑" not in zoom and "初审编辑" in after and "责任编辑" in after
        assert not any("编辑" in p for p in art.paragraphs)
    [pictured] = [a for a in jinan if a.image]
    pictured_zoom = Selector(text=fetch(sim, pictured.url).text).css("#zoom")
    assert pictured_zoom.css("img::attr(src)").get() == pictured.image
    assert fetch(sim, urljoin(pictured.url, pictured.image)).headers["content-type"] == "image/png"
    [attached] = [a for a in jinan if a.attachment]
    href = Selector(text=fetch(sim, attached.url).text).css("#zoom a[href*=downfile]::attr(href)").get() or ""
    assert re.fullmatch(r"/module/download/downfile\.jsp\?classid=0&filename=[0-9a-f]{32}\.pdf&showname=.+\.pdf", href)
    hop = fetch(sim, urljoin(attached.url, href))
    assert hop.status == 302 and re.fullmatch(r"http://www\.jinan\.gov\.cn/attach/0/[0-9a-f]{32}\.pdf",
                                              hop.headers["location"])
    pdf = fetch(sim, hop.headers["location"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body.startswith(b"%PDF-")
    for art in sim.articles("sd_dzwww"):
        assert art.credits.startswith("责任编辑：")
        assert "责任编辑：" in (Selector(text=fetch(sim, art.url).text).css("#news-body").get() or "")


def test_gb2312_pages_round_trip(sim: Simulator) -> None:
    urls = ["http://www.dzwww.com/", "http://sd.dzwww.com/sdnews/", "http://sd.dzwww.com/sdnews/index_1.htm",
            *(a.url for a in sim.articles("sd_dzwww"))]
    for url in urls:
        resp = fetch(sim, url)
        assert resp.headers["content-type"] == "text/html; charset=gb2312", url
        text = resp.body.decode("gb2312")  # strict
        assert text.encode("gb2312") == resp.body
        # no byte that GB2312 and GBK/GB18030 decoders (browsers, Scrapy) read differently (・/·, ―/—)
        assert text == resp.body.decode("gbk") == resp.body.decode("gb18030"), url
        assert '<meta charset="gb2312" />' in text
    for art in sim.articles("sd_dzwww"):
        "".join([art.title, art.source, art.author, *art.paragraphs]).encode("gb2312")


def test_one_qingdao_article_declares_no_charset(sim: Simulator) -> None:
    bare = [a for a in sim.articles() if not a.charset]
    assert [a.slug for a in bare] == ["sd_qingdao"]
    resp = fetch(sim, bare[0].url)
    assert resp.headers["content-type"] == "text/html"
    assert b"charset" not in resp.body.lower()
    assert bare[0].title in resp.body.decode("utf-8")


def test_one_article_is_linked_under_two_url_forms(sim: Simulator) -> None:
    [variant] = [a for a in sim.articles() if a.related_variant]
    pages = [fetch(sim, a.url).text for a in sim.column(variant.slug, variant.column)]
    assert any(f'{variant.path}?{variant.related_variant}"' in p for p in pages)
    assert fetch(sim, f"{variant.url}?{variant.related_variant}").body == fetch(sim, variant.url).body


# -- caching and changes -------------------------------------------------------------------------

def test_conditional_requests(sim: Simulator) -> None:
    url = sim.articles("sd_province")[0].url
    first = fetch(sim, url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"x", W/{etag}'}, {"If-Modified-Since": modified}):
        resp = fetch(sim, url, headers)
        assert resp.status == 304 and resp.body == b"" and resp.headers["etag"] == etag, headers
    earlier = formatdate(parsedate_to_datetime(modified).timestamp() - 60, usegmt=True)
    assert fetch(sim, url, {"If-Modified-Since": earlier}).status == 200
    assert fetch(sim, url, {"If-None-Match": '"other"', "If-Modified-Since": modified}).status == 200
    assert "etag" not in fetch(sim, "https://www.shandong.gov.cn/col/col97802/index.html").headers


def test_edit_article_changes_the_page_and_its_validators(fresh: Simulator) -> None:
    art = fresh.articles("sd_dzwww")[-1]
    before = fetch(fresh, art.url)
    edited = fresh.edit_article(art.url, title="全省冬季森林防火工作全面部署（更新）",
                                paragraphs=[*art.paragraphs, "省应急管理厅同时公布了举报电话。"])
    assert edited.url == art.url and fresh.article(art.url) == edited
    after = fetch(fresh, art.url)
    assert "（更新）" in after.text and "举报电话" in after.text
    assert after.headers["etag"] != before.headers["etag"]
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
        before.headers["last-modified"])
    assert fetch(fresh, art.url, {"If-None-Match": before.headers["etag"]}).status == 200
    fresh.edit_article(art.url, paragraphs=art.paragraphs)
    again = fetch(fresh, art.url)
    assert parsedate_to_datetime(again.headers["last-modified"]) > parsedate_to_datetime(
        after.headers["last-modified"])


@pytest.mark.parametrize("slug, column", [("sd_province", "新闻发布会"), ("sd_jinan", "济南要闻"),
                                          ("sd_qingdao", "政务要闻"), ("sd_dzwww", "山东新闻")])
def test_add_article_goes_on_top_and_pushes_rows_down(
    fresh: Simulator, sites: dict[str, SiteDefinition], slug: str, column: str
) -> None:
    site = sites[slug]
    lst = next(x for x in site.lists if x.column == column)
    old = [a.url for a in fresh.column(slug, column)]
    new = fresh.add_article(slug, column, "新增测试稿件：全省重点工作推进情况", ["第一段内容。", "第二段内容。"],
                            "2026-11-21 09:00", source="测试来源")
    assert isinstance(new, SimArticle) and site.article_re.search(new.url)
    assert links(fetch(fresh, lst.url), lst.url, site)[0] == new.url
    assert fresh.column(slug, column)[1:] == [fresh.article(u) for u in old]
    assert fetch(fresh, new.url).status == 200
    assert new in fresh.articles(slug)


# -- faults --------------------------------------------------------------------------------------

QD = "http://www.qingdao.gov.cn"


def test_fault_status_with_retry_after_and_times(fresh: Simulator) -> None:
    fresh.set_fault("www.qingdao.gov.cn", "/ywdt/zwyw/", "status", code=503, retry_after=120, times=1)
    resp = fetch(fresh, f"{QD}/ywdt/zwyw/")
    assert resp.status == 503 and resp.headers["retry-after"] == "120"
    assert fetch(fresh, f"{QD}/ywdt/zwyw/").status == 200


def test_fault_path_matching(fresh: Simulator) -> None:
    fresh.set_fault("www.shandong.gov.cn", "/col/col97802/index.html", "status", code=500)
    assert fetch(fresh, "https://www.shandong.gov.cn/col/col97802/index.html?uid=509499&pageNum=2").status == 500
    fresh.clear_faults()
    fresh.set_fault("www.shandong.gov.cn", "/col/col97802/index.html?uid=509499&pageNum=2", "status", code=429)
    assert fetch(fresh, "https://www.shandong.gov.cn/col/col97802/index.html").status == 200
    assert fetch(fresh, "https://www.shandong.gov.cn/col/col97802/index.html?uid=509499&pageNum=2").status == 429
    fresh.set_fault("www.jinan.gov.cn", "*", "status", code=502)
    assert fetch(fresh, "http://www.jinan.gov.cn/robots.txt").status == 502
    assert fetch(fresh, f"{QD}/robots.txt").status == 200
    fresh.clear_faults()
    assert fetch(fresh, "http://www.jinan.gov.cn/robots.txt").status == 200
    with pytest.raises(ValueError):
        fresh.set_fault("www.jinan.gov.cn", "/", "explode")


def test_fault_delay(fresh: Simulator) -> None:
    fresh.set_fault("www.qingdao.gov.cn", "/robots.txt", "delay", seconds=0.4)
    t0 = time.monotonic()
    assert fetch(fresh, f"{QD}/robots.txt").status == 200
    assert time.monotonic() - t0 >= 0.4


@pytest.mark.parametrize("kind", ["reset", "down"])
def test_fault_reset_and_down(fresh: Simulator, kind: str) -> None:
    fresh.set_fault("sd.dzwww.com", "/sdnews/", kind)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        fetch(fresh, "http://sd.dzwww.com/sdnews/")
    assert fresh.requests[-1].status == 0
    other = fetch(fresh, "http://sd.dzwww.com/robots.txt") if kind == "reset" else None
    if kind == "down":
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            fetch(fresh, "http://sd.dzwww.com/robots.txt")
    else:
        assert other is not None and other.status == 200
    assert fetch(fresh, "http://www.dzwww.com/").status == 200


def test_fault_truncate(fresh: Simulator) -> None:
    url = fresh.articles("sd_jinan")[0].url
    fresh.set_fault("www.jinan.gov.cn", urlsplit(url).path, "truncate")
    with pytest.raises(http.client.IncompleteRead):
        fetch(fresh, url)


def test_fault_redirects(fresh: Simulator) -> None:
    fresh.set_fault("www.qingdao.gov.cn", "/old/", "redirect", location=f"{QD}/ywdt/zwyw/")
    resp = fetch(fresh, f"{QD}/old/")
    assert resp.status == 302 and resp.headers["location"] == f"{QD}/ywdt/zwyw/"
    fresh.set_fault("www.qingdao.gov.cn", "/loop/", "redirect_loop")
    hop1 = fetch(fresh, f"{QD}/loop/")
    assert hop1.status == 302 and hop1.headers["location"] == f"{QD}/loop/?_loop=1"
    hop2 = fetch(fresh, hop1.headers["location"])
    assert hop2.status == 302 and hop2.headers["location"] == f"{QD}/loop/"


def test_fault_payloads(fresh: Simulator) -> None:
    fresh.set_fault("www.qingdao.gov.cn", "/big", "big", size=300_000)
    big = fetch(fresh, f"{QD}/big")
    assert len(big.body) == 300_000 and big.body.startswith(b"<!DOCTYPE html>")
    fresh.set_fault("www.qingdao.gov.cn", "/bomb", "gzip_bomb", mb=8)
    bomb = fetch(fresh, f"{QD}/bomb")
    assert bomb.headers["content-encoding"] == "gzip" and len(bomb.body) < 100_000
    assert len(gzip.decompress(bomb.body)) >= 8 * 1024 * 1024
    fresh.set_fault("www.qingdao.gov.cn", "/bin", "binary", size=1000)
    binary = fetch(fresh, f"{QD}/bin")
    assert binary.headers["content-type"] == "text/html" and len(binary.body) == 1000


# -- request log ---------------------------------------------------------------------------------

def test_request_log_records_requests(fresh: Simulator) -> None:
    fresh.reset_requests()
    url = fresh.articles("sd_qingdao")[0].url
    fetch(fresh, url, {"If-None-Match": '"abc"'})
    fetch(fresh, f"{QD}/robots.txt")
    first, second = fresh.requests
    assert (first.host, first.method, first.path, first.status) == ("www.qingdao.gov.cn", "GET",
                                                                     urlsplit(url).path, 200)
    assert first.headers["if-none-match"] == '"abc"' and first.finished >= first.started
    assert second.path == "/robots.txt"
    assert fresh.requests.max_in_flight("www.qingdao.gov.cn") == 1
    fresh.reset_requests()
    assert len(fresh.requests) == 0


def test_request_log_sees_overlapping_requests(fresh: Simulator) -> None:
    fresh.set_fault("www.jinan.gov.cn", "/robots.txt", "delay", seconds=0.5)
    fresh.reset_requests()
    threads = [threading.Thread(target=fetch, args=(fresh, "http://www.jinan.gov.cn/robots.txt")) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    assert [r.status for r in fresh.requests] == [None, None]  # both still in flight
    for t in threads:
        t.join()
    a, b = fresh.requests
    assert a.started < b.finished and b.started < a.finished
    assert fresh.requests.max_in_flight("www.jinan.gov.cn") == 2
    assert fresh.requests.max_in_flight("www.qingdao.gov.cn") == 0


# -- the data ------------------------------------------------------------------------------------

def test_article_counts_and_dates(sim: Simulator) -> None:
    arts = [a for slug in SLUGS for a in sim.articles(slug)]
    assert 40 <= len(arts) <= 80  # 55 site entries + 15 in data/conferences.json
    for art in arts:
        assert date(2025, 11, 1) <= art.published_at.date() <= date(2026, 11, 20), art.url
        assert art.published_at.isoformat().endswith("+08:00")
        assert 2 <= len(art.paragraphs) and all(p.strip() == p and p for p in art.paragraphs), art.url


def shingles(text: str, k: int = 4) -> set[str]:
    text = norm(text)
    return {text[i:i + k] for i in range(len(text) - k + 1)}


def jaccard(a: SimArticle, b: SimArticle) -> float:
    x, y = shingles("".join(a.paragraphs)), shingles("".join(b.paragraphs))
    return len(x & y) / len(x | y)


def test_republished_pairs(sim: Simulator) -> None:
    copies = [a for a in sim.articles() if a.republished_from]
    assert sorted(sim.article(c.republished_from or "").slug for c in copies) == ["sd_province", "sd_qingdao"]
    for copy in copies:
        original = sim.article(copy.republished_from or "")
        assert copy.slug == "sd_dzwww" and original.url != copy.url
        assert jaccard(copy, original) > 0.9
    conf = next(c for c in copies if sim.article(c.republished_from or "").slug == "sd_province")
    original = sim.article(conf.republished_from or "")
    changed = [i for i, (x, y) in enumerate(zip(conf.paragraphs, original.paragraphs, strict=True)) if x != y]
    assert len(changed) == 1 and conf.source != original.source and conf.author != original.author


def test_same_topic_press_conferences_are_not_copies(sim: Simulator) -> None:
    confs = [a for a in sim.column("sd_province", "新闻发布会") if "营商环境" in a.title]
    assert len(confs) == 2
    a, b = confs
    framing = "山东省人民政府新闻办公室举行新闻发布会"
    assert framing in a.paragraphs[0] and framing in b.paragraphs[0]
    assert jaccard(a, b) < 0.2


# -- frozen fixtures ------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_frozen_fixtures_match_the_simulator(sim: Simulator, slug: str) -> None:
    folder = FIXTURES / slug
    expected = tomllib.loads((folder / "expected.toml").read_text("utf-8"))
    kinds = [e["kind"] for e in expected.values()]
    assert kinds.count("list") >= 1 and kinds.count("article") >= 2
    for name, exp in expected.items():
        resp = fetch(sim, exp["url"])
        assert (folder / name).read_bytes() == resp.body, f"{slug}/{name} is stale: run freeze_sites.py"
        assert exp["content_type"] == resp.headers["content-type"]
        assert isinstance(exp["captured"], date)
        if exp["kind"] == "list":
            assert exp["article_links"] == len(sim.column(slug, exp["column"])[: sim.page_size])
        else:
            art = sim.article(exp["url"])
            assert (exp["title"], exp["published"]) == (art.title, art.published)
            assert exp["first_sentence"] and art.paragraphs[0].startswith(exp["first_sentence"])
            assert exp["last_sentence"] and art.paragraphs[-1].endswith(exp["last_sentence"])
