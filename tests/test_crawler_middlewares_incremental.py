"""IncrementalMiddleware (crawler/middlewares/incremental.py): known, due and backfill decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse

from archive import store
from archive.record import DocumentRecord
from crawler.middlewares.incremental import IncrementalMiddleware
from pipelines.session import session_for
from tests.conftest import component_crawler

BASE = "http://www.jinan.gov.cn/art/2026/11/"
LIST = "http://www.jinan.gov.cn/col/col27544/index.html"


def article(n: int) -> Request:
    url = f"{BASE}{n}/art_{n}.html"
    return Request(url, meta={"govpress": "article", "canonical_url": url})


def next_list(links: list[int]) -> Request:
    return Request(LIST + "?pageNum=2", meta={"govpress": "next_list", "list_url": LIST,
                                              "page_links": [f"{BASE}{n}/art_{n}.html" for n in links]})


def archive_known(crawler: Any, n: int, published: str, *, finished: bool = True) -> None:
    db = session_for(crawler).db
    url = f"{BASE}{n}/art_{n}.html"
    store.save_document(db, DocumentRecord.from_headers(
        {"etag": f'"e{n}"'}, site="sd_jinan", url=url, canonical_url=url, title=f"第{n}篇",
        body=f"第{n}篇正文。", body_hash=f"h{n}", published=published,
        fetched_at="2026-11-01T00:00:00+00:00"))
    if finished:
        rid = store.start_run(db, "sd_jinan", trigger="cron", pid=1)
        store.finish_run(db, rid, status="ok", counts={}, stats={})


def run(crawler: Any, outputs: list[Any]) -> list[Any]:
    mw = IncrementalMiddleware.from_crawler(crawler)
    mw.spider_opened(crawler.spider)
    response = HtmlResponse(LIST, body=b"<html></html>")
    return list(mw.process_spider_output(response, iter(outputs)))


def test_known_articles_not_due_are_skipped_and_due_ones_revisited_conditionally(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)  # GOVPRESS_NOW 2026-11-22; sd_jinan revisits for 7 days
    archive_known(crawler, 1, "2026-10-01T09:00:00+08:00")  # old: not due
    archive_known(crawler, 2, "2026-11-20T09:00:00+08:00")  # young: due
    out = run(crawler, [article(1), article(2), article(3)])
    assert [r.url for r in out] == [article(2).url, article(3).url]
    revisit = out[0]
    assert revisit.headers.get("If-None-Match") == b'"e2"' and revisit.meta["handle_httpstatus_list"] == [304]
    assert "If-None-Match" not in out[1].headers
    stats = crawler.stats.get_stats()
    assert (stats["incremental/skipped_known"], stats["incremental/revisits"]) == (1, 1)


def test_paging_stops_at_a_page_of_known_articles(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    archive_known(crawler, 1, "2026-10-01T09:00:00+08:00")
    assert run(crawler, [article(1), next_list([1])]) == []
    kept = run(crawler, [article(1), article(4), next_list([1, 4])])
    assert [r.meta["govpress"] for r in kept] == ["article", "next_list"]


def test_full_or_a_site_without_a_finished_run_walks_every_page(tmp_path: Path) -> None:
    full = component_crawler(tmp_path, INCREMENTAL_FULL=True)
    archive_known(full, 1, "2026-10-01T09:00:00+08:00")
    assert [r.meta["govpress"] for r in run(full, [article(1), next_list([1])])] == ["next_list"]
    fresh = component_crawler(tmp_path / "b", INCREMENTAL_FULL=False)
    archive_known(fresh, 1, "2026-10-01T09:00:00+08:00", finished=False)
    assert [r.meta["govpress"] for r in run(fresh, [article(1), next_list([1])])] == ["next_list"]


def test_refresh_makes_every_known_article_due(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path, INCREMENTAL_REFRESH=True)
    archive_known(crawler, 1, "2020-01-01T09:00:00+08:00")
    assert [r.url for r in run(crawler, [article(1)])] == [article(1).url]
