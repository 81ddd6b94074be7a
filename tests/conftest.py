"""Shared fixtures: the loopback simulator and crawls run in a child process.

The Twisted reactor starts once per process, so every crawl runs in a spawned
child (``crawl``) while the simulator keeps serving from this process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simulator import Simulator

# Test crawls are a few dozen polite fetches: an extraction pool would only add its start-up
# (seconds on a loaded machine) to each.  The pool has its own tests (test_pipelines_pool.py,
# including a crawl through it); set GOVPRESS_CLEANING_WORKERS to run every crawl test with it.
os.environ.setdefault("GOVPRESS_CLEANING_WORKERS", "0")

NOW = "2026-11-22T09:00:00+08:00"
"""The crawl clock for tests: the simulator's newest articles are a few days old."""
TEST_DELAY = 0.01
"""Small but not zero: with DOWNLOAD_DELAY = 0, Scrapy 2.19 bursts a slot's queue past its concurrency."""


@pytest.fixture()
def simulator() -> Iterator[Simulator]:
    from simulator import Simulator

    with Simulator() as sim:
        yield sim


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulator, Path, list[dict[str, Any]]]]:
    """One crawl of every simulated site, shared (read-only) by the tests that inspect its result."""
    from simulator import Simulator

    archive = tmp_path_factory.mktemp("crawled") / "govpress.sqlite"
    with Simulator() as sim:
        runs = crawl(sim, archive)
        yield sim, archive, runs


def _crawl_child(slugs: list[str], overrides: dict[str, Any], queue: Any) -> None:
    from app.crawl import project_settings, run_crawls

    runs = run_crawls(slugs, project_settings(overrides))
    queue.put([r.__dict__ for r in runs])


def crawl(sim: Simulator, archive: Path, slugs: list[str] | None = None, **settings: Any) -> list[dict[str, Any]]:
    """Crawl ``slugs`` (default: all) from ``sim`` into ``archive``; return the run summaries."""
    from core.siteconfig import load_sites
    from crawler.handlers.loopback import loopback_settings

    slugs = slugs or list(load_sites()[0])
    overrides = {
        **loopback_settings(sim.hostmap()),
        "ARCHIVE_PATH": str(archive),
        "DOWNLOAD_DELAY": TEST_DELAY,
        "AUTOTHROTTLE_ENABLED": False,
        "GOVPRESS_NOW": NOW,
        "LOG_LEVEL": "INFO",
        **settings,
    }
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_crawl_child, args=(slugs, overrides, queue))
    proc.start()
    deadline = time.monotonic() + 300
    while True:
        try:
            result: list[dict[str, Any]] = queue.get(timeout=1)
            break
        except Empty:
            if not proc.is_alive() or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"crawl child died (exit code {proc.exitcode})") from None
    proc.join(timeout=30)
    return result


def govpress_args(sim: Simulator, archive: Path, *args: str) -> list[str]:
    """``python -m app.cli ARGS`` wired to ``sim``, as an operator's shell would run it."""
    import json
    import sys

    from crawler.handlers.loopback import loopback_settings

    sets = []
    for name, value in {**loopback_settings(sim.hostmap()), "DOWNLOAD_DELAY": TEST_DELAY,
                        "AUTOTHROTTLE_ENABLED": False, "GOVPRESS_NOW": NOW}.items():
        sets += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
    return [sys.executable, "-m", "app.cli", *args, "--archive", str(archive), "--no-progress", *sets]


def component_crawler(tmp_path: Path, slug: str = "sd_jinan", **settings: Any) -> Any:
    """A Scrapy crawler for unit tests of one component: project settings, a temporary archive,
    the site's spider attached (no reactor, no network)."""
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from app.crawl import project_settings, spider_class

    if not is_reactor_installed():  # built, never run: components only need one to exist
        install_reactor(project_settings().get("TWISTED_REACTOR"))

    base = dict(project_settings().copy_to_dict())
    base.update({"ARCHIVE_PATH": str(tmp_path / "a.sqlite"), "GOVPRESS_NOW": NOW,
                 "LOCK_DIR": str(tmp_path / "locks"), **settings})
    cls = spider_class(slug)
    crawler = get_crawler(cls, base)
    crawler.spider = cls.from_crawler(crawler)
    return crawler


def fixture_record(slug: str = "sd_jinan", name: str = "article_1.html", **fields: Any) -> Any:
    """A ``DocumentRecord`` as the spider yields it, from a frozen fixture page of ``slug``."""
    import tomllib

    from archive.record import DocumentRecord

    folder = Path(__file__).parent / "fixtures" / "sites" / slug
    expected = tomllib.loads((folder / "expected.toml").read_text("utf-8"))
    entry = expected.get(name, {})
    url = entry.get("url", f"http://example.invalid/{slug}/{name}")
    headers = {"content-type": entry.get("content_type", "text/html")}
    base: dict[str, Any] = {"site": slug, "url": url, "canonical_url": url,
                            "raw": (folder / name).read_bytes(), "fetched_at": "2026-11-22T01:00:00+00:00"}
    base.update(fields)
    return DocumentRecord.from_headers(headers, **base)
