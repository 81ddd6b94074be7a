"""``Archive.search``: user query -> FTS5 MATCH over the bigram index -> ranked hits.

The user expression is confined to the title and body columns.  Filters are tokens
of the hidden ``meta`` column (``archive.fts.meta_text``), intersected inside FTS5:
``site=`` is the site's token, ``since=``/``until=`` the fewest year, month and day
tokens covering the range (or NOT those outside it, whichever spans less time), so
a date filter is exact without reading ``documents``.  Only a datetime bound, or an
archive holding a ``published`` that is not a ``YYYY-MM-DD…`` date, adds a check of
``documents.published`` per match.

Ranking: when more than ``window`` documents match, only the ``window`` most
recently archived matches are ranked.  They are ranked by bm25 (title weighted
``fts.TITLE_WEIGHT`` times the body) unless that would be slow.  FTS5's bm25 counts,
on every query, the documents of the whole archive holding each phrase of the
expression (for its IDF), about 0.2 µs a document, and then scores each row, 1–3 µs:
a word found in most of a million documents costs 0.2 s before one hit is scored.
So the cost is estimated first (documents per phrase from the density of its newest
matches); filters are left out of the bm25 statement when that is cheaper (the
filtered window is then fetched once and the user's words alone are scored); and
when even the cheaper plan exceeds ``BM25_BUDGET_US``, the window is ranked by
recency: documents whose title matches first, then the others, newest archived first.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from archive import fts
from archive.db import describe
from archive.errors import ArchiveError, SearchQueryError
from archive.models import SearchHit

if TYPE_CHECKING:
    from archive.read import Archive

logger = logging.getLogger(__name__)

BM25_BUDGET_US = 20_000
"""Estimated bm25 cost (µs, on the 2-core reference machine) above which the window is ranked by recency."""
COUNT_US = 0.25
"""bm25's document count for the IDF, per document of a phrase's rarest token and per token."""
SCORE_US = 3.0
"""bm25 scoring, per ranked row and query token."""
PROBE = 1_000
"""Newest matches read to estimate how many documents hold a phrase."""
RECENCY_TITLE = -1.0
"""``SearchHit.rank`` of a title match when the window is ranked by recency (the others: 0.0)."""
_ROWID = "documents_fts.rowid"
_QUOTED = re.compile(r'"[^"]*"\*?')


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def _irregular(reader: Archive) -> bool:
    """Whether an indexed document has a ``published`` that is not a ``YYYY-MM-DD…`` date."""
    return reader.conn.execute(
        "SELECT 1 FROM documents_fts WHERE documents_fts MATCH ? LIMIT 1",
        (f'meta : ("{fts.IRREGULAR}")',)).fetchone() is not None


def date_expr(reader: Archive, bounds: list[tuple[str, str, bool]], exact: list[tuple[str, str]]) -> str | None:
    """The meta filter for date ``bounds`` (``(operator, value, is_since)`` from ``Archive._filters``).

    Appends to ``exact`` the ``documents.published`` checks still needed; None: no
    document can match.
    """
    first = last = None
    for op, val, is_since in bounds:
        day = _day(val)
        whole_day = len(val) == 10 and day is not None
        if is_since:
            first = day
        else:  # a bare date until is "< the next day"
            last = day - timedelta(days=1) if (day and op == "<" and whole_day) else day
        if not whole_day:
            exact.append((op, val))  # a datetime: its day's tokens are a superset
    lo = reader._exec("SELECT min(published) FROM documents WHERE published >= '0'").fetchone()[0]
    hi = reader._exec("SELECT max(published) FROM documents WHERE published >= '0'").fetchone()[0]
    lowest, highest = _day(lo), _day(hi)
    if lowest is None or highest is None or _irregular(reader):
        exact[:] = [(op, val) for op, val, _ in bounds]  # rows decide; no token filter
        return ""
    return fts.date_filter(first, last, lowest, highest)


def _estimate(reader: Archive, expr: str, newest: int) -> int:
    """Documents matching ``expr``: exact below ``PROBE``, else from its newest ``PROBE`` matches."""
    row = reader.conn.execute(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid DESC"
        " LIMIT 1 OFFSET ?", (expr, PROBE - 1)).fetchone()
    if row is None:
        return int(reader.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
            " LIMIT ?)", (expr, PROBE)).fetchone()[0])
    return PROBE * newest // max(1, newest - int(row[0]) + 1)


def search(
    reader: Archive, query: str, *, site: str | None = None, since: str | date | None = None,
    until: str | date | None = None, limit: int = 20, mark: tuple[str, str] = ("[", "]"),
    window: int | None = 2_000,
) -> list[SearchHit]:
    """Hits for ``query`` (syntax: ``archive.fts.parse_query``), best first."""
    q = fts.parse_query(query)
    where, params = reader._filters(since=since, until=until)
    bounds = [(w.split()[1], str(v), i == 0 and since is not None) for i, (w, v) in enumerate(zip(where, params))]
    limit = max(1, int(limit))
    try:
        ranked = _ranked(reader, q, site, bounds, limit, window)
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


def _ranked(reader: Archive, q: fts.Query, site: str | None, bounds: list[tuple[str, str, bool]],
            limit: int, window: int | None) -> list[tuple[int, float]]:
    exact: list[tuple[str, str]] = []
    dates = date_expr(reader, bounds, exact) if bounds else ""
    if dates is None:
        return []
    parts = ([" AND", f'meta : ("{fts.site_token(site)}")'] if site else []) + (
        [dates[:4], dates[5:]] if dates else [])
    filters = "".join(f"{op} {expr}" for op, expr in zip(parts[::2], parts[1::2]))
    words = fts.scoped(q.match)
    join = " JOIN documents d ON d.id = documents_fts.rowid" if exact else ""
    base = f"FROM documents_fts{join} WHERE documents_fts MATCH ?" + "".join(
        f" AND d.published {op} ?" for op, _ in exact)
    args: list[Any] = [words + filters, *(v for _, v in exact)]
    first = None
    if window:  # the window's rows: every later step is bounded by its oldest one
        newest_rows = [int(r[0]) for r in reader.conn.execute(
            f"SELECT {_ROWID} {base} ORDER BY {_ROWID} DESC LIMIT ?", (*args, window))]
        if not newest_rows:
            return []
        first = newest_rows[-1]
        base += f" AND {_ROWID} >= ?"
        args.append(first)
    # What bm25 would cost: counting every phrase's documents, then scoring the rows.
    newest = int(reader._exec("SELECT max(id) FROM documents").fetchone()[0] or 0)
    budget = BM25_BUDGET_US / COUNT_US
    # bm25 walks each phrase's rarest token list (skipping ahead in the others) and checks
    # the positions of all its tokens there: cost ~ rarest list x tokens, per phrase.
    tokens = 0
    words_docs = 0
    for phrase in q.phrases:
        quoted = _QUOTED.findall(phrase)
        rarest = min(_estimate(reader, f"{{title body}} : ({t})", newest) for t in quoted)
        words_docs += rarest * len(quoted)
        tokens += len(quoted)
        if words_docs > budget:
            break
    rows = min(window or words_docs, words_docs)
    cost = words_docs * COUNT_US + rows * SCORE_US * tokens
    plan = "bm25"
    if filters:
        filter_docs = sum(_estimate(reader, expr, newest) for expr in parts[1::2])
        # Leaving the filters out: the user's words are scored on every row of the window's range.
        span = newest - first + 1 if first is not None else newest
        in_range = words_docs * span // max(1, newest)
        cost_with = cost + filter_docs * COUNT_US
        cost_without = words_docs * COUNT_US + in_range * SCORE_US * tokens
        cost, plan = (cost_with, "bm25") if cost_with <= cost_without else (cost_without, "bm25 words")
    if cost > BM25_BUDGET_US:
        plan = "recency"
    logger.debug("search plan %s: %s (estimated bm25 cost %.0f µs, %d documents hold the words)",
                 plan, q.match, cost, words_docs)
    if plan == "recency":
        return _by_recency(reader, fts.scoped(q.match, columns="title") + filters, base, args, limit)
    score = f"bm25(documents_fts, {fts.TITLE_WEIGHT}, 1.0, 0.0)"
    if plan == "bm25":
        return [(int(i), float(s)) for i, s in reader.conn.execute(
            f"SELECT {_ROWID}, {score} AS score {base} ORDER BY score LIMIT ?", (*args, limit))]
    wanted = {int(r[0]) for r in reader.conn.execute(f"SELECT {_ROWID} {base}", args)}
    out: list[tuple[int, float]] = []
    lowest = min(wanted, default=0)
    for i, s in reader.conn.execute(
            f"SELECT rowid, {score} AS score FROM documents_fts WHERE documents_fts MATCH ?"
            " AND rowid >= ? ORDER BY score", (words, lowest)):
        if i in wanted:
            out.append((int(i), float(s)))
            if len(out) == limit:
                break
    return out


def _by_recency(reader: Archive, title_match: str, base: str, args: list[Any],
                limit: int) -> list[tuple[int, float]]:
    """Title matches first, then the other matches, each newest archived first."""
    order = f" ORDER BY {_ROWID} DESC LIMIT ?"
    title = [int(r[0]) for r in reader.conn.execute(f"SELECT {_ROWID} {base}{order}",
                                                     (title_match, *args[1:], limit))]
    out = [(i, RECENCY_TITLE) for i in title]
    if len(out) < limit:
        seen = set(title)
        for (i,) in reader.conn.execute(f"SELECT {_ROWID} {base}{order}", (*args, limit + len(title))):
            if i not in seen and len(out) < limit:
                out.append((int(i), 0.0))
    return out
