"""Multi-page articles: page links (pipelines/extract/pages.py), the spider's page chain
(crawler/multipage.py) and one document of all pages (pipelines/process.py)."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse

from archive.record import DocumentRecord
from pipelines.extract.pages import page_links
from pipelines.process import clean

BASE = "http://www.example.gov.cn/xw/202604/"
P1 = ["4月8日，全市城市更新工作推进会召开，会议回顾了一季度工作进展情况，部署下一阶段重点任务。",
      "会议指出，城市更新是推动城市高质量发展的重要抓手，各区县要切实增强紧迫感和责任感。"]
P2 = ["会议要求，要聚焦老旧小区改造、城中村改造等重点任务，加快项目前期手续办理，确保按期开工。",
      "要创新投融资模式，积极争取上级资金支持，引导社会资本参与城市更新项目建设。"]
P3 = ["会议强调，要加强统筹协调，建立健全工作推进机制，定期调度重点项目进展，确保各项任务落地见效。"]


def page(paras: list[str], n: int, total: int, stem: str = "t20260408_351") -> str:
    pager = " ".join(f'<a href="{stem}{"" if i == 1 else f"_{i}"}.html">{i}</a>' for i in range(1, total + 1))
    nxt = f'<a href="{stem}_{n + 1}.html">下一页</a>' if n < total else ""
    return (
        "<html><head><meta charset='utf-8'><title>全市城市更新工作推进会召开_某市人民政府</title></head><body>"
        "<h1>全市城市更新工作推进会召开</h1><div class='info'>发布时间：2026-04-08 10:00</div>"
        "<div class='TRS_Editor'>" + "".join(f"<p>{p}</p>" for p in paras) + "</div>"
        f"<div class='page'>{pager} {nxt}</div>"
        '<div class="next"><a href="t20260409_352.html">下一篇：全市安全生产工作会议召开</a></div>'
        "</body></html>"
    )


def test_page_links_are_found_in_any_case_and_in_utf16_bytes() -> None:
    html = page(P1, 1, 2).replace("t20260408_351_2.html", "T20260408_351_2.HTML")
    assert page_links(html.encode("utf-8"), BASE + "t20260408_351.html") == [BASE + "T20260408_351_2.HTML"]
    assert page_links(page(P1, 1, 2).encode("utf-16"), BASE + "t20260408_351.html") == [
        BASE + "t20260408_351_2.html"]
    # a page without its stem followed by "_" anywhere links no sibling
    assert page_links(page(P1, 1, 1).encode("utf-8"), BASE + "t20260408_351.html") == []


def test_page_links_are_the_articles_own_numbered_siblings() -> None:
    assert page_links(page(P1, 1, 3), BASE + "t20260408_351.html") == [
        BASE + "t20260408_351_2.html", BASE + "t20260408_351_3.html"]
    # from a later page: the same siblings, not the page itself nor page 1
    assert page_links(page(P2, 2, 3), BASE + "t20260408_351_2.html", first_url=BASE + "t20260408_351.html") == [
        BASE + "t20260408_351_3.html"]


def test_no_page_links_on_a_single_page_article_or_for_other_articles() -> None:
    html = page(P1, 1, 1)
    assert page_links(html, BASE + "t20260408_351.html") == []
    # the 下一篇 link names another article; a query-string pager of a list is not the article's
    other = html.replace("</body>", '<a href="t20260408_351.html?page=2">2</a><a href="/other/t20260408_351_2.html">2</a></body>')
    assert page_links(other, BASE + "t20260408_351.html") == []


def test_absurd_page_numbers_are_not_followed() -> None:
    html = page(P1, 1, 2).replace("</body>", '<a href="t20260408_351_999.html">999</a></body>')
    assert page_links(html, BASE + "t20260408_351.html") == [BASE + "t20260408_351_2.html"]


def _response(url: str, html: str, request: Request | None = None) -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode(), encoding="utf-8",
                        request=request or Request(url, meta={"canonical_url": url}))


def _spider():  # type: ignore[no-untyped-def]
    from scrapy.utils.test import get_crawler

    from crawler.spiders import sites

    cls = getattr(sites, f"Spider_{next(iter(sites.SITES))}")
    crawler = get_crawler(cls, settings_dict={"ARTICLE_MAX_PAGES": 20})
    return cls.from_crawler(crawler)


def test_the_spider_holds_the_record_until_every_page_is_in() -> None:
    spider = _spider()
    url = BASE + "t20260408_351.html"
    out = list(spider.parse_article(_response(url, page(P1, 1, 3))))
    assert len(out) == 1 and isinstance(out[0], Request) and out[0].url == BASE + "t20260408_351_2.html"
    req2 = out[0]
    out = list(req2.callback(_response(req2.url, page(P2, 2, 3), req2)))
    assert isinstance(out[0], Request) and out[0].url == BASE + "t20260408_351_3.html"
    req3 = out[0]
    (record,) = list(req3.callback(_response(req3.url, page(P3, 3, 3), req3)))
    assert isinstance(record, DocumentRecord)
    assert [p["url"] for p in record.pages] == [req2.url, req3.url]
    clean(record, None)
    assert record.body.split("\n") == P1 + P2 + P3
    assert record.title == "全市城市更新工作推进会召开"
    assert "multi_page" in record.flags


def test_a_failed_later_page_still_gives_the_document() -> None:
    from twisted.python.failure import Failure

    spider = _spider()
    url = BASE + "t20260408_351.html"
    (req2,) = list(spider.parse_article(_response(url, page(P1, 1, 2))))
    try:
        raise ConnectionError("connection refused")
    except ConnectionError:
        failure = Failure()
    failure.request = req2  # type: ignore[attr-defined]
    (record,) = list(req2.errback(failure))
    clean(record, None)
    assert record.body.split("\n") == P1
    assert "pages_incomplete" in record.flags
