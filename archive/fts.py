"""Chinese full-text search on FTS5 with CJK bigrams.

SQLite cannot load a custom tokenizer from Python, so text is tokenized here and
FTS5 (``tokenize='ascii'``: splits on ASCII spaces and punctuation only) indexes
the result.  ``index_text`` turns each run of CJK characters into its overlapping
bigrams followed by the run's last character (``营商环境`` -> ``营商 商环 环境 境``),
so every character of the text starts exactly one token; latin words and numbers
are kept whole (lower-cased, NFKC-normalised).  A query word becomes an FTS5
phrase of the same tokens, without the trailing unigram: ``营商环境`` ->
``"营商" + "商环" + "环境"``; a single character ``税`` becomes the prefix query
``"税"*``.  The table is contentless, so deleting a row needs the same token text
it was indexed with: any change to the tokenizer needs a migration that calls
``rebuild``.
"""

from __future__ import annotations

import calendar
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from operator import add

from archive.errors import SearchQueryError

logger = logging.getLogger(__name__)

TITLE_WEIGHT = 5.0
"""bm25 weight of a title match relative to a body match (1.0)."""

_CJK = "\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN_RE = re.compile(f"([{_CJK}]+)|([0-9a-z\u00b5\u00c0-\u02af\u0370-\u052f]+)")
_FOLD_RANGES = (
    (0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x2070, 0x209F), (0x2150, 0x218F), (0x2460, 0x24FF),
    (0x2E80, 0x2FDF), (0x3200, 0x33FF), (0xF900, 0xFAFF), (0xFB00, 0xFB4F), (0xFF10, 0xFF19),
    (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0xFF66, 0xFFDC), (0x2F800, 0x2FA1F),
)
_FOLD = {
    cp: folded
    for lo, hi in _FOLD_RANGES
    for cp in range(lo, hi + 1)
    if (folded := unicodedata.normalize("NFKC", chr(cp))) != chr(cp)
}
_FOLD_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _FOLD_RANGES) + "]")
_QUERY_RE = re.compile(r'\s*(-?)(?:(title|body):)?(?:"([^"]*)"|(")|([^\s"]+))')


def normalize(text: str) -> str:
    """Lower case, with NFKC folding of full-width / compatibility characters.

    Only the ranges that change *tokens* are folded (full-width letters and
    digits, compatibility and radical ideographs, circled and enclosed forms...);
    punctuation is dropped by the tokenizer anyway, so the common case (plain
    Chinese with full-width punctuation) skips normalisation entirely.
    """
    if _FOLD_RE.search(text):
        text = text.translate(_FOLD)
    return text.lower()


def index_text(text: str) -> str:
    """The token text FTS5 indexes for ``text`` (see module docstring)."""
    out: list[str] = []
    for cjk, word in _TOKEN_RE.findall(normalize(text)):
        if cjk:
            out += map(add, cjk, cjk[1:])  # overlapping bigrams
            out.append(cjk[-1])
        else:
            out.append(word)
    return " ".join(out)


def query_tokens(text: str, prefix: bool = False) -> list[tuple[str, bool]]:
    """Tokens of one query word/phrase as ``(token, is_prefix)``, matching ``index_text``."""
    runs = _TOKEN_RE.findall(normalize(text))
    out: list[tuple[str, bool]] = []
    for i, (cjk, word) in enumerate(runs):
        last = i == len(runs) - 1
        if cjk:
            out.extend((cjk[j : j + 2], False) for j in range(len(cjk) - 1))
            if not last:
                out.append((cjk[-1], False))
            elif len(cjk) == 1:
                out.append((cjk, True))
        else:
            out.append((word, prefix and last))
    return out


def _phrase(tokens: list[tuple[str, bool]]) -> str:
    return " + ".join(f'"{tok}"' + ("*" if pre else "") for tok, pre in tokens)


@dataclass(frozen=True)
class Query:
    match: str
    """FTS5 MATCH expression built only from quoted tokens and operators."""
    terms: tuple[str, ...]
    """Positive terms as typed (normalised), for snippets and highlighting."""
    phrases: tuple[str, ...] = ()
    """Every phrase of ``match`` (excluded ones too) as its own MATCH expression."""


