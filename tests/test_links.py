"""List-page parsing: article links (rendered rows, datastore records, scope) and pagination."""

from __future__ import annotations

from core.siteconfig import load_sites
from crawler.links import article_links, datastore_records, next_page

SITES = load_sites()[0]

HANWEB_DATASTORE = """<html><body>
<div class="nav"><a href="/col/col1/index.html">首页</a><a href="/art/2026/1/2/art_1_9.html">置顶</a></div>
<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li class="wip_col_listli"><a href="/art/2026/1/21/art_97896_101.html" title="甲">甲</a><span>2026-01-21</span></li>]]></record>
<record><![CDATA[<li class="wip_col_listli"><a href="https://www.shandong.gov.cn/art/2026/1/20/art_97896_102.html">乙</a></li>]]></record>
<record><![CDATA[<li><a href="javascript:void(0)">丙</a></li>]]></record>
</recordset></datastore></script>
<div class="default_pgContainer"></div></body></html>"""


def test_datastore_records_are_read_without_javascript() -> None:
    assert len(datastore_records(HANWEB_DATASTORE)) == 3
    links = article_links(HANWEB_DATASTORE, "https://www.shandong.gov.cn/col/col97896/index.html", SITES["sd_province"])
    assert links == [
        "https://www.shandong.gov.cn/art/2026/1/2/art_1_9.html",
        "https://www.shandong.gov.cn/art/2026/1/21/art_97896_101.html",
        "https://www.shandong.gov.cn/art/2026/1/20/art_97896_102.html",
    ]


def test_scope_and_pattern_keep_only_article_links() -> None:
    html = """<div id="nav"><a href="./202601/t20260101_1.htm">导航里的文章</a></div>
    <div id="main2"><ul>
      <li><h3><a href="./202601/t20260121_12345678.htm">一</a></h3></li>
      <li><h3><a href="./202601/t20260121_12345678.htm">一（重复）</a></h3></li>
      <li><h3><a href="/sdnews/list.htm">栏目</a></h3></li>
      <li><h3><a href="mailto:x@dzwww.com">信</a></h3></li>
    </ul></div>"""
    links = article_links(html, "http://sd.dzwww.com/sdnews/", SITES["sd_dzwww"])
    assert links == ["http://sd.dzwww.com/sdnews/202601/t20260121_12345678.htm"]


def test_jinan_article_urls_of_both_eras_match() -> None:
    site = SITES["sd_jinan"]
    html = """<ul><li><a href="/col/col27544/art/2026/art_0123456789abcdef0123456789abcdef.html">新</a></li>
    <li><a href="/art/2025/12/3/art_27544_4871234.html">旧</a></li>
    <li><a href="/col/col27544/index.html?uid=564862&pageNum=2">下一页</a></li></ul>"""
    links = article_links(html, "http://www.jinan.gov.cn/col/col27544/index.html", site)
    assert len(links) == 2


def test_template_pagination_counts_from_the_profile() -> None:
    qingdao, province = SITES["sd_qingdao"], SITES["sd_province"]
    lst = qingdao.lists[0]
    assert next_page("", lst.url, lst, 1) == "http://www.qingdao.gov.cn/ywdt/zwyw/index_1.shtml"
    assert next_page("", lst.url, lst, 2) == "http://www.qingdao.gov.cn/ywdt/zwyw/index_2.shtml"
    plst = province.lists[0]
    assert next_page("", plst.url, plst, 1).endswith("/col/col97802/index.html?uid=509499&pageNum=2")
    assert next_page("", lst.url, lst, lst.max_pages) is None


def test_next_link_pagination_stops_on_the_last_page() -> None:
    lst = SITES["sd_dzwww"].lists[0]
    page1 = '<div id="flip"><a href="index_1.htm">下一页</a></div>'
    assert next_page(page1, lst.url, lst, 1) == "http://sd.dzwww.com/sdnews/index_1.htm"
    assert next_page('<div id="flip"><a href="index.htm">上一页</a></div>', lst.url, lst, 2) is None


def test_one_malformed_link_does_not_lose_the_rest_of_the_list_page() -> None:
    html = """<div id="main2"><ul>
      <li><a href="./202601/t20260121_1.htm">一</a></li>
      <li><a href="http://[::1/202601/t20260121_2.htm">坏</a></li>
      <li><a href="./202601/t20260121_3.htm">三</a></li></ul>
      <div id="flip"><a href="http://[::1/next">下一页</a></div></div>"""
    bad: list[str] = []
    links = article_links(html, "http://sd.dzwww.com/sdnews/", SITES["sd_dzwww"], on_bad=bad.append)
    assert links == ["http://sd.dzwww.com/sdnews/202601/t20260121_1.htm",
                     "http://sd.dzwww.com/sdnews/202601/t20260121_3.htm"]
    assert bad == ["http://[::1/202601/t20260121_2.htm", "http://[::1/next"]
    lst = SITES["sd_dzwww"].lists[0]
    assert next_page(html, "http://sd.dzwww.com/sdnews/", lst, 1) is None  # a bad next link ends paging, no raise


def test_a_malformed_base_href_on_a_list_page_is_survived() -> None:
    html = '<div id="main2"><a href="/sdnews/202601/t20260121_1.htm">一</a></div>'
    assert article_links(html, "http://[::1/", SITES["sd_dzwww"]) == []
