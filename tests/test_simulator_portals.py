"""The generated portals: each platform's list mechanism, page structure and quirks, from the facts table."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from parsel import Selector

from core.siteconfig import SiteDefinition, load_sites
from simulator import Simulator
from simulator.sites.portal_facts import PORTALS
from tests.test_simulator import fetch, norm

SLUGS = [p.slug for p in PORTALS]
FACTS = {p.slug: p for p in PORTALS}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture(scope="module")
def sites() -> dict[str, SiteDefinition]:
    return load_sites()[0]


def rows_of(sim: Simulator, slug: str, url: str) -> tuple[list[str], str]:
    """Article URLs a browser would show for list page ``url`` (running the shell's data call)."""
    resp = fetch(sim, url)
    assert resp.status == 200, url
    text = resp.text
    if "unitbuild.js" in text:  # a jpaas shell: no rows, only the script that fetches them
        script = Selector(text=text).xpath("//script[@querydata][@url]")
        assert script and json.loads(script.attrib["querydata"].replace("'", '"'))["pageType"] == "column"
        assert not Selector(text=text).css("ul.txtList_01 li")
        return [], text
    if "showJsContent.do" in text:
        return [], text
    if resp.headers["content-type"].startswith("application/json"):
        data = json.loads(text)
        return [a["url"] for a in data["articles"]], text
    hrefs = Selector(text=text).xpath("//a/@href").getall()
    hrefs += [h for r in re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", text, re.S)
              for h in Selector(text=r).xpath("//a/@href").getall()]
    arts = {a.url for a in sim.articles(slug)}
    return [u for u in (urljoin(url, h) for h in hrefs) if u in arts], text


@pytest.mark.parametrize("slug", SLUGS)
def test_every_list_page_shows_its_rows_in_order(sim: Simulator, slug: str) -> None:
    app = sim._apps[slug]
    for column in app.column_names():
        truth = [a.url for a in sim.column(slug, column)]
        assert len(truth) >= 4
        seen: list[str] = []
        n = 1
        while url := app.list_url(column, n):
            found, text = rows_of(sim, slug, url)
            if not found and (data := app.data_call(column, n)):
                resp = fetch(sim, data)
                body = resp.text
                if resp.headers["content-type"].startswith("application/json"):
                    answer = json.loads(body)
                    assert answer["code"] == "200" and set(answer) >= {"roles", "permissions", "traceId"}
                    html = answer["data"]["html"]
                    pager = Selector(text=html).xpath("//div[@class='pagination']")
                    assert pager.attrib["pageNo".lower()] == str(n) and pager.attrib["count"] == str(len(truth))
                else:
                    html = "".join(json.loads(m) for m in re.findall(r"document\.write\((\".*?\")\);", body))
                found = [urljoin(url, h) for h in Selector(text=f"<div>{html}</div>").xpath("//a/@href").getall()]
                if "showJsContent" in data:
                    seen = found
                    break
            assert found, url
            seen += found
            n += 1
        assert seen == truth, (slug, column)


@pytest.mark.parametrize("slug", SLUGS)
def test_article_pages_carry_truth_metas_and_chrome(sim: Simulator, slug: str) -> None:
    p = FACTS[slug]
    box = p.body.split()
    tag, (attr, val) = box[0], box[1].split("=", 1)
    css = f"{tag}#{val.strip(chr(34))}" if attr == "id" else f"{tag}.{val.strip(chr(34))}"
    for art in sim.articles(slug):
        resp = fetch(sim, art.url)
        assert resp.status == 200 and resp.headers.get("etag"), art.url
        assert p.charset in resp.headers["content-type"]
        sel = Selector(text=resp.text)
        assert (sel.css("title::text").get() or "") == art.title + p.title_suffix
        box_css = "div.text_record" if p.extra.get("press_detail") and art.column == "新闻发布会" else css
        body = norm("".join(sel.css(box_css).xpath(".//text()").getall()))
        assert all(norm(x) in body for x in art.paragraphs), art.url
        for name in p.metas:  # exact case, as the platform writes them
            assert sel.xpath(f"//meta[@name='{name}']/@content").get(), (art.url, name)
        assert ("打印本页" in resp.text) and ("打印本页" not in body)
        footer_in_page = any(line.split("：")[-1] in resp.text for line in p.footer)
        assert footer_in_page == (p.chrome == "inline"), art.url
        if p.nested:
            assert resp.text.count("<body") == 2
        if p.credits_outside:
            assert "责任编辑" not in body and "责任编辑" in resp.text


@pytest.mark.parametrize("slug", [p.slug for p in PORTALS if p.chrome != "inline"])
def test_included_header_and_footer_are_served(sim: Simulator, slug: str) -> None:
    p, app = FACTS[slug], sim._apps[slug]
    page = fetch(sim, app.list_url(app.column_names()[0], 1)).text
    if p.chrome == "script":
        for src in Selector(text=page).xpath("//script/@src").getall():
            if src.startswith("/script/common/"):
                assert "document.write(" in fetch(sim, app.base + src).text
        assert p.footer[0] in fetch(sim, app.base + "/script/common/foot.js").text
    else:
        src = Selector(text=page).xpath("//iframe/@src").get()
        assert src and p.footer[0] in fetch(sim, urljoin(app.base, src)).text


def test_wechat_reposts_keep_their_own_body_box(sim: Simulator) -> None:
    for p in (x for x in PORTALS if x.wechat >= 0):
        reposts = [a for a in sim.articles(p.slug) if sim._apps[p.slug].is_wechat(a)]
        assert len(reposts) == 1
        sel = Selector(text=fetch(sim, reposts[0].url).text)
        assert sel.css("div#js_content.rich_media_content section p span")


def test_jpaas_api_refuses_bad_parameters(sim: Simulator) -> None:
    app = sim._apps["sd_yantai"]
    bad = fetch(sim, app.base + "/api-gateway/jpaas-publish-server/front/page/build/unit?pageId=1&parseType=x")
    answer = json.loads(bad.text)
    assert answer["success"] is False and answer["message"] == "参数错误" and answer["data"] is None


def test_site_files_match_their_simulated_copy(sim: Simulator, sites: dict[str, SiteDefinition]) -> None:
    for p in PORTALS:
        site = sites[p.slug]
        assert {lst.column for lst in site.lists} == {c.name for c in p.columns}
        for lst in site.lists:
            col = next(c for c in p.columns if c.name == lst.column)
            assert lst.url == sim._apps[p.slug].base + col.path and lst.mechanism == col.mechanism
            assert lst.role == col.role


@pytest.mark.parametrize("slug", SLUGS)
def test_frozen_fixtures_match_the_simulator(sim: Simulator, slug: str) -> None:
    import tomllib
    from pathlib import Path

    folder = Path(__file__).parent / "fixtures" / "sites" / slug
    expected = tomllib.loads((folder / "expected.toml").read_text("utf-8"))
    for name, exp in expected.items():
        resp = fetch(sim, exp["url"])
        assert (folder / name).read_bytes() == resp.body, f"{slug}/{name} is stale: run freeze_sites.py {slug}"
        if exp["kind"] == "article":
            art = sim.article(exp["url"])
            assert (exp["title"], exp["published"], exp["source"]) == (art.title, art.published, art.source)
        elif "article_urls" in exp:
            order = [a.url for a in sim.column(slug, exp["column"])]
            assert exp["article_urls"] == order[: len(exp["article_urls"])]
