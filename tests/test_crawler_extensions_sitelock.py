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
