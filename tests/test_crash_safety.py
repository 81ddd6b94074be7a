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
FOUR = ["sd_province", "sd_jinan", "sd_qingdao", "sd_dzwww"]
"""The hand-written sites: enough to be killed mid-write, and a start-up that fits the kill window."""


def snapshot(archive: Path) -> dict[str, str]:
    """canonical URL -> body hash of every document, read with plain sqlite3."""
    if not archive.exists():
        return {}
    with sqlite3.connect(archive) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return {}
        return dict(conn.execute("SELECT canonical_url, body_hash FROM documents"))


def test_twenty_random_kills_lose_nothing_committed(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    rng = random.Random(20261122)
    with Simulator() as sim:
        sim.set_fault("www.jinan.gov.cn", "*", "delay", seconds=0.05)
        for i in range(KILLS):
            # Change a few articles so that killed runs are writing revisions, not only reading.
            for article in rng.sample([a for a in sim.articles() if a.slug in FOUR and not a.attachment], 3):
                sim.edit_article(article.url, paragraphs=article.paragraphs + [f"第{i}次更新的补充内容，供测试修订记录。"])
            before = snapshot(archive)
            seen = len(sim.requests)
            proc = subprocess.Popen(govpress_args(sim, archive, "crawl", *FOUR, "--refresh"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Kill at a random point of the crawl itself, not of the interpreter's start-up
            # (which takes seconds on a loaded machine).
            deadline = time.monotonic() + 60
            while len(sim.requests) == seen and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            after = snapshot(archive)  # also asserts PRAGMA integrity_check == ok
            assert set(before) <= set(after), f"kill {i}: documents lost"
        runs = crawl(sim, archive, FOUR, INCREMENTAL_REFRESH=True, INCREMENTAL_FULL=True)
    assert {r["status"] for r in runs} == {"ok"}
    reader = Archive(archive)
    for article in (a for a in sim.articles() if a.slug in FOUR):
        doc = reader.get(article.url)
        assert doc is not None, article.url
        assert article.paragraphs[-1].replace(" ", "") in doc.body.replace(" ", ""), article.url
    killed = [r for r in reader.runs(limit=500) if r.status in ("running", "interrupted")]
    assert killed, "no run was actually cut short"
