"""Read API: plain frozen dataclasses out, never sqlite rows.

``Archive(path)`` opens the file read-only (``mode=ro``, ``query_only``): it never
migrates and never writes, so it is safe next to a running crawl.  Each query
runs in its own WAL snapshot and sees only committed documents.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from archive.db import archive_label, describe, open_archive, open_notice
from archive.errors import ArchiveError
from archive.models import (
    DOCUMENT_COLUMNS,
    RUN_COLUMNS,
    Attachment,
    Candidate,
    Document,
    Known,
    RawPage,
    Revision,
    Run,
    SearchHit,
    Site,
    SiteStats,
    document_from_row,
    loads,
    run_from_row,
)

if TYPE_CHECKING:
    from archive.read_structure import DocumentRefs, Reference, StoredTranscript, TurnHit

logger = logging.getLogger(__name__)

RANK_WINDOW = 2_000
"""Most recent matches ranked by ``search`` (see its docstring)."""
CHUNK = 500
"""Host parameters per ``IN (...)`` batch, far below SQLite's variable limit."""

_DOC_SELECT = "SELECT " + ", ".join(f"d.{c}" for c in DOCUMENT_COLUMNS) + " FROM documents d"
_RUN_SELECT = "SELECT " + ", ".join(RUN_COLUMNS) + " FROM runs"


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _bound(value: str | date | datetime, *, upper: bool) -> tuple[str, str]:
    """(operator, value) comparing ``published``; a bare date bound includes that whole day."""
    if isinstance(value, datetime):
        return ("<=" if upper else ">="), value.isoformat()
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return ("<", (day + timedelta(days=1)).isoformat()) if upper else (">=", text)
        datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO date or datetime: {value!r}") from None
    return ("<=" if upper else ">="), text


def _region_clause(region: str) -> tuple[str, str]:
    """``440000`` -> every code starting ``44`` (the province); non-numeric codes match exactly."""
    code = region.strip()
    if code.isdigit():
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
        return "d.region_code LIKE ?", code + "%"
    return "d.region_code = ?", code


