"""One crawl's session with the archive: one connection for every read and write.

A crawl used to open the archive about ten times (spider, dedup, monitors, run
record, runner).  ``ArchiveSession`` is built once from the archive path, answers
the incremental questions (which URLs are known, has the site a finished run,
the run history), opens and closes the run record, and saves documents with
identity decided inside the write.  ``close`` ends it.

Saves are batched: with ``batch_size`` > 1 documents go into one open transaction,
each under its own savepoint (a failed save undoes only itself), committed after
``batch_size`` documents or ``batch_seconds`` (also by ``flush_if_due`` from a timer,
and before any other write, any other session's write on the same file in this
process, and ``close``).  A kill loses at most the uncommitted batch; those pages are
not in the archive, so the next run fetches them again.  Reads through the session see
its own pending documents; other connections see only committed ones.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from archive import store
from archive.attachments import AttachmentRecord, missing_attachments, save_attachment
from archive.db import CRAWL_BUSY_RETRIES, CRAWL_BUSY_TIMEOUT, describe, open_archive
from archive.errors import ArchiveError
from archive.models import Known, Run, SaveResult
from archive.read import Archive
from archive.record import DocumentRecord
from archive.save import EXACT_ONLY, Identity, save_record

logger = logging.getLogger(__name__)

FINISHED = ("ok", "partial")

_LIVE: dict[str, weakref.WeakSet[ArchiveSession]] = {}
"""Open sessions by archive file: a session about to write first commits the others'
batches (they share the one SQLite write lock and the reactor thread)."""


class ArchiveSession:
    """The archive as one crawl sees it; ``ArchiveError`` on any storage failure."""

    opened = 0
    """Sessions opened in this process (tests count them)."""

    def __init__(self, path: str | Path, *, identity: Identity = EXACT_ONLY, store_raw: bool = True,
                 busy_timeout: float = CRAWL_BUSY_TIMEOUT, busy_retries: int = CRAWL_BUSY_RETRIES,
                 batch_size: int = 1, batch_seconds: float = 1.0, cache_kib: int | None = None) -> None:
        self.path = str(path)
        self.identity = identity
        self.store_raw = store_raw
        self.batch_size = max(1, int(batch_size))
        self.batch_seconds = float(batch_seconds)
        # quick_check: a session writes, and must not write into a damaged file (issue #17)
        self.db = open_archive(self.path, busy_timeout=busy_timeout, busy_retries=busy_retries, check=True)
        if cache_kib:  # the connection's page cache: what the crawl process holds of the archive at most
            self.db.conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self.reader = Archive(self.db)
        self.closed = False
        self.pending = 0
        """Documents saved in the open, uncommitted batch."""
        self._since = 0.0
        self._key = str(Path(self.path).resolve())
        _LIVE.setdefault(self._key, weakref.WeakSet()).add(self)
        ArchiveSession.opened += 1
        logger.debug("archive session opened on %s", self.path)

    # -- reads -------------------------------------------------------------------------------
    def known(self, canonical_urls: Iterable[str]) -> dict[str, Known]:
        return self.reader.known(canonical_urls)

    def has_finished_run(self, site: str) -> bool:
        """True once ``site`` has one run that ended ``ok`` or ``partial``."""
        return any(r.status in FINISHED for r in self.reader.runs(site=site, limit=50))

    def history(self, site: str, limit: int) -> list[Run]:
        return self.reader.runs(site=site, limit=limit)

    # -- writes ------------------------------------------------------------------------------
    def upsert_site(self, site: Any) -> None:
        self._claim()
        store.upsert_site(self.db, site)

    def start_run(self, site: str, *, trigger: str, pid: int) -> int:
        self._claim()
        return store.start_run(self.db, site, trigger=trigger, pid=pid)

    def finish_run(self, run_id: int, *, status: str, counts: Mapping[str, int],
                   stats: Mapping[str, Any], error: str = "") -> None:
        self._claim()
        store.finish_run(self.db, run_id, status=status, counts=counts, stats=stats, error=error)

    def save(self, record: DocumentRecord, *, run_id: int | None = None) -> SaveResult:
        """Save one document (a 304 only touches ``last_seen`` and the validators)."""
        if not self.store_raw and record.raw:
            record = replace(record, raw=b"")
        if self.batch_size <= 1:
            self._claim()
            return store.save_document(self.db, record, run_id=run_id, identity=self.identity)
        conn = self.db.conn
        if not conn.in_transaction:
            self._claim()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise ArchiveError(describe(self.path, exc)) from exc
            self.pending, self._since = 0, time.monotonic()
        try:
            conn.execute("SAVEPOINT archive_doc")
            result = save_record(conn, record, run_id, self.identity)
            conn.execute("RELEASE archive_doc")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO archive_doc")
                conn.execute("RELEASE archive_doc")
            if isinstance(exc, sqlite3.Error):
                raise ArchiveError(describe(self.path, exc)) from exc
            raise
        self.pending += 1
        if self.pending >= self.batch_size or time.monotonic() - self._since >= self.batch_seconds:
            self.flush()
        return result

    def flush(self) -> None:
        """Commit the open batch (``ArchiveError`` if the commit fails: the batch is lost)."""
        conn = self.db.conn
        if self.closed or not conn.in_transaction:
            self.pending = 0
            return
        n, self.pending = self.pending, 0
        try:
            conn.commit()
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise ArchiveError(f"{describe(self.path, exc)} ({n} documents of the batch not saved)") from exc
        logger.debug("archive session on %s: committed %d documents", self.path, n)

    def flush_if_due(self) -> None:
        """Commit the batch when it is older than ``batch_seconds`` (for a timer)."""
        if self.pending and time.monotonic() - self._since >= self.batch_seconds:
            self.flush()

    def _claim(self) -> None:
        """Commit every session's open batch on this file (this one's too): a write follows."""
        for other in list(_LIVE.get(self._key, ())):
            if other.pending:
                other.flush()

    def save_attachment(self, canonical_url: str, record: AttachmentRecord, *, run_id: int | None = None) -> int:
        """Save one attached file of an archived document (``archive/attachments.py``)."""
        if not self.store_raw and record.content:
            record = replace(record, content=None)
        self._claim()  # the document it belongs to is committed first, and no other batch blocks it
        return save_attachment(self.db, canonical_url, record, run_id=run_id)

    def missing_attachments(self, canonical_url: str, urls: list[str]) -> list[str]:
        """Those of ``urls`` not stored yet (or whose fetch failed) for the document."""
        return missing_attachments(self.db.conn, canonical_url, urls)

    def close(self) -> None:
        if not self.closed:
            try:
                self.flush()
            finally:
                self.closed = True
                _LIVE.get(self._key, weakref.WeakSet()).discard(self)
                self.db.conn.close()
            logger.debug("archive session on %s closed", self.path)

    def __enter__(self) -> ArchiveSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
