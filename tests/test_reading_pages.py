"""The reading pages served by the Datasette plugin, read through Datasette's own client (no browser)."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from app.cli_archive import DATASETTE, DATASETTE_SETTINGS, datasette_metadata
from archive import Archive
from tests.conftest import OUTSIDE

datasette_app = pytest.importorskip("datasette.app")


class Client:
    def __init__(self, ds: Any, db: str) -> None:
        self.ds, self.db = ds, db

    def get(self, path: str) -> Any:
        async def go() -> Any:
            return await self.ds.client.get(path)

        return asyncio.run(go())


def settings() -> dict[str, Any]:
    return {k: (False if v == "off" else int(v) if v.isdigit() else v) for k, v in DATASETTE_SETTINGS.items()}


@pytest.fixture(scope="module")
def client(reading_archive: tuple[Path, dict[str, Any]]) -> Client:
    path, _ = reading_archive
    ds = datasette_app.Datasette(
        [str(path)], metadata=datasette_metadata(path.stem), plugins_dir=str(DATASETTE / "plugins"),
        template_dir=str(DATASETTE / "templates"), settings=settings())
    return Client(ds, path.stem)


@pytest.fixture(scope="module")
def cases(reading_archive: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    return reading_archive[1]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_document_page_shows_metadata_text_and_frame(client: Client, reading_archive: Any) -> None:
    path, _ = reading_archive
    with Archive(path) as a:
        doc = next(d for d in a.documents(site="sd_qingdao") if d.body.count("\n") >= 1)
    page = client.get(f"/doc/{doc.id}")
    assert page.status_code == 200
    body = page.text
    assert f"<h1 class=\"gp-headline\">{html.escape(doc.title)}</h1>" in body
    for para in doc.body.split("\n"):
        if para.strip():
            assert f"<p>{html.escape(para.strip())}</p>" in body
    assert "青岛市人民政府" in body and "370200" in body and html.escape(doc.url) in body
    assert doc.column_name and doc.column_name in body
    # published is +08:00 already: shown as the same wall-clock time, labelled Beijing time
    assert f"{doc.published[:10]} {doc.published[11:16]} Beijing time" in text_of(body)
    frame = re.search(r"<iframe[^>]*>", body)
    assert frame is not None
    assert 'sandbox=""' in frame.group(0) and f'src="/doc/{doc.id}/original"' in frame.group(0)
    assert "allow-scripts" not in body


def test_original_page_is_sanitized_and_carries_a_strict_csp(client: Client, cases: dict[str, Any]) -> None:
    resp = client.get(f"/doc/{cases['hostile_id']}/original")
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    for directive in ("default-src 'none'", "img-src 'self' data:", "style-src 'unsafe-inline'", "sandbox",
                      "form-action 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "script-src" not in csp  # falls back to default-src 'none'
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["content-type"].startswith("text/html; charset=utf-8")
    text = resp.text
    assert "青岛发布海洋经济测试公告" in text  # decoded from the stored GBK bytes
    assert "<script" not in text.lower() and "onload" not in text.lower()
    loaders = re.findall(r'\s(?:src|srcset|href|poster|data|action|background)\s*=\s*"([^"]*)"', text)
    assert not [u for u in loaders if OUTSIDE in u], loaders
    assert f"url(http://{OUTSIDE}" not in text and "@import" not in text
    assert client.get("/doc/999999/original").status_code == 404
    page = client.get(f"/doc/{cases['hostile_id']}").text
    assert "恶意附件.pdf" in page and 'href="javascript' not in page.lower()
    assert f'href="http://{OUTSIDE}/file.pdf"' in page  # a plain link: followed only when clicked


def test_document_page_shows_revision_diff(client: Client, cases: dict[str, Any]) -> None:
    body = client.get(f"/doc/{cases['revised_id']}").text
    assert "Revisions" in body and "Version 0 → 1" in body
    assert re.search(r'<p class="changed">[^<]+<ins>并在全市推广。</ins></p>', body)
    assert "<ins>新增段落：本文件自发布之日起施行。</ins>" in body
    assert "<ins>（修订）</ins>" in body  # the headline diff
    assert html.escape(cases["revised_title"]) in body


def test_document_page_links_the_cluster_and_lists_attachments(client: Client, reading_archive: Any) -> None:
    path, _ = reading_archive
    with Archive(path) as a:
        doc = next(d for d in a.documents() if len(a.cluster(d.id)) > 1)
        members = a.cluster(doc.id)
        with_attachment = next(d for d in a.documents() if d.attachments)
    body = client.get(f"/doc/{doc.id}").text
    assert "Republished copies" in body
    for m in members:
        assert f'href="/doc/{m.id}"' in body
    assert "original (earliest)" in body
    att = client.get(f"/doc/{with_attachment.id}").text
    assert "Attachments" in att and html.escape(with_attachment.attachments[0]["name"]) in att


def test_unknown_document_is_a_404_page(client: Client) -> None:
    resp = client.get("/doc/987654")
    assert resp.status_code == 404 and "no document 987654" in resp.text


def test_search_highlights_hits_and_links_documents(client: Client, reading_archive: Any) -> None:
    path, _ = reading_archive
    with Archive(path) as a:
        expected = [h.document.id for h in a.search("营商", limit=50)]
    assert expected
    body = client.get("/search?q=" + quote("营商")).text
    assert re.findall(r'<a class="title" href="/doc/(\d+)"', body) == [str(i) for i in expected]
    assert "<mark>营商</mark>" in body
    assert f"{len(expected)} hit" in body


def test_search_filters_site_and_dates(client: Client, reading_archive: Any) -> None:
    path, _ = reading_archive
    with Archive(path) as a:
        all_hits = a.search("发展", limit=800)  # every hit, so filtered pages are subsets
        sites = {h.document.site for h in all_hits}
        months = sorted({h.document.published[:7] for h in all_hits if h.document.published})
    assert len(sites) > 1 and len(months) > 1
    site = min(sites)
    body = client.get(f"/search?q={quote('发展')}&site={site}&limit=800").text
    ids = re.findall(r'href="/doc/(\d+)"', body)
    want = [h.document.id for h in all_hits if h.document.site == site]
    assert ids and set(map(int, ids)) == set(want)
    cut = months[-1] + "-01"
    body = client.get(f"/search?q={quote('发展')}&until={cut}&limit=800").text
    shown = set(map(int, re.findall(r'<a class="title" href="/doc/(\d+)"', body)))
    assert shown == {h.document.id for h in all_hits if (h.document.published or "") < months[-1] + "-02"}


def test_empty_search_lists_latest_documents(client: Client, reading_archive: Any) -> None:
    path, _ = reading_archive
    with Archive(path) as a:
        latest = [d.id for d in a.latest(limit=30)]
    body = client.get("/search").text
    assert "Latest documents" in body
    assert re.findall(r'<a class="title" href="/doc/(\d+)"', body) == [str(i) for i in latest]


@pytest.mark.parametrize("query", ['"营商', "-防汛", "OR", "营商 OR", "。，"])
def test_bad_search_is_a_friendly_message(client: Client, query: str) -> None:
    resp = client.get("/search?q=" + quote(query))
    assert resp.status_code == 400
    assert 'class="gp-error"' in resp.text and "Traceback" not in resp.text
    assert "quoted phrases" in resp.text


def test_bad_date_and_unknown_site_are_friendly(client: Client) -> None:
    resp = client.get("/search?q=" + quote("营商") + "&since=2026-13-01")
    assert resp.status_code == 400 and "is not a date" in resp.text
    resp = client.get("/search?q=" + quote("营商") + "&site=nowhere")
    assert resp.status_code == 400 and "unknown site" in resp.text


def test_coverage_highlights_failing_runs(client: Client, reading_archive: Any) -> None:
    body = client.get("/coverage").text
    assert "<svg" in body and "<script" not in body.split("</svg>")[0]
    assert re.search(r"<rect [^>]*class=\"bar\"><title>sd_qingdao, week of \d{4}-\d{2}-\d{2}: \d+", body)
    rows = {m.group(2): m.group(0) for m in re.finditer(
        r'<tr class="([^"]*)" data-site="([^"]+)">.*?</tr>', body, re.DOTALL)}
    with Archive(reading_archive[0]) as a:
        assert set(rows) == set(a.sites())  # one row per archived site
    assert 'class="failing"' in rows["sd_province"] and "blocked" in rows["sd_province"]
    assert "js_challenge (a script challenge page instead of the list)" in rows["sd_province"]
    assert "HTTP 403 from a WAF page" in rows["sd_province"]
    assert 'class="failing"' in rows["sd_dzwww"] and "no article links on any list page" in rows["sd_dzwww"]
    assert 'class=""' in rows["sd_qingdao"] and "passed" in rows["sd_qingdao"]


def test_documents_table_opens_with_reading_columns(client: Client) -> None:
    body = client.get(f"/{client.db}/documents").text
    headers = re.findall(r'<th class="col-([a-z_]+)"', body)
    assert headers[:4] == ["id", "title", "published", "site"]
    assert "minhash" not in headers and "band_keys" not in headers and "body_hash" not in headers
    assert "body" in headers
    cells = re.findall(r'<td class="col-body[^"]*">(.*?)</td>', body, re.DOTALL)
    assert cells and all(len(html.unescape(c).strip()) <= 48 for c in cells)
    assert re.search(r'<td class="col-title[^"]*"><a href="/doc/\d+">', body)
    assert set(re.findall(r'class="facet-info [^"]*" id="[^"]*" data-column="([^"]+)"', body)) == {
        "site", "column_name", "source", "published"}
    facets = body.split('<div class="facet-results">')[1].split('<div class="table-wrapper">')[0]
    assert "published (year)" in facets and "minhash" not in facets and "band_keys" not in facets
    years = dict(re.findall(r'published__startswith=(\d{4})[^>]*>\d{4}</a>\s*([\d,]+)', body))
    assert years, "no year facet values"
    year, count = max(years.items())
    filtered = client.get(f"/{client.db}/documents.json?published__startswith={year}&_size=0").json()
    assert filtered["filtered_table_rows_count"] == int(count.replace(",", ""))


def test_binary_columns_cannot_be_faceted(client: Client) -> None:
    body = client.get(f"/{client.db}/documents?_facet=minhash&_facet=band_keys").text
    assert 'data-column="minhash"' not in body and 'data-column="band_keys"' not in body


def test_table_search_row_pages_and_canned_search_lead_to_reading_pages(client: Client) -> None:
    resp = client.get(f"/{client.db}/documents?_search=" + quote("城中村"))
    assert resp.status_code == 302 and resp.headers["location"] == "/search?q=" + quote("城中村")
    resp = client.get(f"/{client.db}/documents/3")
    assert resp.status_code == 302 and resp.headers["location"] == "/doc/3"
    resp = client.get(f"/{client.db}/search?q=")
    assert resp.status_code == 302 and resp.headers["location"] == "/search?q="
    for q in ("", quote('"营商')):
        resp = client.get(f"/{client.db}/search.json?q={q}&_shape=array")
        assert resp.status_code == 200 and resp.json() == []
    hits = client.get(f"/{client.db}/search.json?q={quote('城中村')}&_shape=array").json()
    assert hits and all(h["page"] == f"/doc/{h['id']}" for h in hits)


def _conference(path: Path) -> tuple[int, Any] | None:
    with Archive(path) as a:
        for d in a.documents():
            t = a.transcript(d.id)  # type: ignore[attr-defined]
            if t is not None and t.turns and t.participants:
                return d.id, t
    return None


def test_press_conference_shows_participants_and_turns(client: Client, reading_archive: Any) -> None:
    if not hasattr(Archive, "transcript"):
        pytest.skip("this archive has no transcript tables yet (issue #13)")
    path, _ = reading_archive
    found = _conference(path)
    assert found is not None, "the simulator's press conferences were not archived as transcripts"
    doc_id, t = found
    body = client.get(f"/doc/{doc_id}").text
    section = body.split('<section class="gp-transcript">')[1].split("</section>")[0]
    for p in t.participants:
        assert html.escape(p.name or p.title) in section
    turns = re.findall(r'<p class="gp-turn role-(\w+)"><span class="speaker">(.*?)</span>', section)
    assert [(r, html.unescape(s)) for r, s in turns] == [(u.role or "other", u.speaker or "?") for u in t.turns]
    assert html.escape(t.turns[-1].text[:20]) in section


def test_speaker_filter_finds_what_a_speaker_said(client: Client, reading_archive: Any) -> None:
    if not hasattr(Archive, "search_turns"):
        pytest.skip("this archive has no transcript tables yet (issue #13)")
    path, _ = reading_archive
    found = _conference(path)
    assert found is not None
    doc_id, t = found
    turn = next(u for u in t.turns if u.role == "official" and len(u.text) > 8)
    name = (turn.participant.name if turn.participant and turn.participant.name else turn.speaker)
    word = next(w for w in re.findall(r"[\u4e00-\u9fff]{2}", turn.text) if w)
    body = client.get(f"/search?q={quote(word)}&speaker={quote(name)}").text
    assert f'href="/doc/{doc_id}"' in body and "<mark>" in body
    other = client.get(f"/search?q={quote(word)}&speaker={quote('无此发言人')}").text
    assert f'href="/doc/{doc_id}"' not in other


def test_search_shows_the_best_hits_and_offers_more(client: Client, reading_archive: Any) -> None:
    path, _ = reading_archive
    with Archive(path) as a:
        every = [h.document.id for h in a.search("发展", limit=800)]
    assert len(every) > 3
    body = client.get(f"/search?q={quote('发展')}&limit=3").text
    assert re.findall(r'<a class="title" href="/doc/(\d+)"', body) == [str(i) for i in every[:3]]
    more = re.search(r'<p class="gp-more">.*?href="([^"]+)"', body)
    assert more is not None and "limit=12" in more.group(1)
    body = client.get(html.unescape(more.group(1))).text
    assert re.findall(r'<a class="title" href="/doc/(\d+)"', body) == [str(i) for i in every[:12]]
    assert ("gp-more" in body) == (len(every) > 12)


def test_only_web_addresses_become_links() -> None:
    from reading.pages import web_link

    assert web_link("http://www.jinan.gov.cn/a.pdf") == "http://www.jinan.gov.cn/a.pdf"
    assert web_link("HTTPS://x.gov.cn/") == "HTTPS://x.gov.cn/"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "vbscript:x", ""):
        assert web_link(bad) == ""


def test_transcript_section_renders_the_read_api_shape(client: Client, reading_archive: Any) -> None:
    """The document page from a ``transcript(doc_id)`` shaped like #13's ``StoredTranscript``.

    Until the transcript tables are on this branch the objects are built here (duck-typed); with them,
    ``test_press_conference_shows_participants_and_turns`` checks the simulator's real conferences.
    """
    from types import SimpleNamespace as NS

    from reading import pages

    path, _ = reading_archive
    official = NS(id=1, position=0, name="郑宏", title="省财政厅副厅长", org="省财政厅", role="official")
    told = NS(document_id=0, kind="新闻发布会", title="介绍全省财政运行情况", date="2026-01-21",
              organiser="省政府新闻办", venue="", recognised_by="headline", participants=[official],
              turns=[NS(speaker="主持人", role="host", outlet="", text="请介绍情况。", participant=None),
                     NS(speaker="大众日报记者", role="reporter", outlet="大众日报", text="请问进展如何？",
                        participant=None),
                     NS(speaker="省财政厅副厅长郑宏", role="official", outlet="", text="进展顺利，<b>谢谢</b>。",
                        participant=official)])

    class WithTranscripts(Archive):
        def transcript(self, document_id: int) -> Any:
            return told if document_id == 1 else None

    with WithTranscripts(path) as a:
        page = pages.doc_page(a, 1)
        plain = pages.doc_page(a, 2)
    assert page is not None and plain is not None and plain.transcript is None
    t = page.transcript
    assert t is not None and t["kind"] == "新闻发布会" and t["organiser"] == "省政府新闻办"
    assert t["participants"] == [{"name": "郑宏", "title": "省财政厅副厅长", "org": "省财政厅", "role": "official"}]
    assert [(u["speaker"], u["role"], u["outlet"]) for u in t["turns"]] == [
        ("主持人", "host", ""), ("大众日报记者", "reporter", "大众日报"), ("省财政厅副厅长郑宏", "official", "")]

    async def render() -> str:
        await client.ds.invoke_startup()
        return str(await client.ds.render_template("govpress_doc.html", {"page": page, "doc": page.doc,
                                                                          "database": client.db}))

    body = asyncio.run(render())
    section = body.split('<section class="gp-transcript">')[1].split("</section>")[0]
    assert "新闻发布会: 介绍全省财政运行情况" in section and "<strong>郑宏</strong> · 省财政厅副厅长 · 省财政厅" in section
    assert '<p class="gp-turn role-reporter"><span class="speaker">大众日报记者</span> <span class="gp-note">(大众日报)</span>' in section
    assert "进展顺利，&lt;b&gt;谢谢&lt;/b&gt;。" in section