def parse_query(query: str) -> Query:
    """Turn user syntax into an FTS5 expression.

    Words separated by spaces must all match (AND, which may also be written);
    ``"..."`` is an exact phrase; ``-word`` or ``NOT word`` excludes; ``a OR b``
    matches either; ``title:word`` / ``body:word`` limit a term to one field;
    ``word*`` is a prefix search for latin words.  Operators are upper-case, as in
    FTS5; lower-case ``and``/``or``/``not`` are words.
    """
    text = query.strip()
    if not text:
        raise SearchQueryError("empty search query")
    groups: list[list[str]] = []
    negatives: list[str] = []
    terms: list[str] = []
    phrases: list[str] = []
    pending_or = pending_and = pending_not = False
    pos = 0
    while pos < len(text):
        m = _QUERY_RE.match(text, pos)
        if m is None:
            break
        pos = m.end()
        neg, column, quoted, stray, bare = m.groups()
        if stray:
            raise SearchQueryError(f"unbalanced quote in search query: {query!r}")
        if bare in ("title:", "body:") and not column:
            raise SearchQueryError(f"{bare} needs a word right after it ({bare}营商): {query!r}")
        if bare in ("OR", "AND", "NOT") and not neg and not column:
            if not (groups or negatives) or pending_or or pending_and or pending_not:
                raise SearchQueryError(f"{bare} needs a term on each side: {query!r}")
            pending_or, pending_and, pending_not = bare == "OR", bare == "AND", bare == "NOT"
            continue
        if pending_not:
            neg, pending_not = "-", False
        pending_and = False
        raw = quoted if quoted is not None else bare
        star = quoted is None and raw.endswith("*")
        tokens = query_tokens(raw, prefix=star)
        if not tokens:
            if pending_or:
                raise SearchQueryError(f"OR needs a term on each side: {query!r}")
            continue  # punctuation only: nothing to search for
        expr = _phrase(tokens)
        if column:
            expr = f"{column} : ({expr})"
        phrases.append(expr)
        if neg:
            negatives.append(expr)
        elif pending_or:
            groups[-1].append(expr)
        else:
            groups.append([expr])
        if not neg:
            terms.append(normalize(raw.rstrip("*")).strip())
        pending_or = False
    if pending_or or pending_and or pending_not:
        last = "OR" if pending_or else "AND" if pending_and else "NOT"
        raise SearchQueryError(f"{last} needs a term on each side: {query!r}")
    if not groups:
        if negatives:
            raise SearchQueryError(f"search query has only excluded terms: {query!r}")
        raise SearchQueryError(f"search query has no searchable words: {query!r}")
    parts = [g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups]
    match = " AND ".join(parts)
    if negatives:
        match = f"({match})" + "".join(f" NOT {n}" for n in negatives)
    return Query(match, tuple(t for t in terms if t), tuple(phrases))


def _term_pattern(term: str) -> str | None:
    runs = [a or b for a, b in _TOKEN_RE.findall(term)]
    if not runs:
        return None
    return r"[\W_]*".join(re.escape(r) for r in runs)


