"""The scheduler's decisions, on a fake clock: next runs, misfire catch-up, no overlap, timeouts."""

from __future__ import annotations

import sys
import time
from datetime import datetime

import scheduler
from core.siteconfig import load_sites

TZ = scheduler.TZ
SITES = load_sites()[0]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_next_run_follows_the_cron_in_shanghai_time() -> None:
    assert scheduler.next_run("10 2 * * *", at("2026-11-22 01:00")) == at("2026-11-22 02:10")
    assert scheduler.next_run("10 2 * * *", at("2026-11-22 02:11")) == at("2026-11-23 02:10")
    assert scheduler.next_run("0 9 * * 1", at("2026-11-22 12:00")) == at("2026-11-23 09:00")  # a Monday


def test_previous_run_is_the_latest_fire_time_in_the_window() -> None:
    assert scheduler.previous_run("10 2 * * *", at("2026-11-22 09:00")) == at("2026-11-22 02:10")
    assert scheduler.previous_run("10 2 * * *", at("2026-11-22 02:00")) == at("2026-11-21 02:10")
    assert scheduler.previous_run("0 3 1 1 *", at("2026-11-22 02:00")) is None  # outside the window


def test_a_run_missed_while_down_is_caught_up_once() -> None:
    now = at("2026-11-22 09:00")
    schedules = {"a": "10 2 * * *", "b": "10 2 * * *", "c": "10 2 * * *", "d": "0 12 * * *"}
    last = {
        "a": at("2026-11-22 02:10"),   # ran on time
        "b": at("2026-11-21 02:10"),   # daemon was down at 02:10 today
        "c": None,                     # never ran
        "d": at("2026-11-21 12:00"),   # its time today has not come yet
    }
    assert scheduler.missed_sites(schedules, last, now) == ["b", "c"]


def test_job_defaults_forbid_overlap_and_tolerate_hours_of_lateness(tmp_path) -> None:
    runner = scheduler.CrawlRunner(str(tmp_path / "a.sqlite"))
    sched = scheduler.build_scheduler(SITES, runner, now=at("2026-11-22 09:00"))
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(SITES) <= set(jobs)
    for slug in SITES:
        job = jobs[slug]
        assert job.max_instances == 1 and job.coalesce is True
        assert job.misfire_grace_time >= 3600
        assert job.trigger.jitter == SITES[slug].schedule.jitter
    # An empty archive: no site has run, so none is crawled before its time (issue #15) ...
    assert not {j for j in jobs if j.endswith("-catch-up")}
    # ... unless asked: then each is caught up once.
    sched = scheduler.build_scheduler(SITES, runner, now=at("2026-11-22 09:00"), catch_up=True)
    assert {j.id for j in sched.get_jobs() if j.id.endswith("-catch-up")} == {f"{s}-catch-up" for s in SITES}


def test_schedule_table_lists_every_site() -> None:
    rows = scheduler.schedule_table(SITES, at("2026-11-22 00:00"))
    assert {r[0] for r in rows} == set(SITES)
    assert all(r[2].startswith("2026-11-22T0") for r in rows)


def test_a_hung_crawl_is_stopped_at_its_timeout(tmp_path) -> None:
    script = tmp_path / "hang.py"
    script.write_text("import time, sys\ntime.sleep(60)\n")
    runner = scheduler.CrawlRunner(None, command=[sys.executable, str(script)])
    started = time.monotonic()
    code = runner.run("sd_test", timeout=1)
    assert code != 0 and time.monotonic() - started < 30
    assert runner.running == {}


def test_stop_all_terminates_running_crawls(tmp_path) -> None:
    import threading

    script = tmp_path / "hang.py"
    script.write_text("import time\ntime.sleep(60)\n")
    runner = scheduler.CrawlRunner(None, command=[sys.executable, str(script)])
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(runner.run("sd_test", timeout=120)))
    thread.start()
    for _ in range(100):
        if runner.running:
            break
        time.sleep(0.05)
    runner.stop_all()
    thread.join(timeout=30)
    assert codes and codes[0] != 0
    assert runner.run("sd_test", timeout=5) == -1  # no new crawl starts while stopping
