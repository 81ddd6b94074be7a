"""List mechanisms behind a data call (jpaas unit build, gkmlpt, datacall) and the TRS pager script."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from core.siteconfig import ListPage, load_sites
from crawler.apilists import list_page, script_html, unit_shell
from crawler.links import next_page, trs_pager

SITES = load_sites()[0]
YANTAI = SITES["sd_yantai"]
UNIT = "https://www.yantai.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
ART = "/col/col11748/art/2026/art_0123456789abcdef0123456789abcdef.html"


def lst(mechanism: str, url: str = "https://www.yantai.gov.cn/col/col11748/index.html") -> ListPage:
    return ListPage(url=url, column="今日烟台", mechanism=mechanism)


def test_a_jpaas_shell_names_its_data_call() -> None:
    shell = ('<div id="分页列表"></div><script src="/x/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/'
             "page/build/unit\" queryData=\"{'webId':'52','pageId':'11748','tagId':'列表新闻','pageType':'column'}\">"
             "</script>")
    result = list_page(shell, lst("jpaas_unit").url, lst("jpaas_unit"), YANTAI, 1, "text/html")
    assert result.links == [] and result.data_url and result.data_url.startswith(UNIT + "?")
    assert "pageId=11748" in result.data_url and "parseType=bulidstatic" in result.data_url
    assert "pageNo" not in result.data_url and "paramJson" not in result.data_url  # page 1 has none
    bare = list_page("<html><body>空</body></html>", lst("jpaas_unit").url, lst("jpaas_unit"), YANTAI, 1)
    assert bare.data_url is None and "without unit parameters" in bare.problem
    with_api = replace(lst("jpaas_unit"), api={"pageId": "11748", "tagId": "列表新闻"})
    assert "pageId=11748" in (unit_shell("<html></html>", with_api.url, with_api) or "")


def unit_answer(hrefs: list[str], page: int, rows: int, count: int, pager: bool = True) -> str:
    lis = "".join(f'<li><a href="{h}" title="t">t</a><span>[2026-03-02]</span></li>' for h in hrefs)
    div = f'<div class="pagination" rows="{rows}" count="{count}" pageNo="{page}"></div>' if pager else ""
    return json.dumps({"success": True, "code": "200", "data": {"html": f"<ul>{lis}</ul>{div}"}})


def test_unit_build_pages_follow_the_pagination_div() -> None:
    url = UNIT + "?pageId=11748&parseType=bulidstatic"
    first = list_page(unit_answer([ART, "/other/page.html"], 1, 1, 2), url, lst("jpaas_unit"), YANTAI, 1,
                      "application/json")
    assert first.links == ["https://www.yantai.gov.cn" + ART]
    assert first.next_url
    paging = json.loads(parse_qs(urlsplit(first.next_url).query)["paramJson"][0])
    assert paging == {"pageNo": 2, "pageSize": 1}
    last = list_page(unit_answer([ART], 2, 1, 2), first.next_url, lst("jpaas_unit"), YANTAI, 2, "application/json")
    assert last.next_url is None
    refused = list_page(json.dumps({"success": False, "message": "参数错误"}), url, lst("jpaas_unit"), YANTAI, 1,
                        "application/json")
    assert refused.links == [] and "without success" in refused.problem
    broken = list_page("{not json", url, lst("jpaas_unit"), YANTAI, 1, "application/json")
    assert "without success" in broken.problem


def test_gkmlpt_pages_stop_at_the_post_count() -> None:
    site = SITES["gd_province"]
    url = "https://www.gd.gov.cn/gkmlpt/api/all/2761?page=1&sid=2"
    arts = [{"url": f"https://www.gd.gov.cn/gkmlpt/content/1/1000/post_{i}.html"} for i in (1000001, 1000002)]
    page1 = list_page(json.dumps({"classify": {"post_count": 3}, "articles": arts}), url,
                      lst("gkmlpt_api", url), site, 1, "application/json")
    assert len(page1.links) == 2 and page1.next_url and "page=2" in page1.next_url and "sid=2" in page1.next_url
    full = list_page(json.dumps({"classify": {"post_count": 4}, "articles": arts}), page1.next_url,
                     lst("gkmlpt_api", url), site, 2, "application/json")
    assert full.next_url is None  # 2 pages of 2 hold all 4
    # A short page cannot say how long a full one is: the next (empty) page ends the list.
    short = list_page(json.dumps({"classify": {"post_count": 3}, "articles": arts[:1]}), page1.next_url,
                      lst("gkmlpt_api", url), site, 2, "application/json")
    assert short.next_url and "page=3" in short.next_url
    empty = list_page(json.dumps({"classify": {}, "articles": []}), url, lst("gkmlpt_api", url), site, 1)
    assert empty.links == [] and empty.next_url is None
    assert "articles list" in list_page("[]", url, lst("gkmlpt_api", url), site, 1).problem


def test_datacall_scripts_are_read_without_running_them() -> None:
    site = SITES["sd_heze"]
    url = "http://www.heze.gov.cn/col/col4601/index.html"
    shell = '<div><script src="/jact/front/datacall/showJsContent.do?iid=900001&webid=17"></script></div>'
    first = list_page(shell, url, lst("datacall", url), site, 1, "text/html")
    assert first.data_url == "http://www.heze.gov.cn/jact/front/datacall/showJsContent.do?iid=900001&webid=17"
    js = ('document.write("<ul><li><a href=\\"/col/col4601/art/2026/art_0123456789abcdef0123456789abcdef.html\\">'
          '甲</a></li>");\ndocument.write(\'<li><a href="/col/col4601/art/2026/art_fedcba9876543210fedcba9876543210.html">'
          "乙</a></li></ul>');")
    assert script_html(js).count("<li>") == 2
    rows = list_page(js, first.data_url, lst("datacall", url), site, 1, "application/javascript")
    assert [u.rsplit("_", 1)[1][:4] for u in rows.links] == ["0123", "fedc"]
    assert "no datacall script" in list_page("<p>x</p>", url, lst("datacall", url), site, 1).problem


@pytest.mark.parametrize(("js", "html"), [
    ("document.write('<a href=\\'\\/art\\/1.html\\'>a<\\/a>');", "<a href='/art/1.html'>a</a>"),
    ('document.write("<a href=\\"x.html\\">\\u4e2d\\x41</a>");', '<a href="x.html">中A</a>'),
    ("document.writeln('<li>\\n</li>'); document.write('b\\\\c')", "<li>\n</li>b\\c"),
    ("document.write('one \\\n two')", "one  two"),  # a backslash-newline continues the literal
    ("var x = '<a href=1.html>';", ""),  # not written: not read
])
def test_script_literals_decode_as_javascript_reads_them(js: str, html: str) -> None:
    assert script_html(js) == html


@pytest.mark.parametrize(("script", "expected"), [
    ('createPageHTML(89, 1,"index", "shtml", "black2",621);', (89, 1, "index", "shtml")),
    ('var currentPage = 0;var countPage = 4;\ncreatePageHTML(countPage, currentPage, "index", "shtml");',
     (4, 0, "index", "shtml")),
    ("createPageHTML('paging', 12, 2, 'index', 'html', 300);", (12, 2, "index", "html")),
    ("createPageHTML(countPage, currentPage);", None),
])
def test_trs_pager_script_forms(script: str, expected: tuple | None) -> None:
    assert trs_pager(script) == expected


def test_the_pager_script_decides_the_next_page_and_the_end() -> None:
    hubei = SITES["hb_province"].lists[0]
    page = '<script>createPageHTML(3, 1,"index", "shtml", "black2",8);</script>'
    assert next_page(page, hubei.url + "index_1.shtml", hubei, 2) == hubei.url + "index_2.shtml"
    last = '<script>createPageHTML(3, 2,"index", "shtml", "black2",8);</script>'
    assert next_page(last, hubei.url + "index_2.shtml", hubei, 3) is None
