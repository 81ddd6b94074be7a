"""Every site has frozen pages and a test: its list page yields its article links, and each
frozen article extracts to the recorded headline, date, source and body, free of boilerplate.

Pages are the raw bytes the server sent; responses are rebuilt from those bytes and the
original Content-Type, so encoding detection (GB2312, no charset) is exercised too.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy.http import HtmlResponse, TextResponse

from core.siteconfig import load_sites
from crawler.apilists import list_page
from pipelines.extract import extract

FIXTURES = Path(__file__).parent / "fixtures" / "sites"
SITES = load_sites()[0]
BOILERPLATE = re.compile(r"主办单位|网站标识码|ICP备|公网安备|版权所有|技术支持|打印本页|关闭窗口|责任编辑|初审编辑|分享到|当前位置")


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def cases(kind: str) -> list[tuple[str, str, dict]]:
    out = []
    for slug in sorted(SITES):
        path = FIXTURES / slug / "expected.toml"
        if path.exists():
            for name, exp in tomllib.loads(path.read_text("utf-8")).items():
                if exp["kind"] == kind:
                    out.append(pytest.param(slug, name, exp, id=f"{slug}/{name}"))
    return out


def response(slug: str, name: str, exp: dict) -> TextResponse:
    raw = (FIXTURES / slug / name).read_bytes()
    cls = HtmlResponse if "html" in exp["content_type"] else TextResponse
    return cls(exp["url"], body=raw, headers={"Content-Type": exp["content_type"]})


def same_url(a: str, b: str) -> bool:
    """Equal URLs, whatever the order of their query parameters."""
    x, y = urlsplit(a), urlsplit(b)
    return (x.scheme, x.netloc, x.path) == (y.scheme, y.netloc, y.path) and \
        sorted(parse_qsl(x.query)) == sorted(parse_qsl(y.query))


def test_every_site_has_a_file_a_simulated_copy_and_fixtures() -> None:
    from simulator.sites import SITE_CLASSES

    simulated = {cls.slug for cls in SITE_CLASSES}
    assert set(SITES) == simulated, f"site files without a simulated copy or the reverse: {set(SITES) ^ simulated}"
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == set(SITES), f"fixture folders without a site or the reverse: {folders ^ set(SITES)}"
    for slug in SITES:
        folder = FIXTURES / slug
        assert (folder / "expected.toml").is_file(), f"{slug}: no tests/fixtures/sites/{slug}/expected.toml"
        kinds = [e["kind"] for e in tomllib.loads((folder / "expected.toml").read_text("utf-8")).values()]
        assert "list" in kinds and "article" in kinds, f"{slug}: needs a list page and an article page"


@pytest.mark.parametrize(("slug", "name", "exp"), cases("list"))
def test_list_page_yields_its_article_links(slug: str, name: str, exp: dict) -> None:
    site = SITES[slug]
    lst = next(lst for lst in site.lists if lst.column == exp["column"])
    resp = response(slug, name, exp)
    result = list_page(resp.text, resp.url, lst, site, 1, exp["content_type"])
    assert len(result.links) == exp["article_links"]
    if "article_urls" in exp:
        assert result.links == exp["article_urls"]
    assert all(site.article_re.search(link.split("?")[0]) for link in result.links)
    assert all(any(d in link for d in site.allowed_domains) for link in result.links)
    if "data_url" in exp:
        assert result.data_url and same_url(result.data_url, exp["data_url"]), result.data_url
    if "next_url" in exp:
        assert (result.next_url or "") == exp["next_url"] or same_url(result.next_url or "", exp["next_url"])


@pytest.mark.parametrize(("slug", "name", "exp"), cases("article"))
def test_article_extracts_to_the_recorded_truth(slug: str, name: str, exp: dict) -> None:
    site = SITES[slug]
    resp = response(slug, name, exp)
    ex = extract(resp.body, resp.url, content_type=exp["content_type"], selectors=site.selectors)
    assert ex.title == exp["title"]
    assert ex.published and ex.published[:16] == exp["published"][:16]
    assert ex.source == exp["source"]
    body = norm(ex.body)
    assert body.startswith(norm(exp["first_sentence"]))
    assert body.endswith(norm(exp["last_sentence"]))
    assert not BOILERPLATE.search(ex.body), BOILERPLATE.search(ex.body)
    assert ex.replacement_chars == 0
