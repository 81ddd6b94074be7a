"""Shared fixtures: the loopback simulator and crawls run in a child process.

The Twisted reactor starts once per process, so every crawl runs in a spawned
child (``crawl``) while the simulator keeps serving from this process.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import tempfile
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
# Commands run without --archive use a fresh archive of the suite's own, never the ./data archive
# of a checkout that has been used (an older one would need a migration a read-only command refuses).
if "GOVPRESS_ARCHIVE" not in os.environ:
    _archive_dir = tempfile.mkdtemp(prefix="govpress-tests-")
    atexit.register(shutil.rmtree, _archive_dir, True)
    os.environ["GOVPRESS_ARCHIVE"] = str(Path(_archive_dir) / "govpress.sqlite")

NOW = "2026-11-22T09:00:00+08:00"
"""The crawl clock for tests: the simulator's newest articles are a few days old."""
TEST_DELAY = 0.01
"""Small but not zero: with DOWNLOAD_DELAY = 0, Scrapy 2.19 bursts a slot's queue past its concurrency."""
TEST_AGENT = "govpress/0.1 (+https://example.invalid/govpress-tests; archiving public press releases)"
"""A contact for crawls started as an operator would (no placeholder-contact warning in their output)."""


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
                        "AUTOTHROTTLE_ENABLED": False, "GOVPRESS_NOW": NOW, "USER_AGENT": TEST_AGENT}.items():
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


HOSTILE_URL = "https://www.qingdao.gov.cn/n1/art_hostile.html"
OUTSIDE = "198.51.100.1"
"""TEST-NET-2 (RFC 5737): the hostile stored page points here; nothing may ever request it."""
HOSTILE_PAGE = f"""<!DOCTYPE html><html><head><meta charset="gbk">
<meta http-equiv="refresh" content="5;url=http://{OUTSIDE}/refresh">
<link rel="stylesheet" href="http://{OUTSIDE}/site.css">
<style>@import url(http://{OUTSIDE}/import.css); .banner {{ background: url(http://{OUTSIDE}/bg.png); }}
@font-face {{ font-family: x; src: url(http://{OUTSIDE}/font.woff); }}</style>
<script>window.parent.postMessage("script ran", "*"); document.title = "script ran";</script>
<script src="http://{OUTSIDE}/tracker.js"></script>
</head><body onload="document.body.setAttribute('data-onload', 'ran')">
<div class="banner">青岛政务网</div>
<h1 id="headline">青岛发布海洋经济测试公告</h1>
<img id="outside-img" src="http://{OUTSIDE}/x.png" alt="外部图片">
<img src="/images/local.png" alt="本站图片">
<div style="background-image: url('http://{OUTSIDE}/inline.png')">内联样式背景</div>
<p>为推动海洋经济高质量发展，青岛市发布测试公告。</p>
<iframe src="http://{OUTSIDE}/frame.html"></iframe>
<object data="http://{OUTSIDE}/movie.swf"></object>
<video poster="http://{OUTSIDE}/poster.jpg" src="http://{OUTSIDE}/v.mp4"></video>
<svg width="10" height="10"><image href="http://{OUTSIDE}/svg.png" width="10" height="10"/></svg>
<form action="http://{OUTSIDE}/post"><input type="image" src="http://{OUTSIDE}/button.png"></form>
<a id="outside-link" href="http://{OUTSIDE}/link.html">外部链接</a>
<script>document.body.setAttribute("data-script", "ran"); fetch("http://{OUTSIDE}/fetch");</script>
</body></html>"""


def reading_cases(db: Any) -> dict[str, Any]:
    """Write what a first crawl of the simulator lacks, through the archive's write API.

    A hostile stored page (scripts, outside resources), a later revised version of
    a document, a blocked run and a run that failed a breakage check.
    """
    from datetime import datetime, timedelta

    from archive import Archive, store
    from archive.record import DocumentRecord

    reader = Archive(db)
    hostile = DocumentRecord(
        site="sd_qingdao", url=HOSTILE_URL, canonical_url=HOSTILE_URL,
        title="青岛发布海洋经济测试公告", body="为推动海洋经济高质量发展，青岛市发布测试公告。\n第二段：欢迎社会各界监督。",
        published="2026-11-21T10:00:00+08:00", published_raw="2026-11-21 10:00", source="青岛市海洋发展局",
        column_name="政务要闻", encoding="gbk", raw=HOSTILE_PAGE.encode("gbk"),
        fetched_at="2026-11-22T01:00:00+00:00", body_hash="hostile-test-page",
        attachments=[{"url": "javascript:alert(document.cookie)", "name": "恶意附件.pdf"},
                     {"url": f"http://{OUTSIDE}/file.pdf", "name": "附件.pdf"}],
    )
    hostile_id = store.save_document(db, hostile).document_id
    doc = next(d for d in reader.documents(site="sd_jinan") if d.body.count("\n") >= 1)
    paras = doc.body.split("\n")
    later = (datetime.fromisoformat(doc.fetched_at) + timedelta(hours=6)).isoformat(timespec="seconds")
    revised_body = "\n".join([paras[0] + "并在全市推广。", *paras[1:], "新增段落：本文件自发布之日起施行。"])
    revised = DocumentRecord(
        site=doc.site, url=doc.url, canonical_url=doc.canonical_url, title=doc.title + "（修订）",
        body=revised_body, published=doc.published, published_raw=doc.published_raw,
        source=doc.source, column_name=doc.column_name,
        region_code=doc.region_code, encoding="utf-8", body_hash="revised-" + doc.body_hash,
        raw=f"<html><body><h1>{doc.title}（修订）</h1><p>{revised_body}</p></body></html>".encode(),
        fetched_at=later, attachments=list(doc.attachments),
    )
    assert store.save_document(db, revised).outcome == "updated"
    blocked = store.start_run(db, "sd_province", trigger="manual", pid=1)
    store.finish_run(db, blocked, status="blocked", counts={"errors": 3}, error="HTTP 403 from a WAF page",
                     stats={"fetch_errors/blocked": 3, "block/kind": "js_challenge",
                            "block/detail": "a script challenge page instead of the list"})
    checked = store.start_run(db, "sd_dzwww", trigger="manual", pid=1)
    store.finish_run(db, checked, status="partial", counts={"pages": 3},
                     stats={"monitor/failed": ["no article links on any list page"]})
    return {"hostile_id": hostile_id, "revised_id": doc.id, "revised_title": doc.title + "（修订）",
            "original_title": doc.title}


@pytest.fixture(scope="session")
def reading_archive(crawled: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A copy of the crawled demo archive with ``reading_cases`` added (for the reading pages)."""
    import shutil

    from archive import open_archive

    _, source, _ = crawled
    target = tmp_path_factory.mktemp("reading") / "govpress.sqlite"
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    db = open_archive(target)
    try:
        cases = reading_cases(db)
    finally:
        db.conn.close()
    return target, cases
