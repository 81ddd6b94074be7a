"""``Archive.search``: user query -> FTS5 MATCH over the bigram index -> ranked hits.

The user expression is confined to the title and body columns; a site filter and
a ``since`` filter become tokens of the hidden ``meta`` column (site, publication
month), so they are intersected inside FTS5 instead of row by row; ``since`` is
then applied exactly on ``documents.published``.  Ranking is bm25 with the title
weighted ``fts.TITLE_WEIGHT`` times the body.  When more than ``window``
documents match, only the ``window`` most recently archived matches are ranked:
bm25 costs a few microseconds per match, so 发展 in a million documents would
otherwise take seconds.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any

from archive import fts
from archive.db import describe
from archive.errors import ArchiveError, SearchQueryError
from archive.models import SearchHit

if TYPE_CHECKING:
    from archive.read import Archive

logger = logging.getLogger(__name__)

MAX_MONTHS = 600
"""Beyond this many month tokens, ``since`` is applied by the exact filter alone."""


def months_since(reader: Archive, since: str | None) -> list[str] | None:
    """Month tokens from ``since`` to the newest publication month (None: no month filter)."""
    first = fts.month_token(since) if since else None
    if first is None:
        return None
    row = reader._exec("SELECT max(published) FROM documents").fetchone()
    last = fts.month_token(row[0] if row else None)
    if last is None or last < first:
        return ["m000000"]  # nothing published since then
    y, m = int(first[1:5]), int(first[5:7])
    months: list[str] = []
    while (tok := f"m{y:04d}{m:02d}") <= last:
        months.append(tok)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if len(months) > MAX_MONTHS:
            return None  # a bogus far-future date: rely on the exact filter alone
    return months


def search(
    reader: Archive, query: str, *, site: str | None = None, since: str | date | None = None,
    until: str | date | None = None, limit: int = 20, mark: tuple[str, str] = ("[", "]"),
    window: int | None = 5_000,
) -> list[SearchHit]:
    """Hits for ``query`` (syntax: ``archive.fts.parse_query``), best first."""
    q = fts.parse_query(query)
    where, params = reader._filters(since=since, until=until)
    match = fts.scoped(q.match, site=site, months=months_since(reader, params[0] if since else None))
    join = " JOIN documents d ON d.id = documents_fts.rowid" if where else ""
    base = f"FROM documents_fts{join} WHERE documents_fts MATCH ?" + "".join(
        " AND " + w for w in where)
    args: list[Any] = [match, *params]
    try:
        if window:
            row = reader.conn.execute(
                f"SELECT documents_fts.rowid {base} ORDER BY documents_fts.rowid DESC"
                " LIMIT 1 OFFSET ?", (*args, window - 1)).fetchone()
            if row is not None:
                base += " AND documents_fts.rowid >= ?"
                args.append(row[0])
        ranked = reader.conn.execute(
            f"SELECT documents_fts.rowid, bm25(documents_fts, {fts.TITLE_WEIGHT}, 1.0, 0.0) AS score"
            f" {base} ORDER BY score LIMIT ?", (*args, max(1, int(limit)))).fetchall()
    except sqlite3.OperationalError as exc:
        msg = " ".join(str(exc).split())
        if "fts5" in msg.lower() or "syntax" in msg.lower() or "match" in msg.lower():
            raise SearchQueryError(f"search query {query!r} rejected: {msg}") from None
        raise ArchiveError(describe(reader.label, exc)) from exc
    except sqlite3.Error as exc:  # a damaged file: "database disk image is malformed"
        raise ArchiveError(describe(reader.label, exc)) from exc
    docs = reader._docs_by_id([r[0] for r in ranked])
    return [
        SearchHit(doc, float(rank), fts.snippet(doc.body, q.terms, mark=mark))
        for doc_id, rank in ranked
        if (doc := docs.get(doc_id)) is not None
    ]
