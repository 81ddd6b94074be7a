"""ArchivePipeline (pipelines/archiving.py): saves through the crawl's one session, counts outcomes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from scrapy.exceptions import CloseSpider

from archive import Archive
from pipelines.archiving import ArchivePipeline
from pipelines.cleaning import CleaningPipeline
from pipelines.dedup import DedupPipeline
from pipelines.session import session_for
from tests.conftest import component_crawler, fixture_record


def _processed(crawler, **fields):  # type: ignore[no-untyped-def]
    item = CleaningPipeline.from_crawler(crawler).process_item(fixture_record(**fields))
    return DedupPipeline.from_crawler(crawler).process_item(item)


def test_outcomes_new_unchanged_duplicate_and_stats(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    pipe = ArchivePipeline.from_crawler(crawler)
    pipe.open_spider()
    first = pipe.process_item(_processed(crawler))
    assert (first.outcome, first.document_id) == ("new", 1)
    again = pipe.process_item(_processed(crawler, fetched_at="2026-11-23T01:00:00+00:00"))
    assert again.outcome == "unchanged"
    copy_url = "http://www.jinan.gov.cn/art/2026/3/5/art_copy.html"
    dup = pipe.process_item(_processed(crawler, url=copy_url, canonical_url=copy_url))
    assert dup.outcome == "duplicate" and dup.identity == "exact"
    stats = crawler.stats.get_stats()
    assert (stats["archive/new"], stats["archive/unchanged"], stats["archive/duplicate"]) == (1, 1, 1)
    assert stats["dedup/exact"] == 1
    session_for(crawler).close()
    with Archive(tmp_path / "a.sqlite") as a:
        assert a.count(include_duplicates=True) == 2
        assert a.get(first.canonical_url).region_code == "370100"  # type: ignore[union-attr]


def test_a_republished_copy_joins_the_cluster(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    pipe = ArchivePipeline.from_crawler(crawler)
    pipe.open_spider()
    first = pipe.process_item(_processed(crawler))
    item = _processed(crawler, url="http://www.jinan.gov.cn/art/2026/3/6/art_re.html",
                      canonical_url="http://www.jinan.gov.cn/art/2026/3/6/art_re.html")
    item.body += "\n（转载自济南日报）"
    copy = pipe.process_item(DedupPipeline.from_crawler(crawler).process_item(replace(item, body_hash="")))
    assert copy.outcome == "new" and copy.identity == "near"
    session_for(crawler).flush()  # saves are batched: commit before reading on another connection
    with Archive(tmp_path / "a.sqlite") as a:
        assert a.get(copy.canonical_url).cluster_id == first.document_id  # type: ignore[union-attr]


def test_an_archive_that_cannot_be_opened_stops_the_crawl_with_one_reason(tmp_path: Path) -> None:
    (tmp_path / "a-dir").mkdir()
    crawler = component_crawler(tmp_path, ARCHIVE_PATH=str(tmp_path / "a-dir"))
    pipe = ArchivePipeline.from_crawler(crawler)
    with pytest.raises(CloseSpider):
        pipe.open_spider()
    assert "is a directory" in crawler.stats.get_value("archive/error")
