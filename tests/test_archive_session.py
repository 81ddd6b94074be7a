"""``ArchiveSession`` batching: commit by count and age, per-document savepoints, kills lose one batch."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.record import DocumentRecord
from archive.session import ArchiveSession


def _rec(n: int) -> DocumentRecord:
    url = f"https://www.qingdao.gov.cn/art/{n}.html"
    return DocumentRecord(site="sd_qingdao", url=url, canonical_url=url, title=f"标题{n}",
                          body=f"第{n}篇正文。", body_hash=f"h{n}", fetched_at="2026-11-01T00:00:00+00:00")


def _committed(path: Path) -> int:
    with sqlite3.connect(path) as c:
        return int(c.execute("SELECT count(*) FROM documents").fetchone()[0])


def test_a_batch_is_committed_by_count_and_seen_by_its_own_session(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with ArchiveSession(path, batch_size=3, batch_seconds=60) as s:
        for n in range(2):
            assert s.save(_rec(n)).outcome == "new"
        assert _committed(path) == 0 and s.pending == 2
        assert set(s.known([_rec(0).canonical_url, _rec(1).canonical_url])) == {_rec(0).canonical_url,
                                                                               _rec(1).canonical_url}
        s.save(_rec(2))
        assert _committed(path) == 3 and s.pending == 0
        s.save(_rec(3))
    assert _committed(path) == 4  # close commits the rest


def test_a_batch_is_committed_by_age(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with ArchiveSession(path, batch_size=100, batch_seconds=0.05) as s:
        s.save(_rec(1))
        s.flush_if_due()
        assert _committed(path) == 0
        time.sleep(0.06)
        s.flush_if_due()
        assert _committed(path) == 1
        s.save(_rec(2))
        time.sleep(0.06)
        s.save(_rec(3))  # an old batch is committed by the next save too
        assert _committed(path) == 3


def test_a_failed_save_undoes_only_itself(tmp_path: Path) -> None:
    from archive import ArchiveError

    path = tmp_path / "a.sqlite"
    with ArchiveSession(path, batch_size=10) as s:
        s.save(_rec(1))
        s.db.conn.execute("CREATE TEMP TRIGGER boom BEFORE INSERT ON documents WHEN NEW.title = '坏'"
                          " BEGIN SELECT RAISE(ABORT, 'refused'); END")
        bad = _rec(2)
        bad.title = "坏"
        with pytest.raises(ArchiveError, match="refused"):
            s.save(bad)
        s.save(_rec(3))
    with sqlite3.connect(path) as c:
        assert [r[0] for r in c.execute("SELECT canonical_url FROM documents ORDER BY id")] == \
            [_rec(1).canonical_url, _rec(3).canonical_url]


def test_sessions_on_one_file_commit_each_other_before_writing(tmp_path: Path) -> None:
    """Two crawls in one process share the write lock and the reactor thread: no deadlock."""
    path = tmp_path / "a.sqlite"
    with ArchiveSession(path, batch_size=50) as a, ArchiveSession(path, batch_size=50) as b:
        a.save(_rec(1))
        b.save(_rec(2))  # would wait for a's lock (and time out) if a kept its batch open
        assert a.pending == 0 and b.pending == 1
        a.start_run("sd_qingdao", trigger="manual", pid=1)
        assert b.pending == 0 and _committed(path) == 2


KILLED = """
import os, sys
sys.path.insert(0, {root!r})
from tests.test_archive_session import _rec
from archive.session import ArchiveSession
s = ArchiveSession({path!r}, batch_size=10, batch_seconds=60)
for n in range(25):
    s.save(_rec(n))
os.kill(os.getpid(), 9)
"""


def test_a_kill_loses_at_most_the_open_batch(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    root = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-c", KILLED.format(root=root, path=str(path))], check=False)
    assert proc.returncode == -9
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = [r[0] for r in c.execute("SELECT canonical_url FROM documents ORDER BY id")]
    assert urls == [_rec(n).canonical_url for n in range(20)]  # two full batches; the third was open


def test_the_page_cache_is_the_sessions_bound_not_the_archives_size(tmp_path: Path) -> None:
    """A crawl's connection keeps ``cache_kib`` of the archive in memory at most (``ARCHIVE_CACHE_MIB``)."""
    from crawler.settings import ARCHIVE_CACHE_MIB
    from pipelines.session import session_for
    from tests.conftest import component_crawler

    with ArchiveSession(tmp_path / "a.sqlite", cache_kib=2048) as s:
        assert s.db.conn.execute("PRAGMA cache_size").fetchone()[0] == -2048
    crawler = component_crawler(tmp_path)
    session = session_for(crawler)
    try:
        assert session.db.conn.execute("PRAGMA cache_size").fetchone()[0] == -1024 * ARCHIVE_CACHE_MIB
    finally:
        session.close()
