"""RunRecordExtension (crawler/extensions/runrecord.py): a run row for every crawl."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from crawler.extensions.runrecord import RunRecordExtension, capped, run_counts, run_status
from pipelines.session import session_for
from tests.conftest import component_crawler

LIMITS = {"min_ratio": 0.5, "max_rate": 0.2, "min_items": 3}
GOOD = {"response_received_count": 12, "lists/pages": 2, "lists/links": 10,
        "lists/first_page_links": 5, "cleaning/ok": 10, "archive/new": 10}


@pytest.mark.parametrize(
    ("reason", "extra", "status"),
    [
        ("finished", {}, "ok"),
        ("finished", {"fetch_errors/count": 2}, "partial"),
        ("finished", {"downloader/exception_count": 2}, "ok"),  # retried and then fetched
        ("finished", {"item_errors/count": 1}, "partial"),  # an item lost to a pipeline exception
        ("finished", {"spider_exceptions/count": 1}, "partial"),  # a callback raised
        ("lock_error", {}, "failed"),  # the site lock could not be taken at all
        ("finished", {"monitor/failed": ["no date on 50% of articles"]}, "partial"),
        ("finished", {"lists/links_capped": 40}, "partial"),  # articles left out on purpose
        ("finished", {"frontier/capped": 3}, "partial"),
        ("finished", {"lists/pages": 0, "fetch_errors/count": 1}, "failed"),
        ("finished", {"lists/pages": 0, "fetch_errors/count": 1, "fetch_errors/blocked": 1}, "blocked"),
        ("archive_error", {}, "failed"),
        ("shutdown", {}, "interrupted"),
        ("skipped", {}, "skipped"),
    ],
)
def test_run_status(reason: str, extra: dict, status: str) -> None:
    assert run_status(reason, {**GOOD, **extra}) == status


def test_a_capped_run_says_which_cap_and_how_much() -> None:
    assert capped(GOOD) == ""
    assert capped({"lists/links_capped": 1234, "frontier/capped": 7}) == (
        "capped: 1,234 article links over LIST_MAX_LINKS not taken; "
        "FRONTIER_MAX_REQUESTS reached, 7 requests not scheduled")


def test_run_counts_ignore_other_crawlers_log_records() -> None:
    counts = run_counts({**GOOD, "log_count/ERROR": 7, "archive/duplicate": 2, "lists/empty": 1,
                         "downloader/exception_count": 3})
    assert counts == {"pages": 12, "new": 10, "updated": 0, "unchanged": 0, "duplicate": 2, "errors": 1}




def test_the_extension_opens_and_closes_the_run_on_the_crawl_session(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path, GOVPRESS_TRIGGER="cron")
    ext = RunRecordExtension.from_crawler(crawler)
    ext.spider_opened(crawler.spider)
    run_id = crawler.stats.get_value("govpress/run_id")
    assert session_for(crawler).reader.runs()[0].status == "running"
    for key, value in GOOD.items():
        crawler.stats.set_value(key, value)
    ext.spider_closed(crawler.spider, "finished")
    session_for(crawler).close()
    run = Archive(tmp_path / "a.sqlite").runs()[0]
    assert (run.id, run.site, run.trigger, run.status, run.new, run.pages) == (run_id, "sd_jinan", "cron", "ok", 10, 12)
    assert run.stats["lists/links"] == 10


def test_an_unwritable_archive_is_logged_not_raised(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    crawler = component_crawler(tmp_path, ARCHIVE_PATH=str(tmp_path / "d"))
    ext = RunRecordExtension.from_crawler(crawler)
    ext.spider_opened(crawler.spider)
    ext.spider_closed(crawler.spider, "finished")
    assert "is a directory" in crawler.stats.get_value("archive/error")


def test_an_item_error_is_counted_into_the_run(tmp_path: Path) -> None:
    """An exception in a pipeline drops the item; the run must count it (issue #17)."""
    from scrapy import Spider, signals
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(Spider, {"ARCHIVE_PATH": str(tmp_path / "a.sqlite")})
    ext = RunRecordExtension.from_crawler(crawler)  # noqa: F841 - signals hold weak references
    crawler.signals.send_catch_log(signals.item_error, item={}, response=None, spider=None,
                                   failure=None)
    stats = crawler.stats.get_stats()
    assert stats["item_errors/count"] == 1
    assert run_counts(stats)["errors"] == 1
