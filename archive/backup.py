"""Archives that travel whole: WAL checkpoints and consistent single-file backups.

A WAL archive keeps recent commits in its ``-wal`` file until a checkpoint
copies them into the main file.  ``checkpoint`` ends every crawl so the
``.sqlite`` file alone is complete; ``backup`` copies a live archive (a crawl
may be writing) through SQLite's online backup API into one self-contained
file in rollback-journal mode, readable anywhere, read-only media included.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from archive.db import BUSY_TIMEOUT_MS, archive_label, connect_read_only, describe
from archive.errors import ArchiveError

logger = logging.getLogger(__name__)

CHECKPOINT_WAIT_MS = 2_000
"""How long a checkpoint waits for another connection's write to finish before giving up."""


def checkpoint(db: Database) -> bool:
    """``PRAGMA wal_checkpoint(TRUNCATE)``: fold the WAL into the main file and empty it.

    Returns False (and logs why) when another connection kept it from completing,
    e.g. a second crawl still writing; that crawl's own checkpoint finishes the job.
    """
    conn = db.conn
    try:
        conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        logger.warning("checkpoint failed: %s", describe(archive_label(db), exc))
        return False
    finally:
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.Error:
            pass
    if busy:
        logger.info("%s: checkpoint incomplete (%s of %s WAL pages; another connection is busy)",
                    archive_label(db), done, log)
        return False
    return True


def checkpoint_path(path: str | Path) -> bool:
    """Checkpoint the archive at ``path`` (writable open; a missing file is left missing)."""
    from archive.db import open_archive

    if not Path(path).exists():
        return False
    db = open_archive(path)
    try:
        return checkpoint(db)
    finally:
        db.close()


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    documents: int


def backup(source: str | Path, dest: str | Path, *, overwrite: bool = False) -> BackupResult:
    """Write a consistent single-file copy of the archive ``source`` to ``dest``.

    Safe while a crawl writes: the copy is one snapshot of committed transactions.
    ``dest`` may be a directory (the copy keeps the source's file name).  The copy
    is written beside ``dest`` and renamed into place, so ``dest`` is never half-written.
    """
    src = Path(source)
    out = Path(dest)
    if out.is_dir():
        out = out / src.name
    if not src.is_file():
        raise ArchiveError(f"{src}: no archive here")
    if out.exists() and out.resolve() == src.resolve():
        raise ArchiveError(f"{out}: is the archive itself; give another destination")
    if out.exists() and not overwrite:
        raise ArchiveError(f"{out}: exists (give --force to replace it)")
    if not out.parent.is_dir():
        raise ArchiveError(f"{out}: directory {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        conn, _notice = connect_read_only(src)
    except sqlite3.Error as exc:
        raise ArchiveError(describe(src, exc)) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone():
            raise ArchiveError(f"{src}: not a govpress archive (no _migrations table)")
        copy = sqlite3.connect(tmp)
        try:
            conn.backup(copy)  # one step: one read snapshot, never restarted by a writer
            copy.execute("PRAGMA journal_mode = DELETE")
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise ArchiveError(f"{out}: copy failed its check ({check})")
            docs = int(copy.execute("SELECT count(*) FROM documents").fetchone()[0]) if copy.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone() else 0
        finally:
            copy.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except sqlite3.Error as exc:
        raise ArchiveError(describe(out if "disk" in str(exc).lower() else src, exc)) from exc
    except OSError as exc:
        raise ArchiveError(describe(out, exc)) from exc
    finally:
        conn.close()
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, docs)


def run_triggers(path: str | Path) -> Counter[str]:
    """How many runs each trigger recorded in the archive at ``path``; reads only, never writes.

    An absent or empty file has none.  Raises ``ArchiveError`` for a file that is
    not a govpress archive, so a caller can refuse it before opening it for write.
    """
    p = Path(path)
    if not p.exists() or (p.is_file() and p.stat().st_size == 0):
        return Counter()
    if p.is_dir():
        raise ArchiveError(f"{p}: is a directory, not an archive file")
    try:
        conn, _notice = connect_read_only(p)
    except sqlite3.Error as exc:
        raise ArchiveError(describe(p, exc)) from exc
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "_migrations" not in names:
            if {n for n in names if not n.startswith("sqlite_")}:
                raise ArchiveError(f"{p}: not a govpress archive (SQLite file with other tables, no _migrations)")
            return Counter()
        if "runs" not in names:
            return Counter()
        return Counter(dict(conn.execute("SELECT trigger, count(*) FROM runs GROUP BY trigger").fetchall()))
    except sqlite3.Error as exc:
        raise ArchiveError(describe(p, exc)) from exc
    finally:
        conn.close()
