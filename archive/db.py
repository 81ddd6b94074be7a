"""Opening an archive: connection settings, error translation and write transactions."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from archive.errors import ArchiveError

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
"""Busy timeout of archive tools (search, export …); a crawl passes its own, shorter one."""
CRAWL_BUSY_TIMEOUT = 5.0
"""Seconds a crawl's write waits for another writer (``ARCHIVE_BUSY_TIMEOUT``): it waits in the
reactor thread, so every site stalls meanwhile."""
CRAWL_BUSY_RETRIES = 2
"""Further attempts of a busy write before it fails (``ARCHIVE_BUSY_RETRIES``)."""
WRITER_CACHE_KIB = 65_536
_PATH_ATTR = "archive_path"
_RETRIES_ATTR = "archive_busy_retries"
NOTICE_ATTR = "archive_notice"

_PROBLEMS = (
    ("file is not a database", "not a SQLite database"),
    ("file is encrypted", "not a SQLite database"),
    ("database disk image is malformed", "database file is corrupt (malformed disk image)"),
    ("database or disk is full", "disk full (database or disk is full)"),
    ("attempt to write a readonly database", "not writable (read-only file or directory)"),
    ("unable to open database file", "cannot open the database file (missing or not permitted)"),
    ("database is locked", "locked by another writer (busy timeout expired)"),
    ("disk i/o error", "disk I/O error"),
)


def now_iso() -> str:
    """Current UTC time as ISO 8601 with seconds, like ``DocumentRecord.fetched_at``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def archive_label(db: Database) -> str:
    """The archive's path for messages (``<memory>`` for in-memory databases)."""
    return getattr(db, _PATH_ATTR, None) or "<archive>"


def describe(path: str | Path, exc: BaseException) -> str:
    """One-line ``<file>: <problem>`` message for an sqlite3 or OS error."""
    text = " ".join(str(exc).split())
    low = text.lower()
    for needle, problem in _PROBLEMS:
        if needle in low:
            return f"{path}: {problem}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{path}: {exc.strerror}"
    return f"{path}: {type(exc).__name__}: {text}"