class Archive:
    """Read access to an archive; pass a path (opened read-only) or an open ``Database``."""

    def __init__(self, source: str | Path | Database) -> None:
        if isinstance(source, Database):
            self.db, self._owned = source, False
        else:
            self.db, self._owned = open_archive(source, readonly=True), True
        self.conn: sqlite3.Connection = self.db.conn
        self.label = archive_label(self.db)
        self.notice = open_notice(self.db)
        """Set when the archive had to be opened ``immutable`` (a read-only location)."""
        self._streams: weakref.WeakSet[Iterator[Any]] = weakref.WeakSet()

    def close(self) -> None:
        """Close the connection; generators still suspended over it are closed first."""
        for gen in list(self._streams):
            gen.close()  # type: ignore[attr-defined]
        if self._owned:
            self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ------------------------------------------------------------------------------
    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise ArchiveError(describe(self.label, exc)) from exc

    def _tracked(self, gen: Iterator[Any]) -> Iterator[Any]:
        """Register a streaming generator so ``close()`` ends it before the connection goes."""
        self._streams.add(gen)
        return gen

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        cur = self._exec(sql, params)
        try:
            while rows := cur.fetchmany(256):
                yield from rows
        except sqlite3.ProgrammingError:
            return  # the connection was closed under a consumer that stopped early
        except sqlite3.Error as exc:
            raise ArchiveError(describe(self.label, exc)) from exc
        finally:
            try:
                cur.close()
            except sqlite3.ProgrammingError:
                pass  # already closed with its connection

    def _docs_by_id(self, ids: Sequence[int]) -> dict[int, Document]:
        out: dict[int, Document] = {}
        for chunk in _chunks(list(ids)):
            for row in self._exec(f"{_DOC_SELECT} WHERE d.id IN ({_marks(len(chunk))})", chunk):
                out[row[0]] = document_from_row(row)
        return out

    # -- used by the crawl (incremental + dedup) ---------------------------------------------
    def known(self, canonical_urls: Iterable[str]) -> dict[str, Known]:
        """What the archive knows about these canonical URLs (absent ones are left out)."""
        urls = list(dict.fromkeys(canonical_urls))
        out: dict[str, Known] = {}
        for chunk in _chunks(urls):
            for row in self._exec(
                "SELECT id, canonical_url, last_seen, first_seen, published, etag, last_modified,"
                f" body_hash, title FROM documents WHERE canonical_url IN ({_marks(len(chunk))})",
                chunk,
            ):
                out[row[1]] = Known(*row)
        return out

    def find_hash(self, body_hash: str) -> str | None:
        """Canonical URL of the first (lowest id) non-duplicate document with this body hash."""
        row = self._exec(
            "SELECT canonical_url FROM documents WHERE body_hash = ? AND duplicate_of IS NULL"
            " ORDER BY id LIMIT 1",
            (body_hash,),
        ).fetchone()
        return row[0] if row else None

    def near_candidates(self, band_keys: Sequence[int], *, limit: int = 50) -> list[Candidate]:
        """Documents sharing at least one MinHash band key, most shared bands first."""
        keys = list(dict.fromkeys(int(k) for k in band_keys))
        shared: Counter[int] = Counter()
        for chunk in _chunks(keys):
            for doc_id, n in self._exec(
                "SELECT document_id, count(*) AS n FROM minhash_bands"
                f" WHERE band_key IN ({_marks(len(chunk))})"
                " GROUP BY document_id ORDER BY n DESC, document_id LIMIT ?",
                (*chunk, limit),
            ):
                shared[doc_id] += n
        top = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        if not top:
            return []
        rows = {
            r[0]: r
            for r in self._exec(
                "SELECT id, canonical_url, site, minhash, cluster_id, published FROM documents"
                f" WHERE id IN ({_marks(len(top))})",
                [d for d, _ in top],
            )
        }
        return [
            Candidate(i, r[1], r[2], r[3] or b"", r[4] if r[4] is not None else i, r[5], n)
            for i, n in top
            if (r := rows.get(i)) is not None
        ]

    # -- documents ----------------------------------------------------------------------------
    def get(self, url: str) -> Document | None:
        """A document by canonical URL, or else by URL as fetched."""
        row = self._exec(f"{_DOC_SELECT} WHERE d.canonical_url = ?", (url,)).fetchone()
        if row is None:
            row = self._exec(f"{_DOC_SELECT} WHERE d.url = ? ORDER BY d.id LIMIT 1", (url,)).fetchone()
        return document_from_row(row) if row else None

    def document(self, document_id: int) -> Document | None:
        """A document by id."""
        row = self._exec(f"{_DOC_SELECT} WHERE d.id = ?", (int(document_id),)).fetchone()
        return document_from_row(row) if row else None

    def latest(
        self, *, site: str | None = None, since: str | date | None = None,
        until: str | date | None = None, limit: int = 20,
    ) -> list[Document]:
        """The most recently published documents (exact duplicates left out), newest first."""
        where, params = self._filters(site=site, since=since, until=until)
        where.append("d.duplicate_of IS NULL")
        return [
            document_from_row(r)
            for r in self._exec(
                f"{_DOC_SELECT} WHERE {' AND '.join(where)}"
                " ORDER BY d.published IS NULL, d.published DESC, d.id DESC LIMIT ?",
                (*params, max(1, int(limit))),
            )
        ]

    def documents(
        self, *, site: str | None = None, since: str | date | None = None,
        until: str | date | None = None, region: str | None = None, limit: int | None = None,
        include_duplicates: bool = False, order: str = "id",
    ) -> Iterator[Document]:
        """Stream documents; ``since``/``until`` filter ``published``, ``region`` the region code.

        ``order="id"`` is archive order; ``order="published"`` is publication date,
        oldest first, undated documents last (both follow an index: no sort of rows).
        Without filters and in id order this is one table scan.  Otherwise the
        matching ids come from the ``(site, published)`` / ``(published)`` indexes
        (ids only, never bodies) and the documents are read in batches.
        """
        if order not in ("id", "published"):
            raise ValueError(f"order must be 'id' or 'published', got {order!r}")
        return self._tracked(self._documents(site, since, until, region, limit, include_duplicates, order))

    def _documents(
        self, site: str | None, since: Any, until: Any, region: str | None, limit: int | None,
        include_duplicates: bool, order: str,
    ) -> Iterator[Document]:
        idx_where, idx_params = self._filters(site=site, since=since, until=until)
        row_where: list[str] = [] if include_duplicates else ["d.duplicate_of IS NULL"]
        row_params: list[Any] = []
        if region:
            clause, val = _region_clause(region)
            row_where.append(clause)
            row_params.append(val)
        left = None if limit is None else int(limit)
        if not idx_where and order == "id":
            sql = _DOC_SELECT + (" WHERE " + " AND ".join(row_where) if row_where else "")
            sql += " ORDER BY d.id" + ("" if left is None else " LIMIT ?")
            for row in self._stream(sql, row_params + ([] if left is None else [left])):
                yield document_from_row(row)
            return
        where = " AND ".join(idx_where) or "1"
        if order == "id":
            ids = [r[0] for r in self._exec(f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.id", idx_params)]
        else:
            ids = [r[0] for r in self._exec(
                f"SELECT d.id FROM documents d WHERE {where} AND d.published IS NOT NULL"
                " ORDER BY d.published, d.id", idx_params)]
            if not (since or until):
                ids += [r[0] for r in self._exec(
                    f"SELECT d.id FROM documents d WHERE {where} AND d.published IS NULL ORDER BY d.id",
                    idx_params)]
        extra = "".join(f" AND {w}" for w in row_where)
        for chunk in _chunks(ids):
            rows = {r[0]: r for r in self._exec(
                f"{_DOC_SELECT} WHERE d.id IN ({_marks(len(chunk))}){extra}", [*chunk, *row_params])}
            for doc_id in chunk:
                found = rows.get(doc_id)
                if found is None:
                    continue
                if left is not None:
                    if left <= 0:
                        return
                    left -= 1
                yield document_from_row(found)

    def sites(self) -> dict[str, Site]:
        """The ``sites`` rows by slug (name, province, city, region), as the last crawls recorded them."""
        return {
            r[0]: Site(*(v or "" for v in r))
            for r in self._exec("SELECT slug, name, cms, province, city, region_code FROM sites ORDER BY slug")
        }

    def site_slugs(self) -> set[str]:
        """Every site slug the archive knows (sites table and run records)."""
        return {r[0] for r in self._exec("SELECT slug FROM sites UNION SELECT site FROM runs")}

    def _filters(self, *, site: str | None = None, since: Any = None, until: Any = None,
                 region: str | None = None) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if site:
            where.append("d.site = ?")
            params.append(site)
        if since:
            op, val = _bound(since, upper=False)
            where.append(f"d.published {op} ?")
            params.append(val)
        if until:
            op, val = _bound(until, upper=True)
            where.append(f"d.published {op} ?")
            params.append(val)
        if region:
            clause, val = _region_clause(region)
            where.append(clause)
            params.append(val)
        return where, params

    def search(
        self, query: str, *, site: str | None = None, since: str | date | None = None,
        until: str | date | None = None, limit: int = 20, mark: tuple[str, str] = ("[", "]"),
        window: int | None = RANK_WINDOW,
    ) -> list[SearchHit]:
        """Full-text search, best bm25 first (syntax and ranking: ``archive.search``)."""
        from archive.search import search

        return search(self, query, site=site, since=since, until=until, limit=limit, mark=mark,
                      window=window)

    def revisions_of(self, document_id: int) -> list[Revision]:
        """Earlier versions of the document with this id, oldest first."""
        return [
            Revision(*row)
            for row in self._exec(
                "SELECT id, document_id, revision, title, body, body_hash, published, fetched_at,"
                " replaced_at FROM revisions WHERE document_id = ? ORDER BY revision",
                (int(document_id),),
            )
        ]

    # -- transcripts and references (archive/read_structure.py) --------------------------------
    def transcript(self, document_id: int) -> StoredTranscript | None:
        """The stored transcript (event, participants, turns) of a document, or None."""
        from archive.read_structure import transcript

        return transcript(self, document_id)

    def refs(self, document_id: int) -> DocumentRefs:
        """The document's own 文号 and its cited 文号 and titles, with resolved targets."""
        from archive.read_structure import refs

        return refs(self, document_id)

    def cited_by(self, document_id: int) -> list[Reference]:
        """Citations in other documents that resolve to this one."""
        from archive.read_structure import cited_by

        return cited_by(self, document_id)

    def search_turns(self, query: str, *, speaker: str | None = None, role: str | None = None,
                     limit: int = 20, mark: tuple[str, str] = ("[", "]")) -> list[TurnHit]:
        """Search the words spoken in transcripts (filters: speaker name, role)."""
        from archive.read_structure import search_turns

        return search_turns(self, query, speaker=speaker, role=role, limit=limit, mark=mark)

    def revisions(self, url: str) -> list[Revision]:
        """Earlier versions of a document, oldest first (revision 0 = as first archived)."""
        doc = self.get(url)
        if doc is None:
            return []
        return [
            Revision(*row)
            for row in self._exec(
                "SELECT id, document_id, revision, title, body, body_hash, published, fetched_at,"
                " replaced_at FROM revisions WHERE document_id = ? ORDER BY revision",
                (doc.id,),
            )
        ]

    def cluster(self, document_id: int) -> list[Document]:
        """Members of the document's cluster, earliest published first (the original)."""
        row = self._exec("SELECT cluster_id FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            return []
        cid = row[0] if row[0] is not None else document_id
        return [
            document_from_row(r)
            for r in self._exec(
                f"{_DOC_SELECT} WHERE d.cluster_id = ?"
                " ORDER BY d.published IS NULL, d.published, d.id",
                (cid,),
            )
        ]

    # -- runs, stats, raw pages ---------------------------------------------------------------
    def runs(self, *, site: str | None = None, limit: int = 50) -> list[Run]:
        """Crawl runs, newest first."""
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        return [
            run_from_row(r)
            for r in self._exec(f"{_RUN_SELECT} {where} ORDER BY id DESC LIMIT ?", (*params, limit))
        ]

    def last_probes(self, *, site: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Each site's most recent probe: ``{site: [row, …]}`` (rows as ``archive.store.PROBE_FIELDS``)."""
        where, params = ("WHERE p.site = ?", [site]) if site else ("", [])
        cols = ("site", "probed_at", "kind", "column_name", "url", "state", "http_status", "bytes",
                "seconds", "egress", "detail")
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self._exec(
            f"SELECT {', '.join('p.' + c for c in cols)} FROM probes p {where}"
            f"{' AND' if where else ' WHERE'} p.probed_at = (SELECT max(probed_at) FROM probes WHERE site = p.site)"
            " ORDER BY p.site, p.id", params,
        ):
            row = dict(zip(cols, r))
            out.setdefault(row["site"], []).append(row)
        return out

    def stats(self) -> dict[str, SiteStats]:
        """Per-site counts, documents per publication day and the last (successful) run."""
        from archive.stats import site_stats

        return site_stats(self)

    def raw_pages(self, *, site: str | None = None, latest: bool = False) -> Iterator[RawPage]:
        """Stream stored responses (decompressed) for reprocessing, oldest first.

        ``latest=True`` yields only the newest stored page of each document.
        """
        where: list[str] = []
        params: list[Any] = []
        if site:
            where.append("r.site = ?")
            params.append(site)
        if latest:
            where.append("r.id = (SELECT max(id) FROM raw_pages WHERE document_id = r.document_id)")
        return self._tracked(self._raw_pages(where, params))

    def _raw_pages(self, where: list[str], params: list[Any]) -> Iterator[RawPage]:
        for row in self._stream(
            "SELECT r.id, r.document_id, r.site, r.url, r.canonical_url, r.fetched_at, r.status,"
            " r.headers, r.encoding, r.content, r.run_id FROM raw_pages r"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.id",
            params,
        ):
            values = list(row)
            values[7] = loads(values[7], {})
            values[9] = zlib.decompress(values[9])
            yield RawPage(*values)

    def later_pages(self, first: RawPage) -> list[RawPage]:
        """The later pages of a multi-page article stored with its page 1 ``first``, in page order.

        A crawl stores them just before page 1, from the same fetch (same ``fetched_at``);
        an article of one page has none.
        """
        return list(self._raw_page_rows(
            "WHERE r.document_id = ? AND r.fetched_at = ? AND r.id < ? AND r.url != ? ORDER BY r.id",
            [first.document_id, first.fetched_at, first.id, first.url]))

    def _raw_page_rows(self, where: str, params: list[Any]) -> Iterator[RawPage]:
        for row in self._exec(
                "SELECT r.id, r.document_id, r.site, r.url, r.canonical_url, r.fetched_at, r.status,"
                " r.headers, r.encoding, r.content, r.run_id FROM raw_pages r " + where, params):
            values = list(row)
            values[7] = loads(values[7], {})
            try:
                values[9] = zlib.decompress(values[9])
            except (zlib.error, TypeError) as exc:
                raise ArchiveError(f"{self.label}: raw page {values[0]} is not zlib data: {exc}") from None
            yield RawPage(*values)

    def raw_page(self, document_id: int, raw_id: int | None = None) -> RawPage | None:
        """The newest stored response of a document (or its stored response ``raw_id``), decompressed."""
        where = "WHERE r.document_id = ?"
        params: list[Any] = [int(document_id)]
        if raw_id is not None:
            where += " AND r.id = ?"
            params.append(int(raw_id))
        return next(self._raw_page_rows(where + " ORDER BY r.id DESC LIMIT 1", params), None)

    def raw_page_ids(self, document_id: int) -> list[tuple[int, str]]:
        """``(raw page id, fetched_at)`` of every stored response of a document, oldest first."""
        return [(int(i), str(t)) for i, t in self._exec(
            "SELECT id, fetched_at FROM raw_pages WHERE document_id = ? ORDER BY id", (int(document_id),))]
    def attachments(self, url: str) -> list[Attachment]:
        """Files stored for the document with this canonical URL (``archive/attachments.py``)."""
        from archive.attachments import attachments_of

        try:
            return attachments_of(self.conn, url)
        except sqlite3.Error as exc:
            raise ArchiveError(describe(self.label, exc)) from exc

    def attachment_content(self, attachment_id: int) -> bytes | None:
        """The stored bytes of one attachment, decompressed."""
        from archive.attachments import attachment_content

        return attachment_content(self.conn, attachment_id)

    def count(self, *, include_duplicates: bool = False) -> int:
        """Number of documents (exact duplicates excluded unless asked)."""
        where = "" if include_duplicates else " WHERE duplicate_of IS NULL"
        return int(self._exec(f"SELECT count(*) FROM documents{where}").fetchone()[0])
