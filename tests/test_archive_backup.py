"""Archives that travel: a consistent single-file backup during a crawl, reading on read-only media,
checkpoints, and readers that stop early."""

from __future__ import annotations

import gc
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive, ArchiveError, open_archive, store
from archive.backup import backup, checkpoint
from simulator import Simulator
from tests.conftest import govpress_args


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_backup_during_a_crawl_then_after_a_kill(tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    copies = []
    with Simulator() as sim:
        sim.set_fault("www.jinan.gov.cn", "*", "delay", seconds=0.05)
        proc = subprocess.Popen(govpress_args(sim, archive, "crawl", "--all"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 90
            while proc.poll() is None and time.monotonic() < deadline and len(copies) < 2:
                time.sleep(0.3)
                if _count(archive) < 3 + 3 * len(copies):
                    continue
                dest = tmp_path / f"copy{len(copies)}.sqlite"
                backup(archive, dest)
                copies.append(dest)
            assert proc.poll() is None, "the crawl ended before the backups were taken"
        finally:
            proc.send_signal(signal.SIGKILL)  # a crash in the middle of the crawl
            proc.wait(timeout=30)
    for dest in copies:
        assert not Path(f"{dest}-wal").exists() and not Path(f"{dest}-shm").exists()
        with sqlite3.connect(f"file:{dest}?mode=ro", uri=True) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            docs = conn.execute("SELECT count(*) FROM documents WHERE duplicate_of IS NULL").fetchone()[0]
            indexed = conn.execute("SELECT count(*) FROM documents_fts_docsize").fetchone()[0]
            assert docs == indexed > 0  # every document fully there, with its FTS entry
        with Archive(dest) as a:
            assert a.count() == docs
    assert 0 < _count(copies[0]) < _count(copies[-1]) <= _count(archive)

    # After the kill: the main file with its -wal, as the crash left them, is a consistent archive
    # holding at least every document a reader saw.  (The main file alone is not: a kill during one
    # of SQLite's automatic checkpoints leaves it half-updated, and only the WAL completes it.  And a
    # read-only view of the crashed files can lag the last batch, which this copy, opened for
    # writing, recovers from the WAL.)
    left = tmp_path / "left" / "a.sqlite"
    left.parent.mkdir()
    shutil.copyfile(archive, left)
    if Path(f"{archive}-wal").exists():
        shutil.copyfile(f"{archive}-wal", f"{left}-wal")
    with sqlite3.connect(left) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Archive(left) as a:
        assert a.count(include_duplicates=True) >= max(_count(archive), _count(copies[-1]))
    # ... and a backup holds everything committed before the kill.
    final = tmp_path / "final.sqlite"
    result = subprocess.run([sys.executable, "-m", "app.cli", "backup", str(final), "--archive", str(archive)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "documents" in result.stdout, result.stderr
    with Archive(archive) as full, Archive(final) as copy:
        assert copy.count(include_duplicates=True) == full.count(include_duplicates=True) >= _count(copies[-1])


def test_backup_refuses_to_overwrite_and_names_bad_sources(tmp_path: Path) -> None:
    src = tmp_path / "a.sqlite"
    open_archive(src).close()
    dest = tmp_path / "b.sqlite"
    backup(src, dest)
    with pytest.raises(ArchiveError, match=r"b\.sqlite: exists"):
        backup(src, dest)
    backup(src, dest, overwrite=True)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ArchiveError, match=r"junk\.sqlite"):
        backup(junk, tmp_path / "c.sqlite")
    assert not (tmp_path / "c.sqlite").exists()


def test_checkpoint_folds_the_wal_into_the_main_file(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    db = open_archive(path)
    reader = sqlite3.connect(path)  # a second connection keeps the WAL from being folded in at close
    reader.execute("SELECT 1").fetchone()
    store.start_run(db, "sd_x", trigger="manual", pid=1)
    assert Path(f"{path}-wal").stat().st_size > 0
    assert checkpoint(db) is True
    assert Path(f"{path}-wal").stat().st_size == 0
    db.close()
    reader.close()


def _wal_copy(src: Path, dest: Path) -> None:
    """A WAL-mode single file, as a checkpointed archive is after the crawl's last connection closes."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.close()
    assert not Path(f"{dest}-wal").exists()


@pytest.fixture()
def readonly_dir(tmp_path: Path):
    """A directory on a read-only bind mount (chmod does not stop root)."""
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    ok = subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True).returncode == 0
    if not ok:
        pytest.skip("cannot bind-mount (needs root / CAP_SYS_ADMIN)")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only")
        yield src, ro
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


def test_read_commands_work_on_a_read_only_mount(crawled, readonly_dir) -> None:
    _, archive, _ = crawled
    src, ro = readonly_dir
    _wal_copy(archive, src / "govpress.sqlite")
    path = ro / "govpress.sqlite"
    with pytest.raises(OSError):
        (ro / "probe").write_text("x")
    with Archive(path) as a:
        assert a.count() == Archive(archive).count() > 0
    base = [sys.executable, "-m", "app.cli"]
    for args in (["stats"], ["search", "营商"]):
        result = subprocess.run([*base, *args, "--archive", str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{args}: {result.stderr}"
        assert result.stdout.strip()
        assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert sorted(p.name for p in src.iterdir()) == ["govpress.sqlite"]


def test_a_reader_that_stops_early_closes_cleanly(crawled) -> None:
    _, archive, _ = crawled
    seen: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}")
    try:
        for kwargs in ({}, {"site": "sd_qingdao"}):
            with Archive(archive) as a:
                for _doc in a.documents(**kwargs):
                    break
                for _page in a.raw_pages():
                    break
            gc.collect()
        with Archive(archive) as a:
            docs = a.documents()
            next(docs)
        del docs
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert not seen, seen


def test_refused_files_are_never_modified(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = other.read_bytes()
    with pytest.raises(ArchiveError, match="not a govpress archive"):
        open_archive(other)
    assert other.read_bytes() == before  # still in rollback-journal mode: no WAL switch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]
    shutil.rmtree(tmp_path / "none", ignore_errors=True)
