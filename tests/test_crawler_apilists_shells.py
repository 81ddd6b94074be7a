"""JS-rendered lists: the data API a shell page names is requested directly when the site file
says ``[links] api = true``, and its rows are archived; without it the shell is reported."""

from __future__ import annotations

import os

import pytest

from archive import Archive
from crawler.apilists import api_request, dataproxy_form, rows_html
from crawler.blocks import classify_list_page
from simulator.sites.blocks import SITES_DIR as BLOCK_SITES
from tests.conftest import crawl

HANWEB_PAGE = ('<script>$("#d").jpage({ proxyUrl: "/module/web/jpage/dataproxy.jsp", perPage: 15, '
               'ajaxParam: { col: 1, webid: 410, columnid: 97802, unitid: 509499, sourceContentType: 1, '
               'webname: "山东省人民政府", permissiontype: 0, path: "/" } });</script>')


def test_the_dataproxy_request_carries_the_pages_own_parameters() -> None:
    block = classify_list_page(200, [], HANWEB_PAGE.encode(), "https://www.shandong.gov.cn/col/col97802/index.html")
    req = api_request(block, "https://www.shandong.gov.cn/col/col97802/index.html", HANWEB_PAGE)
    assert req is not None and req.method == "POST"
    assert req.url == ("https://www.shandong.gov.cn/module/web/jpage/dataproxy.jsp"
                       "?startrecord=1&endrecord=45&perpage=15")
    assert dataproxy_form(HANWEB_PAGE) == {"col": "1", "webid": "410", "columnid": "97802", "unitid": "509499",
                                           "sourceContentType": "1", "webname": "山东省人民政府",
                                           "permissiontype": "0", "path": "/"}
    assert req.headers[b"X-Requested-With"] == b"XMLHttpRequest"


def test_a_page_without_its_parameters_gets_no_request() -> None:
    page = '<script>var u = "/module/web/jpage/dataproxy.jsp";</script>'
    block = classify_list_page(200, [], page.encode(), "http://x.gov.cn/col/col1/index.html")
    assert block is not None and block.kind == "empty_shell"
    assert api_request(block, "http://x.gov.cn/col/col1/index.html", page) is None


@pytest.mark.parametrize(("body", "href"), [
    (('<datastore><recordset><record><![CDATA[<li><a href="/art/2026/1/2/art_1_3.html">a</a></li>]]></record>'
      "</recordset></datastore>"), "/art/2026/1/2/art_1_3.html"),
    ('{"success":true,"data":{"html":"<li><a href=\\"/col/col1/art/2026/art_ab12.html\\">a</a></li>"}}',
     "/col/col1/art/2026/art_ab12.html"),
    ("document.write('<li><a href=\\'\\/art\\/2026\\/1\\/2\\/art_1_4.html\\'>a<\\/a><\\/li>');",
     "/art/2026/1/2/art_1_4.html"),
])
def test_api_answers_become_rows(body: str, href: str) -> None:
    assert href in rows_html(body)


SHELLS = ["xx_shell_hanweb", "xx_shell_jpaas", "xx_shell_datacall"]


@pytest.fixture(scope="module")
def api_crawl(tmp_path_factory: pytest.TempPathFactory):
    from simulator import Simulator

    folder = tmp_path_factory.mktemp("api_sites")
    for slug in SHELLS:
        text = (BLOCK_SITES / f"{slug}.toml").read_text("utf-8").replace(f'slug = "{slug}"', f'slug = "{slug}_api"')
        (folder / f"{slug}_api.toml").write_text(text + "\n[links]\napi = true\n", "utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVPRESS_SITES", f"{folder}{os.pathsep}{BLOCK_SITES}")
    try:
        with Simulator() as sim:
            runs = crawl(sim, folder / "a.sqlite", [f"{s}_api" for s in SHELLS] + ["xx_shell_jpaas"])
    finally:
        mp.undo()
    return folder / "a.sqlite", {r["site"]: r for r in runs}


@pytest.mark.parametrize("slug", SHELLS)
def test_with_api_on_the_rows_are_archived(api_crawl, slug: str) -> None:
    archive, runs = api_crawl
    assert runs[f"{slug}_api"]["status"] == "ok", runs[f"{slug}_api"]
    docs = list(Archive(archive).documents(site=f"{slug}_api"))
    assert len(docs) == 6
    assert all(d.title.startswith("模拟数据接口文章第") and d.published for d in docs)


def test_without_it_the_same_shell_is_reported(api_crawl) -> None:
    archive, runs = api_crawl
    assert runs["xx_shell_jpaas"]["status"] == "blocked"
    assert Archive(archive).runs(site="xx_shell_jpaas")[0].block_kind == "empty_shell"
