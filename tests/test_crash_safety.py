"""Crash safety: SIGKILL a crawl at random points, 20 times; the archive stays consistent,
keeps every document committed before each kill, and the next run completes."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from archive import Archive
from simulator import Simulator
from tests.conftest import crawl, govpress_args

KILLS = 20


def snapshot(archive: Path) -> dict[str, str]:
    """canonical URL -> body hash of every document, read with plain sqlite3."""
    if not archive.exists():
        return {}
    with sqlite3.connect(archive) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return {}
        return dict(conn.execute("SELECT canonical_url, body_hash FROM documents"))


def _last_run(archive: Path) -> int:
    try:
        with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0


def _wait_for_a_running_run(archive: Path, proc: subprocess.Popen[bytes], after: int,
                            timeout: float = 120) -> None:
    """Until the crawl has recorded a new run that is still running (or the crawl ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as conn:
                if conn.execute("SELECT 1 FROM runs WHERE status = 'running' AND id > ?", (after,)).fetchone():
                    return
        except sqlite3.Error:
            pass
        time.sleep(0.1)


def test_twenty_random_kills_lose_nothing_committed(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    rng = random.Random(20261122)
    with Simulator() as sim:
        sim.set_fault("www.jinan.gov.cn", "*", "delay", seconds=0.05)
        for i in range(KILLS):
            # Change a few articles so that killed runs are writing revisions, not only reading.
            for article in rng.sample(sim.articles(), 3):
                sim.edit_article(article.url, paragraphs=article.paragraphs + [f"第{i}次更新的补充内容，供测试修订记录。"])
            before = snapshot(archive)
            last = _last_run(archive)
            proc = subprocess.Popen(govpress_args(sim, archive, "crawl", "--all", "--refresh"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i % 2:  # half the kills land mid-run whatever the machine's load (start-up can take >5 s)
                _wait_for_a_running_run(archive, proc, last)
                time.sleep(rng.uniform(0.0, 2.0))
            else:
                time.sleep(rng.uniform(1.0, 5.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            after = snapshot(archive)  # also asserts PRAGMA integrity_check == ok
            assert set(before) <= set(after), f"kill {i}: documents lost"
        runs = crawl(sim, archive, None, INCREMENTAL_REFRESH=True, INCREMENTAL_FULL=True)
    assert {r["status"] for r in runs} == {"ok"}
    reader = Archive(archive)
    for article in sim.articles():
        doc = reader.get(article.url)
        assert doc is not None, article.url
        assert article.paragraphs[-1].replace(" ", "") in doc.body.replace(" ", ""), article.url
    killed = [r for r in reader.runs(limit=500) if r.status in ("running", "interrupted")]
    assert killed, "no run was actually cut short"
