"""Attachments end to end: the simulator serves real files, a crawl stores them with their text."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from simulator import Simulator
from simulator.attachments import FILE_ARTICLES, MULTI_PAGE, ROSTER
from tests.conftest import crawl

pytest.importorskip("pypdf")
SITE = "sd_qingdao"


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulator, Path, list[dict[str, Any]]]]:
    archive = tmp_path_factory.mktemp("attach") / "a.sqlite"
    with Simulator(attachments=True) as sim:
        yield sim, archive, crawl(sim, archive, [SITE], LIST_MAX_PAGES=1)


def test_the_crawl_stores_every_attachment_with_its_text(crawled) -> None:  # type: ignore[no-untyped-def]
    sim, archive, runs = crawled
    assert runs[0]["status"] == "ok" and runs[0]["errors"] == 0, runs
    assert sim.files is not None
    with Archive(archive) as reader:
        for title, _, files, _ in FILE_ARTICLES:
            art = next(a for a in sim.articles(SITE) if a.title == title)
            stored = reader.attachments(art.url)
            assert sorted(a.name for a in stored) == sorted(f.showname for f in files), art.url
            for a in stored:
                assert a.status == "ok", (a.url, a.status)
                assert norm(a.text) == norm(sim.files.truth[a.url]), a.url
                assert a.kind == a.name.rsplit(".", 1)[-1]
                content = reader.attachment_content(a.id)
                assert content is not None and len(content) == a.size
                assert sim.files.serve(a.url.split("/")[2], "/" + a.url.split("/", 3)[3])[0] == content


def test_an_attachment_only_notice_is_found_by_its_files_text(crawled) -> None:  # type: ignore[no-untyped-def]
    sim, archive, _ = crawled
    art = next(a for a in sim.articles(SITE) if a.title == FILE_ARTICLES[1][0])
    phrase = "将军庙历史文化街区"
    assert phrase in ROSTER.lines[1] and phrase not in "".join(art.paragraphs)
    with Archive(archive) as reader:
        doc = reader.get(art.url)
        assert doc is not None and phrase not in doc.body
        assert doc.canonical_url in [h.document.canonical_url for h in reader.search(phrase)]
        assert any("资金安排表" in h.document.body for h in reader.search("完整社区建设 市级资金"))


def test_a_multi_page_article_is_one_document_of_all_pages(crawled) -> None:  # type: ignore[no-untyped-def]
    sim, archive, _ = crawled
    assert sim.files is not None
    art = next(a for a in sim.articles(SITE) if a.title == MULTI_PAGE[0])
    with Archive(archive) as reader:
        doc = reader.get(art.url)
        assert doc is not None
        assert doc.body.split("\n") == sim.files.pages[art.url]
        assert "multi_page" in doc.flags and "下一页" not in doc.body
        raw = [p.url for p in reader.raw_pages(site=SITE) if p.document_id == doc.id]
    assert len(raw) == len(MULTI_PAGE[1]) and raw[-1] == doc.url  # page 1 stored last


def test_reprocess_rebuilds_a_multi_page_article_from_its_stored_pages(crawled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sim, archive, _ = crawled
    copy = tmp_path / "a.sqlite"
    with Archive(archive) as reader:  # reprocess a copy: the other tests read the crawl's archive
        reader.conn.backup(sqlite3.connect(copy))
    art = next(a for a in sim.articles(SITE) if a.title == MULTI_PAGE[0])
    with Archive(copy) as reader:
        doc = reader.get(art.url)
        assert doc is not None
        first = max((p for p in reader.raw_pages(site=SITE) if p.document_id == doc.id), key=lambda p: p.id)
        assert [p.url for p in reader.later_pages(first)] == [
            p.url for p in reader.raw_pages(site=SITE) if p.document_id == doc.id][:-1]
        before = (doc.body, doc.revision_count)
    result = subprocess.run([sys.executable, "-m", "app.cli", "reprocess", "--site", SITE, "--archive", str(copy)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "updated" not in result.stdout, result.stdout  # nothing lost its later pages
    with Archive(copy) as reader:
        doc = reader.get(art.url)
        assert doc is not None and (doc.body, doc.revision_count) == before
        assert doc.body.split("\n") == sim.files.pages[art.url]


def test_attachments_are_fetched_politely(crawled) -> None:  # type: ignore[no-untyped-def]
    sim, _, _ = crawled
    host = next(iter({a.host for a in sim.articles(SITE)}))
    paths = [r.path for r in sim.requests if r.host == host]
    assert paths[0] == "/robots.txt"
    assert len([p for p in paths if p.startswith("/attach/")]) == sum(len(f) for _, _, f, _ in FILE_ARTICLES)
    assert len(paths) == len(set(paths))  # nothing fetched twice (pages, files)
    assert sim.requests.max_in_flight(host) == 1
    agents = {r.headers.get("user-agent", "") for r in sim.requests if r.path.startswith("/attach/")}
    assert all(a.startswith("govpress/") for a in agents)


def test_the_switch_turns_the_pipeline_off() -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from pipelines.attachments import AttachmentPipeline

    with pytest.raises(NotConfigured, match="ATTACHMENTS_ENABLED"):
        AttachmentPipeline.from_crawler(get_crawler(settings_dict={"ATTACHMENTS_ENABLED": False}))
    assert AttachmentPipeline.from_crawler(get_crawler(settings_dict={"ATTACHMENTS_ENABLED": True})).max_bytes > 0


def test_the_size_cap_cancels_big_files_and_says_so(tmp_path: Path) -> None:
    with Simulator(attachments=True) as sim:
        crawl(sim, tmp_path / "cap.sqlite", [SITE], ATTACHMENTS_MAX_BYTES=600, LIST_MAX_PAGES=1)
        arts = [next(x for x in sim.articles(SITE) if x.title == t) for t, _, _, _ in FILE_ARTICLES]
    with Archive(tmp_path / "cap.sqlite") as reader:
        stored = [a for art in arts for a in reader.attachments(art.url)]
    assert len(stored) == sum(len(f) for _, _, f, _ in FILE_ARTICLES)
    assert {a.status for a in stored} == {"too_large"}  # every built file is over 600 bytes
    assert all(a.size is None and a.text == "" for a in stored)
