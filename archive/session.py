"""One crawl's session with the archive: one connection for every read and write.

A crawl used to open the archive about ten times (spider, dedup, monitors, run
record, runner).  ``ArchiveSession`` is built once from the archive path, answers
the incremental questions (which URLs are known, has the site a finished run,
the run history), opens and closes the run record, and saves documents, each in
its own transaction with identity decided inside it.  ``close`` ends it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from archive import store
from archive.attachments import AttachmentRecord, missing_attachments, save_attachment
from archive.db import CRAWL_BUSY_RETRIES, CRAWL_BUSY_TIMEOUT, open_archive
from archive.models import Known, Run, SaveResult
from archive.read import Archive
from archive.record import DocumentRecord
from archive.save import EXACT_ONLY, Identity

logger = logging.getLogger(__name__)

FINISHED = ("ok", "partial")


class ArchiveSession:
    """The archive as one crawl sees it; ``ArchiveError`` on any storage failure."""

    opened = 0
    """Sessions opened in this process (tests count them)."""

    def __init__(self, path: str | Path, *, identity: Identity = EXACT_ONLY, store_raw: bool = True,
                 busy_timeout: float = CRAWL_BUSY_TIMEOUT, busy_retries: int = CRAWL_BUSY_RETRIES) -> None:
        self.path = str(path)
        self.identity = identity
        self.store_raw = store_raw
        # quick_check: a session writes, and must not write into a damaged file (issue #17)
        self.db = open_archive(self.path, busy_timeout=busy_timeout, busy_retries=busy_retries, check=True)
        self.reader = Archive(self.db)
        self.closed = False
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
        store.upsert_site(self.db, site)

    def start_run(self, site: str, *, trigger: str, pid: int) -> int:
        return store.start_run(self.db, site, trigger=trigger, pid=pid)

    def finish_run(self, run_id: int, *, status: str, counts: Mapping[str, int],
                   stats: Mapping[str, Any], error: str = "") -> None:
        store.finish_run(self.db, run_id, status=status, counts=counts, stats=stats, error=error)

    def save(self, record: DocumentRecord, *, run_id: int | None = None) -> SaveResult:
        """Save one document (a 304 only touches ``last_seen`` and the validators)."""
        if not self.store_raw and record.raw:
            record = replace(record, raw=b"")
        return store.save_document(self.db, record, run_id=run_id, identity=self.identity)

    def save_attachment(self, canonical_url: str, record: AttachmentRecord, *, run_id: int | None = None) -> int:
        """Save one attached file of an archived document (``archive/attachments.py``)."""
        if not self.store_raw and record.content:
            record = replace(record, content=None)
        return save_attachment(self.db, canonical_url, record, run_id=run_id)

    def missing_attachments(self, canonical_url: str, urls: list[str]) -> list[str]:
        """Those of ``urls`` not stored yet (or whose fetch failed) for the document."""
        return missing_attachments(self.db.conn, canonical_url, urls)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.db.conn.close()
            logger.debug("archive session on %s closed", self.path)

    def __enter__(self) -> ArchiveSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
