"""MonitorExtension (crawler/extensions/monitors.py): breakage checks against the run history."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import store
from crawler.extensions.monitors import MonitorExtension, run_checks
from pipelines.session import session_for
from tests.conftest import component_crawler

LIMITS = {"min_ratio": 0.5, "max_rate": 0.2, "min_items": 3}
GOOD = {"response_received_count": 12, "lists/pages": 2, "lists/links": 10,
        "lists/first_page_links": 5, "cleaning/ok": 10, "archive/new": 10}


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




def test_the_extension_judges_the_run_against_the_archived_history(tmp_path: Path) -> None:
    crawler = component_crawler(tmp_path)
    db = session_for(crawler).db
    for _ in range(3):
        rid = store.start_run(db, "sd_jinan", trigger="cron", pid=1)
        store.finish_run(db, rid, status="ok", counts={}, stats=GOOD)
    for key, value in {**GOOD, "lists/first_page_links": 1}.items():
        crawler.stats.set_value(key, value)
    MonitorExtension.from_crawler(crawler).spider_closed(crawler.spider, "finished")
    failed = crawler.stats.get_value("monitor/failed")
    assert failed and "far below the trailing median 5" in failed[0]
