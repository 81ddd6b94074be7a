"""ProgressExtension (crawler/extensions/progress.py): one live row per site."""

from __future__ import annotations

from pathlib import Path

from crawler.extensions import progress
from crawler.extensions.progress import ProgressExtension
from tests.conftest import component_crawler


def test_counts_pages_items_and_errors_and_closes_the_display(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    ext = ProgressExtension.from_crawler(crawler)
    ext.opened(crawler.spider)
    shown = progress._progress()
    for _ in range(3):
        ext.page(None, None, crawler.spider)
    ext.item(None, None, crawler.spider)
    crawler.stats.set_value("fetch_errors/count", 2)
    ext.page(None, None, crawler.spider)
    task = shown.tasks[ext.task]
    assert (task.fields["pages"], task.fields["items"], task.fields["errors"]) == (4, 1, 2)
    ext.closed(crawler.spider, "finished")
    assert task.fields["state"] == "finished" and progress._DISPLAY == {}
