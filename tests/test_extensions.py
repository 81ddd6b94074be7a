"""Run records, breakage checks and the site lock, as units."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.crawl import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_SKIPPED, RunSummary, exit_code
from crawler.extensions.monitors import run_checks
from crawler.extensions.runrecord import run_counts, run_status
from crawler.extensions.sitelock import SiteLock

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
        ("finished", {"monitor/failed": ["no date on 50% of articles"]}, "partial"),
        ("finished", {"lists/pages": 0, "fetch_errors/count": 1}, "failed"),
        ("finished", {"lists/pages": 0, "fetch_errors/count": 1, "fetch_errors/blocked": 1}, "blocked"),
        ("archive_error", {}, "failed"),
        ("shutdown", {}, "interrupted"),
        ("skipped", {}, "skipped"),
    ],
)
def test_run_status(reason: str, extra: dict, status: str) -> None:
    assert run_status(reason, {**GOOD, **extra}) == status


def test_run_counts_ignore_other_crawlers_log_records() -> None:
    counts = run_counts({**GOOD, "log_count/ERROR": 7, "archive/duplicate": 2, "lists/empty": 1,
                         "downloader/exception_count": 3})
    assert counts == {"pages": 12, "new": 10, "updated": 0, "unchanged": 0, "duplicate": 2, "errors": 1}


def test_checks_pass_on_a_healthy_run() -> None:
    assert run_checks(GOOD, [GOOD, GOOD], LIMITS) == []


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({"lists/links": 0, "lists/first_page_links": 0}, "no article links on any list page"),
        ({"lists/empty": 1}, "1 list page(s) without article links"),
        ({"lists/first_page_links": 1}, "far below the trailing median 5"),
        ({"cleaning/no_date": 5}, "no date on 50% of articles (5/10)"),
        ({"cleaning/no_title": 3}, "no headline on 30%"),
        ({"cleaning/boilerplate": 4}, "boilerplate left in the body on 40%"),
        ({"cleaning/replacement_chars": 10}, "undecodable characters on 100%"),
    ],
)
def test_checks_fail_with_a_reason(stats: dict, expected: str) -> None:
    failed = run_checks({**GOOD, **stats}, [GOOD, GOOD, GOOD], LIMITS)
    assert any(expected in f for f in failed), failed


def test_rates_are_not_judged_on_too_few_articles() -> None:
    few = {**GOOD, "cleaning/ok": 2, "cleaning/no_date": 2}
    assert run_checks(few, [], LIMITS) == []


def summary(status: str) -> RunSummary:
    return RunSummary("sd_x", status, 1, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (["ok", "ok"], EXIT_OK),
        (["ok", "skipped"], EXIT_OK),
        (["ok", "partial"], EXIT_PARTIAL),
        (["ok", "failed"], EXIT_PARTIAL),
        (["failed", "failed"], EXIT_FAILED),
        (["interrupted"], EXIT_FAILED),
        (["blocked", "failed"], EXIT_FAILED),
        (["skipped"], EXIT_SKIPPED),
        ([], EXIT_FAILED),
    ],
)
def test_exit_codes(statuses: list[str], code: int) -> None:
    assert exit_code([summary(s) for s in statuses]) == code


def test_site_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = SiteLock(tmp_path, "sd_x"), SiteLock(tmp_path, "sd_x")
    assert first.acquire()
    assert not second.acquire()
    assert second.holder().startswith("pid ")
    assert SiteLock(tmp_path, "sd_y").acquire()  # other sites are independent
    first.release()
    assert second.acquire()
    second.release()


def test_an_item_error_is_counted_into_the_run(tmp_path: Path) -> None:
    """An exception in a pipeline drops the item; the run must count it (issue #17)."""
    from scrapy import Spider, signals
    from scrapy.utils.test import get_crawler

    from crawler.extensions.runrecord import RunRecordExtension

    crawler = get_crawler(Spider, {"ARCHIVE_PATH": str(tmp_path / "a.sqlite")})
    ext = RunRecordExtension.from_crawler(crawler)  # noqa: F841 - signals hold weak references
    crawler.signals.send_catch_log(signals.item_error, item={}, response=None, spider=None,
                                   failure=None)
    stats = crawler.stats.get_stats()
    assert stats["item_errors/count"] == 1
    assert run_counts(stats)["errors"] == 1


def test_an_uncreatable_lock_dir_makes_the_crawl_refuse_to_run(tmp_path: Path) -> None:
    """Without its lock two crawls of one site could run at once: refuse, with the reason."""
    from scrapy import Spider
    from scrapy.exceptions import CloseSpider
    from scrapy.utils.test import get_crawler

    from crawler.extensions.sitelock import SiteLockExtension

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    crawler = get_crawler(Spider, {"ARCHIVE_PATH": str(tmp_path / "a.sqlite"),
                                   "LOCK_DIR": str(blocker / "locks")})
    ext = SiteLockExtension.from_crawler(crawler)
    spider = Spider(name="sd_test")
    with pytest.raises(CloseSpider) as info:
        ext.spider_opened(spider)
    assert info.value.reason == "lock_error"
    message = crawler.stats.get_value("govpress/error")
    assert "sd_test" in message and "locks" in message and "\n" not in message
    assert run_status("lock_error", {}) == "failed"