def snippet(body: str, terms: Iterable[str], *, width: int = 120, mark: tuple[str, str] = ("[", "]")) -> str:
    """About ``width`` characters of the real body around the first term found, terms marked."""
    flat = " ".join(body.split())
    pats = [p for p in (_term_pattern(t) for t in terms) if p]
    rx = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) if pats else None
    first = rx.search(flat) if rx else None
    start = 0 if first is None else max(0, first.start() - width // 3)
    end = min(len(flat), start + width)
    start = max(0, min(start, end - width))
    window = flat[start:end]
    if rx is not None:
        window = rx.sub(lambda m: f"{mark[0]}{m.group(0)}{mark[1]}", window)
    return ("…" if start > 0 else "") + window + ("…" if end < len(flat) else "")


# -- index maintenance (called inside store transactions) ---------------------------------
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
UNDATED = "dnone"
"""Meta token of a document without a publication date (``published`` NULL)."""
IRREGULAR = "dbad"
"""Meta token of a document whose ``published`` does not start with a valid ``YYYY-MM-DD``."""


def site_token(site: str) -> str:
    """One ascii-tokenizer token per site slug (hex, since ``_`` would split it)."""
    return "s" + site.encode("utf-8").hex()


def month_token(published: str | None) -> str | None:
    m = _MONTH_RE.match(published or "")
    return f"m{m.group(1)}{m.group(2)}" if m else None


def date_tokens(published: str | None) -> list[str]:
    """Publication-date tokens: year ``y2026``, month ``m202605`` and day ``d20260515``.

    A document without a date (NULL) gets ``UNDATED``; one whose ``published`` does
    not start with a valid ``YYYY-MM-DD`` (``''`` too) gets ``IRREGULAR``, and search
    then checks the dates of its rows instead of trusting tokens.
    """
    if published is None:
        return [UNDATED]
    m = _DATE_RE.match(published)
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        day = None
    if day is None:
        return [IRREGULAR]
    return [f"y{day:%Y}", f"m{day:%Y%m}", f"d{day:%Y%m%d}"]


def meta_text(site: str, published: str | None) -> str:
    """The hidden ``meta`` column: site and publication-date tokens for exact, fast filters."""
    return " ".join([site_token(site), *date_tokens(published)])


def index_document(conn: sqlite3.Connection, doc_id: int, title: str, body: str, meta: str) -> None:
    conn.execute(
        "INSERT INTO documents_fts (rowid, title, body, meta) VALUES (?, ?, ?, ?)",
        (doc_id, index_text(title), index_text(body), meta),
    )


def unindex_document(conn: sqlite3.Connection, doc_id: int, title: str, body: str, meta: str) -> None:
    """Remove a row from the contentless index; needs exactly the values it was indexed with."""
    conn.execute(
        "INSERT INTO documents_fts (documents_fts, rowid, title, body, meta)"
        " VALUES ('delete', ?, ?, ?, ?)",
        (doc_id, index_text(title), index_text(body), meta),
    )


def with_attachments(conn: sqlite3.Connection, doc_id: int, body: str) -> str:
    """The body column's text: the document body, then its attachments' text (by id).

    Index and unindex both go through here, so the contentless row is always
    deleted with the text it was indexed with; ``archive.attachments`` re-indexes
    the document whenever an attachment's text changes.
    """
    texts = [t for (t,) in conn.execute(
        "SELECT text FROM attachments WHERE document_id = ? AND text != '' ORDER BY id", (doc_id,))]
    return "\n".join([body, *texts]) if texts else body


def rebuild(conn: sqlite3.Connection, batch: int = 2_000) -> int:
    """Re-index every non-duplicate document (after a tokenizer change or corruption).

    Reads the documents in id batches, so memory stays bounded on a large archive.
    """
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
    n, last = 0, -1
    while True:
        rows = conn.execute(
            "SELECT id, title, body, site, published FROM documents"
            " WHERE duplicate_of IS NULL AND id > ? ORDER BY id LIMIT ?", (last, batch)).fetchall()
        if not rows:
            return n
        for doc_id, title, body, site, published in rows:
            index_document(conn, doc_id, title, with_attachments(conn, doc_id, body), meta_text(site, published))
        n += len(rows)
        last = rows[-1][0]


def scoped(match: str, *, site: str | None = None, dates: str = "", columns: str = "title body") -> str:
    """Limit a user expression to ``columns``, AND the site token, append ``dates`` (``date_filter``)."""
    expr = f"{{{columns}}} : ({match})"
    if site:
        expr += f' AND meta : ("{site_token(site)}")'
    return expr + dates


def cover(first: date, last: date) -> list[str]:
    """The fewest year, month and day tokens whose days are exactly ``first`` to ``last``."""
    out: list[str] = []
    d = first
    while d <= last:
        month_end = date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
        if d.month == 1 and d.day == 1 and date(d.year, 12, 31) <= last:
            out.append(f"y{d.year:04d}")
            end = date(d.year, 12, 31)
        elif d.day == 1 and month_end <= last:
            out.append(f"m{d.year:04d}{d.month:02d}")
            end = month_end
        else:
            out.append(f"d{d.year:04d}{d.month:02d}{d.day:02d}")
            end = d
        if end >= last:  # never step past date.max
            break
        d = end + timedelta(days=1)
    return out


def _any(tokens: list[str]) -> str:
    return "meta : (" + " OR ".join(f'"{t}"' for t in tokens) + ")"


def date_filter(first: date | None, last: date | None, lowest: date, highest: date) -> str | None:
    """The meta filter for publication days ``first``..``last`` (None: an open end).

    ``lowest``/``highest`` are the archive's earliest and latest publication days.
    The shorter of two exact forms: `` AND meta : (days in range)`` or
    `` NOT meta : (days outside it, and "dnone")``, so the filter's tokens never span
    more than half of the archive's time.  None: no day is in range.
    """
    lo = max(first or lowest, lowest)
    hi = min(last or highest, highest)
    if lo > hi:
        return None
    inside = (hi - lo).days + 1
    outside = (lo - lowest).days + (highest - hi).days
    # No document lies outside lowest..highest: widen the ends there to whole years (fewer tokens).
    start, end = date(lowest.year, 1, 1), date(highest.year, 12, 31)
    if inside <= outside:
        return " AND " + _any(cover(start if lo == lowest else lo, end if hi == highest else hi))
    out = [UNDATED]
    if lo > lowest:
        out += cover(start, lo - timedelta(days=1))
    if hi < highest:
        out += cover(hi + timedelta(days=1), end)
    return " NOT " + _any(out)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the FTS index segments into one (faster queries after bulk loads)."""
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")

