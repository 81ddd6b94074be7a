"""``pipelines.pool`` and the cleaning pipeline's pool path: same result, time budget, dead worker."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from archive.record import DocumentRecord
from pipelines import pool as pagepool
from pipelines.cleaning import CleaningPipeline
from pipelines.fingerprint import body_hash
from pipelines.process import clean, fingerprint

PAGE = (Path(__file__).parent / "fixtures" / "extract" / "density_page.html").read_bytes()


def _slow(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # Python bytecode: the budget's alarm can interrupt it
        pass
    return "done"


def _die() -> None:
    os._exit(3)


@pytest.fixture(scope="module")
def pool() -> pagepool.PagePool:
    p = pagepool.PagePool(1, 0.5)
    p.start()
    yield p
    p.close()


def test_a_call_runs_in_a_worker(pool: pagepool.PagePool) -> None:
    assert pool.call(os.getpid) != os.getpid()
    assert pool.call(_slow, 0.01) == "done"


def test_a_page_over_its_budget_raises_and_frees_the_worker(pool: pagepool.PagePool) -> None:
    t = time.monotonic()
    with pytest.raises(pagepool.PageTimeout):
        pool.call(_slow, 30)
    assert time.monotonic() - t < 5
    assert pool.call(_slow, 0.01) == "done"  # the same worker takes the next page


def test_a_dead_worker_is_reported_and_replaced(pool: pagepool.PagePool) -> None:
    with pytest.raises(pagepool.WorkerDied):
        pool.call(_die)
    assert pool.call(_slow, 0.01) == "done"


def _pipeline(workers: int, budget: float = 30.0) -> CleaningPipeline:
    crawler = get_crawler(settings_dict={"CLEANING_WORKERS": workers, "CLEANING_TIMEOUT": budget})
    crawler.spider = None  # type: ignore[assignment]
    p = CleaningPipeline.from_crawler(crawler)
    p.open_spider()
    return p


def _item() -> DocumentRecord:
    url = "http://www.example.gov.cn/art/1.html"
    return DocumentRecord(site="sd_test", url=url, canonical_url=url, raw=PAGE,
                       headers={"content-type": "text/html; charset=utf-8"})


def test_pipeline_through_the_pool_fills_the_item_as_inline_cleaning_does() -> None:
    p = _pipeline(1)
    try:
        assert p.pool is not None
        item = asyncio.run(p.process_item(_item()))
    finally:
        p.close_spider()
    expected = _item()
    clean(expected, None)
    assert not expected.body_hash  # inline, the fingerprints are DedupPipeline's work ...
    fingerprint(expected)
    assert (item.title, item.body, item.published, item.extraction_method) == \
        (expected.title, expected.body, expected.published, expected.extraction_method)
    # ... through the pool the worker computed them, and the structure, with the extraction
    assert (item.body_hash, item.minhash, item.band_keys) == \
        (expected.body_hash, expected.minhash, expected.band_keys)
    assert item.minhash and item.band_keys
    assert (item.transcript, item.references) == (expected.transcript, expected.references)
    assert item.body and p.crawler.stats.get_value("cleaning/ok") == 1
    before = (item.body_hash, item.minhash, list(item.band_keys))
    fingerprint(item)  # DedupPipeline next: nothing left to do, nothing changed
    assert (item.body_hash, item.minhash, item.band_keys) == before


def test_the_pool_computes_minhash_only_when_dedup_would() -> None:
    crawler = get_crawler(settings_dict={"CLEANING_WORKERS": 1, "DEDUP_NEAR_ENABLED": False})
    crawler.spider = None  # type: ignore[assignment]
    p = CleaningPipeline.from_crawler(crawler)
    p.open_spider()
    try:
        item = asyncio.run(p.process_item(_item()))
    finally:
        p.close_spider()
    assert item.body_hash == body_hash(item.body) and not item.minhash and not item.band_keys


def test_a_multi_page_article_gets_the_fingerprints_of_its_joined_text() -> None:
    p = _pipeline(1)
    multi = _item()
    url2 = "http://www.example.gov.cn/art/1_2.html"
    second = PAGE.replace(b"<p>", "<p>第二页 ".encode())
    multi.pages = [{"url": url2, "raw": second}]
    try:
        item = asyncio.run(p.process_item(multi))
    finally:
        p.close_spider()
    single = _item()
    clean(single, None)
    fingerprint(single)
    assert len(item.body) > len(single.body)  # both pages' text
    assert not item.body_hash  # the worker's were of page 1 alone: cleared for DedupPipeline
    fingerprint(item)
    assert item.body_hash == body_hash(item.body) != single.body_hash


def test_pipeline_drops_a_page_over_budget_with_a_counted_reason() -> None:
    p = _pipeline(1, budget=1e-6)  # a budget no extraction can meet
    try:
        assert p.pool is not None
        with pytest.raises(DropItem, match="time budget"):
            asyncio.run(p.process_item(_item()))
        assert p.crawler.stats.get_value("cleaning/timeout") == 1
    finally:
        p.close_spider()


def test_zero_workers_extracts_inline() -> None:
    p = _pipeline(0)
    assert p.pool is None
    item = p.process_item(_item())  # no coroutine: the record itself
    assert isinstance(item, DocumentRecord)
    expected = _item()
    clean(expected, None)
    assert item.body == expected.body


def test_a_crawl_through_the_pool_archives_every_article(tmp_path: Path) -> None:
    """The production setting (workers > 0) end to end: every simulated article lands, cleaned."""
    from archive import Archive
    from simulator import Simulator
    from tests.conftest import crawl

    archive = tmp_path / "a.sqlite"
    with Simulator() as sim:
        runs = crawl(sim, archive, ["sd_dzwww"], CLEANING_WORKERS=2, ARCHIVE_BATCH_SIZE=4)
        expected = {_where(a.url) for a in sim.articles("sd_dzwww")}
    assert [r["status"] for r in runs] == ["ok"]
    with Archive(archive) as a:
        docs = {_where(d.canonical_url): d for d in a.documents(site="sd_dzwww", include_duplicates=True)}
    assert expected <= set(docs)
    assert all(docs[u].body and docs[u].title for u in expected)


def _where(url: str) -> str:
    """Host and path (canonical URLs may switch the scheme to https)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"
