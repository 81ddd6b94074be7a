"""``UrlSet``: a set of URLs on disk, so a crawl's frontier costs no memory per URL.

A crawl remembers every URL it has scheduled (the spider's own dupefilter).  As a
Python ``set`` that is ~170 bytes per URL, growing with the crawl (34 MB at 200k
articles).  ``UrlSet`` keeps them in a private temporary SQLite database instead
(``sqlite3.connect("")``: an on-disk file that SQLite deletes when the connection
closes, or at once on a kill since it is unlinked while open), so the process holds
only its page cache, ``cache_kib`` at most, whatever the number of URLs.

It is not part of the archive file and never touches it; it lives here because only
``archive/`` speaks SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

CACHE_KIB = 1024
"""Page cache of one set; the rest of the set stays in its temporary file."""


class UrlSet:
    """``add`` / ``in`` / ``len`` over strings, stored in a temporary SQLite file."""

    def __init__(self, urls: Iterable[str] = (), *, cache_kib: int = CACHE_KIB) -> None:
        self._conn: sqlite3.Connection | None = sqlite3.connect("", isolation_level=None,
                                                                check_same_thread=False)
        conn = self._conn
        conn.execute(f"PRAGMA cache_size = -{max(64, int(cache_kib))}")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("CREATE TABLE urls (url TEXT PRIMARY KEY) WITHOUT ROWID")
        self._len = 0
        for url in urls:
            self.add(url)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("UrlSet is closed")
        return self._conn

    def add(self, url: str) -> bool:
        """Add ``url``; True when it was not in the set yet."""
        conn = self._db()
        before = conn.total_changes
        conn.execute("INSERT OR IGNORE INTO urls (url) VALUES (?)", (url,))
        added = conn.total_changes != before
        self._len += added
        return added

    def __contains__(self, url: object) -> bool:
        if not isinstance(url, str):
            return False
        return self._db().execute("SELECT 1 FROM urls WHERE url = ?", (url,)).fetchone() is not None

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        for (url,) in self._db().execute("SELECT url FROM urls"):
            yield url

    def memory_bytes(self) -> int:
        """Bytes of the set's page cache in use (an upper bound: pages held, free or not)."""
        conn = self._db()
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        cache = int(conn.execute("PRAGMA cache_size").fetchone()[0])
        held = -cache * 1024 // size if cache < 0 else cache
        return min(pages, held) * size

    def close(self) -> None:
        """Drop the set (its temporary file goes with the connection)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> UrlSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
