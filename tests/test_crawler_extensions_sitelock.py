"""SiteLockExtension (crawler/extensions/sitelock.py): one crawl per site at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import CloseSpider

from crawler.extensions.sitelock import SiteLock, SiteLockExtension
from tests.conftest import component_crawler


def test_site_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = SiteLock(tmp_path, "sd_x"), SiteLock(tmp_path, "sd_x")
    assert first.acquire()
    assert not second.acquire()
    assert second.holder().startswith("pid ")
    assert SiteLock(tmp_path, "sd_y").acquire()  # other sites are independent
    first.release()
    assert second.acquire()
    second.release()


def test_the_extension_skips_a_crawl_whose_site_is_locked(tmp_path: Path) -> None:
    held = SiteLock(tmp_path / "locks", "sd_jinan")
    assert held.acquire()
    crawler = component_crawler(tmp_path)
    with pytest.raises(CloseSpider) as closed:
        SiteLockExtension.from_crawler(crawler).spider_opened(crawler.spider)
    assert closed.value.reason == "skipped"
    assert "skipped: sd_jinan is being crawled (pid" in crawler.stats.get_value("govpress/skipped")
    held.release()
    ext = SiteLockExtension.from_crawler(crawler)
    ext.spider_opened(crawler.spider)
    assert not SiteLock(tmp_path / "locks", "sd_jinan").acquire()
    ext.spider_closed(crawler.spider)
    assert SiteLock(tmp_path / "locks", "sd_jinan").acquire()


def test_an_uncreatable_lock_dir_makes_the_crawl_refuse_to_run(tmp_path: Path) -> None:
    """Without its lock two crawls of one site could run at once: refuse, with the reason (#17)."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    crawler = get_crawler(Spider, {"ARCHIVE_PATH": str(tmp_path / "a.sqlite"),
                                   "LOCK_DIR": str(blocker / "locks")})
    ext = SiteLockExtension.from_crawler(crawler)
    with pytest.raises(CloseSpider) as info:
        ext.spider_opened(Spider(name="sd_test"))
    assert info.value.reason == "lock_error"
    message = crawler.stats.get_value("govpress/error")
    assert "sd_test" in message and "locks" in message and "\n" not in message
