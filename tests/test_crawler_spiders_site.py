"""``crawler.spiders.site.SiteSpider``: the frontier it builds stays about one list page deep."""

from __future__ import annotations

import asyncio
import urllib.request
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.http import HtmlResponse

from crawler.spiders.site import NEXT_LIST_PRIORITY
from simulator import Simulator
from tests.conftest import component_crawler

PAGE_SIZE = 20
ARTICLES = 300


@pytest.fixture(scope="module")
def grown() -> Any:
    with Simulator(page_size=PAGE_SIZE) as sim:
        sim.grow("sd_jinan", ARTICLES)
        yield sim


def _fetch(sim: Simulator, request: Request) -> HtmlResponse:
    """``request`` answered by the simulator over loopback (the Host header picks the site)."""
    parts = urlsplit(request.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    req = urllib.request.Request(f"http://127.0.0.1:{sim.port}{path}", headers={"Host": parts.netloc})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return HtmlResponse(request.url, status=status, body=body, encoding="utf-8", request=request)


def _start(spider: Any) -> list[Request]:
    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def test_next_list_page_comes_after_the_articles_of_this_one(grown: Simulator, tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path, INCREMENTAL_ENABLED=False)
    spider = crawler.spider
    crawler.stats.open_spider()
    try:
        (first,) = _start(spider)
        out = list(spider.parse_list(_fetch(grown, first), **first.cb_kwargs))
        articles = [r for r in out if r.meta.get("govpress") == "article"]
        (nxt,) = [r for r in out if r.meta.get("govpress") == "next_list"]
        assert len(articles) == PAGE_SIZE
        assert nxt.priority == NEXT_LIST_PRIORITY < min(r.priority for r in articles)
    finally:
        spider.closed("finished")


def test_the_request_queue_holds_about_one_list_page_not_the_site(grown: Simulator, tmp_path: Path) -> None:
    """Scrapy's own scheduler (LIFO memory queue by priority) fed the way the engine feeds it,
    eight downloads at a time: every article is requested, yet the queue never holds more than
    about one list page of them (before the list priority, the list chain ran ahead and queued
    the whole site: 15 list pages, 300 articles).  One site is one downloader slot, for which
    the default ``DownloaderAwarePriorityQueue`` is this ``ScrapyPriorityQueue``."""
    crawler = component_crawler(tmp_path, INCREMENTAL_ENABLED=False,
                                SCHEDULER_PRIORITY_QUEUE="scrapy.pqueues.ScrapyPriorityQueue")
    spider = crawler.spider
    crawler.stats.open_spider()
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    try:
        for r in _start(spider):
            scheduler.enqueue_request(r)
        in_flight: deque[Request] = deque()
        peak = lists = 0
        requested: set[str] = set()
        while scheduler.has_pending_requests() or in_flight:
            while len(in_flight) < 8 and (req := scheduler.next_request()) is not None:
                in_flight.append(req)
            req = in_flight.popleft()
            if req.callback == spider.parse_list:
                lists += 1
                for out in spider.parse_list(_fetch(grown, req), **req.cb_kwargs):
                    scheduler.enqueue_request(out)
            else:
                requested.add(req.meta["canonical_url"])
            peak = max(peak, len(scheduler))
        expected = {spider.canonical(a.url) for a in grown.articles("sd_jinan")}
        assert requested == expected and len(expected) >= ARTICLES
        assert lists >= ARTICLES // PAGE_SIZE
        assert peak <= 2 * PAGE_SIZE, f"queue reached {peak} requests"
    finally:
        scheduler.close("finished")
        spider.closed("finished")