def _connect(path: Path, readonly: bool, timeout: float = BUSY_TIMEOUT_MS / 1000,
             immutable: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
        return sqlite3.connect(uri, uri=True, timeout=timeout)
    return sqlite3.connect(str(path), timeout=timeout)


def quick_check(conn: sqlite3.Connection, path: str | Path) -> None:
    """``PRAGMA quick_check``; raise a one-line ``ArchiveError`` when the file is damaged.

    Run before a crawl writes: SQLite would otherwise keep writing into a damaged file
    (a crawl recorded four ``ok`` runs on one whose ``integrity_check`` failed).
    """
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.Error as exc:
        raise ArchiveError(f"{describe(path, exc)}; refusing to write to it") from exc
    problems = [str(r[0]) for r in rows if str(r[0]).lower() != "ok"]
    if problems:
        first = " ".join(problems[0].split())[:160]
        raise ArchiveError(f"{path}: database file is corrupt (quick_check: {first}); refusing to write to it"
                           " (restore a backup, or try sqlite3 .recover)")


def read_only_location(path: Path) -> bool:
    """True when the archive's directory cannot be written (read-only mount, or no permission)."""
    parent = path.resolve().parent
    try:
        if os.statvfs(parent).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        pass
    return not os.access(parent, os.W_OK | os.X_OK)


def connect_read_only(path: Path) -> tuple[sqlite3.Connection, str]:
    """A ``mode=ro`` connection; on a read-only location, ``immutable=1`` (no -shm needed).

    A WAL archive read with ``mode=ro`` needs its ``-shm`` file, which cannot be
    created on a read-only mount; ``immutable`` reads the main file alone (every
    crawl ends with a checkpoint, so it is complete).  Returns the connection and
    a notice for the user ('' when opened normally).
    """
    conn = _connect(path, True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, ""
    except sqlite3.OperationalError as exc:
        conn.close()
        low = str(exc).lower()
        if not ("unable to open" in low or "readonly" in low or "read-only" in low) or not read_only_location(path):
            raise
    conn = _connect(path, True, immutable=True)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    notice = f"{path}: on a read-only location; opened read-only as immutable"
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        notice += f" (its {wal.name} holds {wal.stat().st_size} bytes that are not visible: copy a checkpointed file)"
        logger.warning("%s", notice)
    else:
        logger.info("%s", notice)
    return conn, notice


def _check_path(path: Path, readonly: bool) -> None:
    if path.is_dir():
        raise ArchiveError(f"{path}: is a directory, not an archive file")
    if readonly:
        if not path.exists():
            raise ArchiveError(f"{path}: archive does not exist")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot create directory {path.parent}: {exc.strerror or exc}") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise ArchiveError(f"{path}: not writable (permission denied)")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ArchiveError(f"{path}: not writable (directory {path.parent} is not writable)")


def open_archive(
    path: str | Path, *, readonly: bool = False, busy_timeout: float | None = None,
    busy_retries: int = 0, check: bool = False,
) -> Database:
    """Open (creating and migrating when writable) the archive at ``path``.

    Writable archives use WAL, ``synchronous=NORMAL``, foreign keys and a busy
    timeout (``busy_timeout`` seconds, 30 s by default), and get every pending
    migration; a file that is not a govpress archive is refused before anything is
    written to it.  A write transaction that finds the archive locked is tried
    ``busy_retries`` more times, then fails (``transaction``).  With ``check`` the
    file must pass ``PRAGMA quick_check`` first.  Read-only archives are never
    written; they must already be migrated to exactly this code's schema.  On a
    read-only location they are opened ``immutable`` (see ``open_notice``).
    """
    from archive.schema import check_schema, migrate, refuse_foreign

    path = Path(path)
    _check_path(path, readonly)
    timeout = BUSY_TIMEOUT_MS / 1000 if busy_timeout is None else float(busy_timeout)
    conn: sqlite3.Connection | None = None
    notice = ""
    try:
        if readonly:
            conn, notice = connect_read_only(path)
        else:
            conn = _connect(path, readonly, timeout)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # The first statement that reads the header: a non-SQLite file fails here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if check:
            quick_check(conn, path)
        db = Database(conn, execute_plugins=False)
        setattr(db, _PATH_ATTR, str(path))
        setattr(db, _RETRIES_ATTR, max(0, int(busy_retries)))
        setattr(db, NOTICE_ATTR, notice)
        if readonly:
            conn.execute("PRAGMA query_only = ON")
            check_schema(db)
            return db
        # Refuse another program's file before the first write (the WAL switch) touches it.
        refuse_foreign(db)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ArchiveError(f"{path}: cannot switch to WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        migrate(db)
        return db
    except ArchiveError:
        if conn is not None:
            conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        raise ArchiveError(describe(path, exc)) from exc


def open_notice(db: Database) -> str:
    """Why a read-only open fell back to immutable mode ('' when it did not)."""
    return str(getattr(db, NOTICE_ATTR, "") or "")


@contextmanager
def transaction(db: Database) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``); nested use becomes a savepoint.

    SQLite errors (disk full, locked, read-only...) become ``ArchiveError`` after
    the rollback, so a failed or interrupted save leaves the archive as it was.
    """
    conn = db.conn
    label = archive_label(db)
    if conn.in_transaction:
        conn.execute("SAVEPOINT archive_nested")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO archive_nested")
                conn.execute("RELEASE archive_nested")
            raise
        else:
            conn.execute("RELEASE archive_nested")
        return
    retries = getattr(db, _RETRIES_ATTR, 0)
    for attempt in range(retries + 1):
        try:
            conn.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout for another writer
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == retries:
                raise ArchiveError(describe(label, exc)) from exc
            logger.warning("%s: locked by another writer; retrying (%d of %d)", label, attempt + 1, retries)
            time.sleep(0.05 * 2**attempt)
        except sqlite3.Error as exc:
            raise ArchiveError(describe(label, exc)) from exc
    try:
        yield conn
        conn.commit()
    except BaseException as exc:
        if conn.in_transaction:
            conn.rollback()
        if isinstance(exc, sqlite3.Error):
            raise ArchiveError(describe(label, exc)) from exc
        raise
