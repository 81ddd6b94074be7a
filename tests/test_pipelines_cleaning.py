"""CleaningPipeline (pipelines/cleaning.py): content fields, stats, the too-short drop."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import DropItem

from pipelines.cleaning import CleaningPipeline
from tests.conftest import component_crawler, fixture_record


def test_fills_the_content_fields_and_counts_ok(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    pipe = CleaningPipeline.from_crawler(crawler)
    item = pipe.process_item(fixture_record())
    assert item.title == "济南一季度重点项目集中开工 总投资1260亿元"
    assert item.published == "2026-03-05T10:30:00+08:00" and item.source == "济南日报"
    assert item.body.startswith("3月5日，济南市2026年一季度重点项目集中开工活动举行")
    assert item.region_code == "370100"  # from the site definition
    assert "ICP备" not in item.body and item.extraction_method
    assert crawler.stats.get_value("cleaning/ok") == 1


def test_a_page_without_text_is_dropped_with_a_counted_reason(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    pipe = CleaningPipeline.from_crawler(crawler)
    page = b"<html><head><title>x</title></head><body><div class='art_con'><p>\xe8\xa7\x81\xe9\x99\x84\xe4\xbb\xb6</p></div></body></html>"
    with pytest.raises(DropItem, match="too_short"):
        pipe.process_item(fixture_record(raw=page))
    assert crawler.stats.get_value("cleaning/too_short") == 1
    assert crawler.stats.get_value("cleaning/ok") is None


SHORT = "<html><body><div class='art_con'><p>市政府召开常务会议。</p></div></body></html>".encode()


def test_min_chars_is_the_setting(tmp_path: Path) -> None:
    with pytest.raises(DropItem):
        CleaningPipeline.from_crawler(component_crawler(tmp_path)).process_item(fixture_record(raw=SHORT))
    lenient = component_crawler(tmp_path, CLEANING_MIN_CHARS=5)
    item = CleaningPipeline.from_crawler(lenient).process_item(fixture_record(raw=SHORT))
    assert item.body == "市政府召开常务会议。" and "no_text" not in item.flags


def test_a_304_passes_through_untouched(tmp_path: Path) -> None:
    pipe = CleaningPipeline.from_crawler(component_crawler(tmp_path))
    item = pipe.process_item(fixture_record(raw=b"", not_modified=True, http_status=304))
    assert item.title == "" and item.body == ""
