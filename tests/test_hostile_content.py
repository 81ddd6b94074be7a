"""Hostile or broken content: archived and flagged, or refused with a reason, never a crash."""

from __future__ import annotations

import os
import time

import pytest

from archive import Archive
from archive.record import DocumentRecord
from crawler.spiders.site import SiteSpider
from pipelines.extract import extract
from simulator import Simulator
from tests.conftest import crawl


@pytest.fixture(scope="module")
def odd_articles(tmp_path_factory: pytest.TempPathFactory):
    archive = tmp_path_factory.mktemp("hostile") / "a.sqlite"
    with Simulator() as sim:
        added = {
            "attachment_only": sim.add_article(
                "sd_jinan", "济南要闻", "关于公布2026年度济南市级非物质文化遗产代表性项目名录的通知",
                ["附件：2026年度市级非遗代表性项目名录.pdf"], "2026-11-19 09:00",
                attachment="2026年度市级非遗代表性项目名录.pdf"),
            "future": sim.add_article(
                "sd_jinan", "济南要闻", "济南市召开城市更新工作推进会议", ["会议要求，各区县要加快推进城市更新项目建设，确保年底前完成年度目标任务。"],
                "2099-01-01 10:00"),
            "ancient": sim.add_article(
                "sd_jinan", "济南要闻", "济南市档案馆开放一批历史档案", ["市档案馆近日向社会开放一批历史档案，涉及城市建设、经济发展等方面内容。"],
                "1985-06-01 10:00"),
        }
        runs = crawl(sim, archive, ["sd_jinan"])
        yield sim, archive, runs, added


def test_an_attachment_only_article_is_archived_with_its_attachment_and_flagged(odd_articles) -> None:
    _, archive, _, added = odd_articles
    doc = Archive(archive).get(added["attachment_only"].url)
    assert doc is not None
    assert "no_text" in doc.flags
    assert [a["name"] for a in doc.attachments] == ["2026年度市级非遗代表性项目名录.pdf"]
    assert doc.attachments[0]["url"].startswith("http://www.jinan.gov.cn/module/download/downfile.jsp")


@pytest.mark.parametrize("name", ["future", "ancient"])
def test_absurd_dates_are_kept_raw_and_flagged(odd_articles, name: str) -> None:
    _, archive, runs, added = odd_articles
    doc = Archive(archive).get(added[name].url)
    assert doc is not None and doc.published is None
    assert doc.published_raw[:4] in ("2099", "1985")
    assert "date_out_of_range" in doc.flags
    assert runs[0]["status"] in ("ok", "partial")


def test_binary_served_as_html_is_not_archived_as_text() -> None:
    noise = os.urandom(64 * 1024)
    ex = extract(noise, "http://www.qingdao.gov.cn/ywdt/zwyw/202601/t20260101_1.shtml",
                 content_type="text/html; charset=utf-8")
    assert len(ex.body) < 20 or ex.replacement_chars > 100


def test_deeply_nested_and_malformed_html_is_survived_quickly() -> None:
    depth = 20000
    page = ("<html><body>" + "<div>" * depth + "<p>深层嵌套页面里的正文段落，用来检验解析器不会因递归过深而崩溃。</p>"
            + "</span></td>" * 50 + "<p>未闭合的段落" + "</div>" * 10 + "</body></html>")
    started = time.monotonic()
    ex = extract(page.encode("utf-8"), "http://www.jinan.gov.cn/art/2026/1/1/art_1_1.html")
    assert time.monotonic() - started < 10
    assert isinstance(ex.body, str)


def test_links_to_dangerous_schemes_and_private_addresses_are_never_followed() -> None:
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.spiders.sites import Spider_sd_qingdao

    html = """<ul>
      <li><a href="file:///etc/passwd/202601/t20260101_1.shtml">a</a></li>
      <li><a href="javascript:alert(1)//202601/t20260101_2.shtml">b</a></li>
      <li><a href="mailto:x@qingdao.gov.cn?/202601/t20260101_3.shtml">c</a></li>
      <li><a href="http://127.0.0.1/ywdt/zwyw/202601/t20260101_4.shtml">d</a></li>
      <li><a href="http://10.1.2.3/ywdt/zwyw/202601/t20260101_5.shtml">e</a></li>
      <li><a href="http://[::1]/ywdt/zwyw/202601/t20260101_6.shtml">f</a></li>
      <li><a href="http://www.qingdao.gov.cn/ywdt/zwyw/202601/t20260101_7.shtml">ok</a></li>
    </ul>"""
    crawler = get_crawler(Spider_sd_qingdao, {"INCREMENTAL_ENABLED": False})
    spider: SiteSpider = Spider_sd_qingdao.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    response = HtmlResponse("http://www.qingdao.gov.cn/ywdt/zwyw/", body=html.encode(), encoding="utf-8")
    out = list(spider.parse_list(response, spider.site.lists[0], 1))
    urls = [r.url for r in out if hasattr(r, "url")]
    assert [u for u in urls if "t20260101" in u] == ["http://www.qingdao.gov.cn/ywdt/zwyw/202601/t20260101_7.shtml"]
    assert crawler.stats.get_value("lists/refused_links") == 4  # file:, 127.0.0.1, 10.x, [::1]
    assert not isinstance(out[0], DocumentRecord)
