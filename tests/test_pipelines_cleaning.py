"""CleaningPipeline (pipelines/cleaning.py): content fields, stats, the too-short drop, backpressure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


class _GatedPool:
    """A pool whose pages finish only when the test says so; it records how many it held."""

    def __init__(self) -> None:
        self.held = 0
        self.peak = 0
        self.gate: Any = None

    async def run(self, fn: Any, *args: Any) -> Any:
        import asyncio

        if self.gate is None:
            self.gate = asyncio.Event()
        self.held += 1
        self.peak = max(self.peak, self.held)
        try:
            await self.gate.wait()
            return fn(*args)
        finally:
            self.held -= 1


class _Engine:
    def __init__(self) -> None:
        self.paused = False
        self.pauses = 0
        self.wakeups = 0
        engine = self

        class _Call:
            def schedule(self) -> None:
                engine.wakeups += 1

        class _Slot:
            nextcall = _Call()

        self._slot = _Slot()

    def pause(self) -> None:
        self.paused = True
        self.pauses += 1

    def unpause(self) -> None:
        self.paused = False


def test_pages_in_the_pool_never_exceed_the_bound_and_downloads_pause_meanwhile(tmp_path: Path) -> None:
    """30 pages arrive at once with room for 4: the pool never holds more than 4, the engine
    is paused while it is full and woken once it frees, and every page comes out cleaned."""
    import asyncio

    crawler = component_crawler(tmp_path, CLEANING_WORKERS=1, CLEANING_MAX_IN_FLIGHT=4)
    engine = _Engine()
    crawler.engine = engine
    crawler.stats.open_spider()
    p = CleaningPipeline.from_crawler(crawler)
    gated = _GatedPool()
    p.pool = gated  # type: ignore[assignment]
    assert p.max_in_flight == 4

    async def scenario() -> list[Any]:
        tasks = [asyncio.ensure_future(p.process_item(fixture_record())) for _ in range(30)]
        for _ in range(20):
            await asyncio.sleep(0)
        assert gated.held == 4 and p.in_flight == 4 and p.waiting == 26
        assert engine.paused  # full: no new download is scheduled
        gated.gate.set()
        done = await asyncio.gather(*tasks)
        return done

    items = asyncio.run(scenario())
    assert gated.peak == 4
    assert len(items) == 30 and all(i.body for i in items)
    assert not engine.paused and engine.wakeups >= 1 and p.in_flight == 0 and p.waiting == 0
    assert crawler.stats.get_value("cleaning/backpressure") == engine.pauses >= 1
    assert crawler.stats.get_value("cleaning/ok") == 30


def test_the_default_bound_is_four_pages_per_worker(tmp_path: Path) -> None:
    assert CleaningPipeline.from_crawler(component_crawler(tmp_path, CLEANING_WORKERS=3)).max_in_flight == 12
