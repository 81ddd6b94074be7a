"""archive/db.py under hostile storage (issue #17): a corrupt archive is refused in one line
before anything writes, a busy archive fails a write in seconds (not 30 s per write), and a
run whose record could not be closed is reported failed with its reason."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive, ArchiveError, open_archive, store
from archive.session import ArchiveSession
from simulator.synthetic import Generator


def _archive(path: Path, n: int = 300) -> Path:
    db = open_archive(path)
    for rec in Generator(seed=3, pool_chars=60_000).records(n):
        store.save_document(db, rec)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def corrupt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = _archive(tmp_path_factory.mktemp("corrupt") / "a.sqlite")
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT pageno FROM dbstat WHERE name = 'documents_fts_data' AND path = '/'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:  # 20 KB of random bytes from the full-text index's root page on
        f.seek((root - 1) * page_size)
        f.write(random.Random(5).randbytes(20_000))
    return path


def test_search_on_a_corrupt_archive_is_one_archive_error(corrupt: Path) -> None:
    with Archive(corrupt) as reader, pytest.raises(ArchiveError) as info:
        reader.search("会议")
    assert "corrupt" in str(info.value) and "\n" not in str(info.value)


def test_govpress_search_on_a_corrupt_archive_is_one_line(corrupt: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "app.cli", "search", "会议", "--archive", str(corrupt)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "corrupt" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_corrupt_archive_is_refused_before_a_crawl_writes(corrupt: Path) -> None:
    before = corrupt.read_bytes()
    with pytest.raises(ArchiveError) as info:
        ArchiveSession(corrupt)
    message = str(info.value)
    assert message.startswith(str(corrupt)) and "corrupt" in message and "\n" not in message
    assert corrupt.read_bytes() == before


def test_govpress_crawl_refuses_a_corrupt_archive_in_one_line(corrupt: Path) -> None:
    before = corrupt.read_bytes()
    result = subprocess.run([sys.executable, "-m", "app.cli", "crawl", "sd_qingdao", "--archive", str(corrupt),
                             "--no-progress"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "corrupt" in result.stderr and "Traceback" not in result.stderr
    assert corrupt.read_bytes() == before


def test_a_healthy_archive_passes_the_check(tmp_path: Path) -> None:
    with ArchiveSession(_archive(tmp_path / "a.sqlite", 20)) as session:
        assert session.known([]) == {}


def test_a_busy_archive_fails_a_write_in_seconds_not_30(tmp_path: Path) -> None:
    path = _archive(tmp_path / "a.sqlite", 5)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        session = ArchiveSession(path, busy_timeout=0.3, busy_retries=2)
        record = Generator(seed=9, pool_chars=20_000).record(1000)
        start = time.monotonic()
        with pytest.raises(ArchiveError) as info:
            session.save(record)
        took = time.monotonic() - start
        assert "locked by another writer" in str(info.value)
        assert 0.6 <= took < 5, took  # bounded: (1 + retries) waits of the busy timeout
        session.close()
    finally:
        holder.rollback()
        holder.close()


def test_the_crawl_session_uses_the_archive_busy_settings(tmp_path: Path) -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from pipelines.session import session_for

    crawler = get_crawler(Spider, {"ARCHIVE_PATH": str(tmp_path / "a.sqlite"), "ARCHIVE_BUSY_TIMEOUT": 1.5,
                                   "ARCHIVE_BUSY_RETRIES": 1})
    session = session_for(crawler)
    try:
        assert session.db.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 1500
    finally:
        session.close()


def test_a_run_left_running_is_reported_failed_with_its_reason() -> None:
    """Disk full or locked at the end: the run row stays 'running'; the summary must say failed."""
    from app.crawl import EXIT_FAILED, RunSummary, exit_code, settle

    class Stats:
        def get_stats(self) -> dict:
            return {"archive/error": "a.sqlite: disk full (database or disk is full)", "response_received_count": 4}

    class Crawler:
        stats = Stats()

    runs = settle([RunSummary("sd_qingdao", "running", 4, 2, 0, 0, 0, 0)], {"sd_qingdao": Crawler()})
    assert runs[0].status == "failed" and "disk full" in runs[0].error
    assert exit_code(runs) == EXIT_FAILED
    assert os.getpid()  # the helper is pure; nothing else to clean up
