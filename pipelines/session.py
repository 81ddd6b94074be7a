"""The crawl's one ``ArchiveSession``, built from ``ARCHIVE_PATH`` on first use.

Every component of a crawl that touches the archive (the incremental middleware,
the archive pipeline, the run record, the monitors) asks ``session_for(crawler)``
and gets the same session; it is closed when the crawler's engine stops, after
the run record is written.  A failure to open is remembered, so it is reported
once per component and never retried ten times.
"""

from __future__ import annotations

import logging
import sys
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler

from archive import ArchiveError
from archive.db import CRAWL_BUSY_RETRIES, CRAWL_BUSY_TIMEOUT
from archive.save import Identity
from archive.session import ArchiveSession
from pipelines import fingerprint

logger = logging.getLogger(__name__)

_SESSIONS: WeakKeyDictionary[Crawler, ArchiveSession] = WeakKeyDictionary()
_ERRORS: WeakKeyDictionary[Crawler, ArchiveError] = WeakKeyDictionary()


def identity_for(near: bool) -> Identity:
    """The identity policy of a crawl: exact always, near-duplicates with ``DEDUP_NEAR_ENABLED``."""
    if not near:
        return Identity()
    return Identity(near_threshold=fingerprint.NEAR_THRESHOLD, similarity=fingerprint.similarity_bytes)


def session_for(crawler: Crawler) -> ArchiveSession:
    """The crawl's session (``ArchiveError`` when the archive cannot be opened)."""
    session = _SESSIONS.get(crawler)
    if session is not None:
        return session
    if crawler in _ERRORS:
        raise _ERRORS[crawler]
    settings = crawler.settings
    near = settings.getbool("DEDUP_ENABLED", True) and settings.getbool("DEDUP_NEAR_ENABLED", True)
    try:
        session = ArchiveSession(settings.get("ARCHIVE_PATH"), identity=identity_for(near),
                                 store_raw=settings.getbool("ARCHIVE_STORE_RAW", True),
                                 busy_timeout=settings.getfloat("ARCHIVE_BUSY_TIMEOUT", CRAWL_BUSY_TIMEOUT),
                                 busy_retries=settings.getint("ARCHIVE_BUSY_RETRIES", CRAWL_BUSY_RETRIES),
                                 batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 50),
                                 batch_seconds=settings.getfloat("ARCHIVE_BATCH_SECONDS", 1.0),
                                 cache_kib=1024 * settings.getint("ARCHIVE_CACHE_MIB", 16))
    except ArchiveError as exc:
        _ERRORS[crawler] = exc
        raise
    _SESSIONS[crawler] = session
    timer = _flush_timer(session)
    if timer is not None:
        crawler.signals.connect(lambda: timer.running and timer.stop(), signal=signals.engine_stopped, weak=False)
    crawler.signals.connect(session.close, signal=signals.engine_stopped)
    return session


def _flush_timer(session: ArchiveSession) -> Any:
    """Commit a batch older than ``ARCHIVE_BATCH_SECONDS`` even when no further page comes."""
    if session.batch_size <= 1 or "twisted.internet.reactor" not in sys.modules:
        return None  # importing twisted.internet.reactor would install the default reactor
    from twisted.internet import reactor, task

    def tick() -> None:
        try:
            session.flush_if_due()
        except ArchiveError as exc:
            logger.error("archive commit failed: %s", exc)

    timer = task.LoopingCall(tick)
    timer.clock = reactor
    timer.start(max(0.05, session.batch_seconds / 2), now=False)
    return timer
