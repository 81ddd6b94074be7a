"""Fault injection on the simulator: every fault is survived, counted and logged with its URL,
and the site's other articles are still archived (docs/reliability.md lists the cases)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from archive import Archive
from simulator import Simulator
from tests.conftest import crawl

HOST = "www.qingdao.gov.cn"
FAULTS = {
    # name: (kind, params)
    "retry_after_then_ok": ("status", {"code": 503, "retry_after": 1, "times": 1}),
    "reset_then_ok": ("reset", {"times": 1}),
    "not_found": ("status", {"code": 404}),
    "gone": ("status", {"code": 410}),
    "blocked": ("status", {"code": 412}),
    "truncated": ("truncate", {}),
    "too_big": ("big", {"size": 3_000_000}),
    "gzip_bomb": ("gzip_bomb", {"mb": 64}),
    "timeout": ("delay", {"seconds": 4}),
    "redirect_loop": ("redirect_loop", {}),
    "offsite_redirect": ("redirect", {"location": "http://elsewhere.example.com/a.html"}),
}
SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_MAXSIZE": 1_000_000, "RETRY_TIMES": 1,
            "RETRY_BACKOFF_BASE": 0.2, "INCREMENTAL_FULL": True}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory):
    archive = tmp_path_factory.mktemp("faults") / "a.sqlite"
    with Simulator() as sim:
        articles = sim.articles("sd_qingdao")
        assert len(articles) >= len(FAULTS)
        where = dict(zip(FAULTS, articles))
        for name, (kind, params) in FAULTS.items():
            sim.set_fault(HOST, where[name].url.split(HOST, 1)[1], kind, **params)
        runs = crawl(sim, archive, ["sd_qingdao"], **SETTINGS)
        yield sim, archive, runs, where


def test_the_run_finishes_partial_and_the_healthy_articles_are_archived(faulty) -> None:
    sim, archive, runs, where = faulty
    assert runs[0]["status"] == "partial"
    reader = Archive(archive)
    faulted = {a.url for a in where.values()}
    for article in sim.articles("sd_qingdao"):
        if article.url not in faulted:
            assert reader.get(article.url) is not None, article.url
    for name in ("retry_after_then_ok", "reset_then_ok"):
        assert reader.get(where[name].url) is not None, name


@pytest.mark.parametrize(
    ("name", "stat"),
    [
        ("not_found", "fetch_errors/http_404"),
        ("gone", "fetch_errors/http_410"),
        ("blocked", "fetch_errors/js_challenge"),
        ("truncated", "fetch_errors/ResponseDataLossError"),
        ("too_big", "fetch_errors/DownloadCancelledError"),
        ("gzip_bomb", "fetch_errors/too_large"),
        ("timeout", "fetch_errors/timeout"),
        ("redirect_loop", "fetch_errors/redirect_loop"),
    ],
)
def test_each_fault_is_counted_logged_and_not_archived(faulty, name: str, stat: str) -> None:
    _, archive, _, where = faulty
    reader = Archive(archive)
    assert reader.get(where[name].url) is None
    run = reader.runs(site="sd_qingdao")[0]
    assert run.stats.get(stat) == 1, (stat, {k: v for k, v in run.stats.items() if k.startswith("fetch")})


def test_errors_are_the_failed_fetches(faulty) -> None:
    _, archive, runs, _ = faulty
    run = Archive(archive).runs(site="sd_qingdao")[0]
    fetch = {k: v for k, v in run.stats.items() if k.startswith("fetch_errors")}
    assert run.errors == run.stats["fetch_errors/count"] == 8, sorted(fetch.items())


def test_blocked_and_gone_pages_are_not_retried(faulty) -> None:
    sim, _, _, where = faulty
    for name in ("blocked", "not_found", "gone"):
        path = where[name].url.split(HOST, 1)[1]
        assert sum(1 for r in sim.requests if r.host == HOST and r.path == path) == 1, name


def test_retry_after_is_honoured(faulty) -> None:
    sim, _, _, where = faulty
    path = where["retry_after_then_ok"].url.split(HOST, 1)[1]
    hits = [r for r in sim.requests if r.host == HOST and r.path == path]
    assert [r.status for r in hits] == [503, 200]
    assert hits[1].started - hits[0].finished >= 0.9


def test_an_offsite_redirect_is_not_followed(faulty) -> None:
    sim, archive, _, where = faulty
    assert not [r for r in sim.requests if r.host not in sim.hostmap()]
    run = Archive(archive).runs(site="sd_qingdao")[0]
    assert run.stats.get("offsite/filtered") == 1
    assert Archive(archive).get(where["offsite_redirect"].url) is None


def test_a_site_down_for_the_whole_run_is_unreachable_not_a_crash(tmp_path: Path) -> None:
    with Simulator() as sim:
        sim.set_fault(HOST, "*", "down")
        started = time.monotonic()
        runs = crawl(sim, tmp_path / "a.sqlite", ["sd_qingdao"], RETRY_TIMES=1, RETRY_BACKOFF_BASE=0.1)
    assert time.monotonic() - started < 120
    assert runs[0]["status"] == "failed"
    assert runs[0]["error"].startswith("unreachable:")


def test_a_site_that_blocks_everything_is_reported_blocked(tmp_path: Path) -> None:
    with Simulator() as sim:
        sim.set_fault(HOST, "*", "status", code=412)
        runs = crawl(sim, tmp_path / "a.sqlite", ["sd_qingdao"])
        assert sum(1 for r in sim.requests if r.host == HOST and r.path != "/robots.txt") == 1
    assert runs[0]["status"] == "blocked" and "HTTP 412" in runs[0]["error"]
