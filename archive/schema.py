"""Named schema migrations, applied in order and recorded in ``_migrations``.

Each migration is a function ``mNNN_description(db)`` registered with
``@migration``; it runs inside one transaction together with the row that
records it, so a crash never leaves a half-applied migration.  Migrations are
append-only: never edit or rename one that has shipped, add a new one.  An
archive whose ``_migrations`` names a migration this code does not know was
written by a newer govpress and is refused (``SchemaTooNewError``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from archive import fts
from archive.db import archive_label, now_iso, transaction
from archive.errors import ArchiveError, SchemaTooNewError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    name: str
    fn: Callable[[Database], None]


MIGRATIONS: list[Migration] = []


def migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register ``fn`` as the next migration; its ``__name__`` is the recorded name."""
    if any(m.name == fn.__name__ for m in MIGRATIONS):
        raise ValueError(f"duplicate migration name {fn.__name__}")
    MIGRATIONS.append(Migration(fn.__name__, fn))
    return fn


def _run(db: Database, statements: list[str]) -> None:
    # Not executescript(): it would COMMIT the migration's open transaction.
    for sql in statements:
        db.conn.execute(sql)


@migration
def m001_initial(db: Database) -> None:
    """Sites, runs, documents, revisions, raw pages, MinHash bands and the bigram FTS index."""
    _run(db, [
        """CREATE TABLE sites (
            slug TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            cms TEXT NOT NULL DEFAULT '',
            province TEXT NOT NULL DEFAULT '',
            city TEXT NOT NULL DEFAULT '',
            region_code TEXT NOT NULL DEFAULT '',
            definition_path TEXT NOT NULL DEFAULT '',
            allowed_domains TEXT NOT NULL DEFAULT '[]',
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            trigger TEXT NOT NULL,
            pid INTEGER,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            pages INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            duplicate INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            stats TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX idx_runs_site ON runs(site, id)",
        # Small columns first, body and blobs last: filters and joins never read
        # the overflow pages that hold a long body.
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            canonical_url TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            site TEXT NOT NULL,
            region_code TEXT NOT NULL DEFAULT '',
            column_name TEXT NOT NULL DEFAULT '',
            column_meta TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            published TEXT,
            published_raw TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            editors TEXT NOT NULL DEFAULT '[]',
            site_name TEXT NOT NULL DEFAULT '',
            keywords TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            body_hash TEXT NOT NULL DEFAULT '',
            cluster_id INTEGER,
            duplicate_of INTEGER REFERENCES documents(id),
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            http_status INTEGER,
            etag TEXT,
            last_modified TEXT,
            revision_count INTEGER NOT NULL DEFAULT 0,
            language TEXT NOT NULL DEFAULT '',
            encoding TEXT NOT NULL DEFAULT '',
            replacement_chars INTEGER NOT NULL DEFAULT 0,
            extraction_method TEXT NOT NULL DEFAULT '',
            flags TEXT NOT NULL DEFAULT '[]',
            attachments TEXT NOT NULL DEFAULT '[]',
            images TEXT NOT NULL DEFAULT '[]',
            run_id INTEGER,
            body TEXT NOT NULL DEFAULT '',
            minhash BLOB,
            band_keys BLOB
        )""",
        "CREATE INDEX idx_documents_site_published ON documents(site, published)",
        "CREATE INDEX idx_documents_published ON documents(published)",
        "CREATE INDEX idx_documents_body_hash ON documents(body_hash)",
        "CREATE INDEX idx_documents_cluster ON documents(cluster_id)",
        "CREATE INDEX idx_documents_url ON documents(url)",
        """CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            revision INTEGER NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            body_hash TEXT NOT NULL DEFAULT '',
            published TEXT,
            fetched_at TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            UNIQUE (document_id, revision)
        )""",
        """CREATE TABLE raw_pages (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            site TEXT NOT NULL,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            status INTEGER,
            headers TEXT NOT NULL DEFAULT '{}',
            encoding TEXT NOT NULL DEFAULT '',
            run_id INTEGER,
            content BLOB NOT NULL
        )""",
        "CREATE INDEX idx_raw_pages_document ON raw_pages(document_id)",
        "CREATE INDEX idx_raw_pages_site ON raw_pages(site)",
        """CREATE TABLE minhash_bands (
            band_key INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            PRIMARY KEY (band_key, document_id)
        ) WITHOUT ROWID""",
        # Contentless: the indexed text is bigram tokens (see archive/fts.py),
        # the real text lives in documents; rowid = documents.id.  meta holds a
        # site token and a publication-month token for cheap search filters.
        """CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, body, meta, content='', tokenize='ascii', detail=full
        )""",
        # For ad-hoc ``ORDER BY rank`` in sqlite3/Datasette; Archive.search calls bm25() itself.
        "INSERT INTO documents_fts(documents_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0, 0.0)')",
    ])


@migration
def m002_transcripts(db: Database) -> None:
    """Press-conference transcripts: one event per document, its participants and turns."""
    _run(db, [
        """CREATE TABLE events (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            kind TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            date TEXT,
            organiser TEXT NOT NULL DEFAULT '',
            venue TEXT NOT NULL DEFAULT '',
            recognised_by TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            org TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT 'official'
        )""",
        "CREATE INDEX idx_participants_document ON participants(document_id, position)",
        "CREATE INDEX idx_participants_name ON participants(name)",
        """CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            position INTEGER NOT NULL,
            speaker TEXT NOT NULL DEFAULT '',
            participant_id INTEGER REFERENCES participants(id),
            role TEXT NOT NULL DEFAULT 'other',
            outlet TEXT NOT NULL DEFAULT '',
            answers_id INTEGER REFERENCES turns(id),
            text TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX idx_turns_document ON turns(document_id, position)",
        "CREATE INDEX idx_turns_speaker ON turns(speaker)",
        # Contentless bigram index over turns.text, rowid = turns.id (see archive/fts.py).
        "CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='', tokenize='ascii', detail=full)",
    ])


@migration
def m003_references(db: Database) -> None:
    """Cited 文号 and 《titles》 with the archived document they resolve to, and the keys
    (own 文号, title forms) under which each document can be cited."""
    _run(db, [
        """CREATE TABLE refs (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            norm TEXT NOT NULL,
            target_id INTEGER REFERENCES documents(id)
        )""",
        "CREATE INDEX idx_refs_document ON refs(document_id, position)",
        "CREATE INDEX idx_refs_norm ON refs(kind, norm)",
        "CREATE INDEX idx_refs_target ON refs(target_id)",
        """CREATE TABLE ref_keys (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            PRIMARY KEY (kind, key, document_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX idx_ref_keys_document ON ref_keys(document_id)",
    ])


@migration
def m004_probes(db: Database) -> None:
    """``govpress probe`` results: one row per request (list page or sample article)."""
    _run(db, [
        """CREATE TABLE probes (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            probed_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            column_name TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL,
            state TEXT NOT NULL,
            http_status INTEGER,
            bytes INTEGER NOT NULL DEFAULT 0,
            seconds REAL,
            egress TEXT NOT NULL DEFAULT 'direct',
            detail TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX idx_probes_site ON probes(site, probed_at)",
    ])


@migration
def m005_attachments_tables(db: Database) -> None:
    """Attached files (bytes, text, status) per document; data tables and the published meta's raw value."""
    _run(db, [
        # One row per (document, file URL); the bytes are zlib-compressed like raw_pages.content.
        # status: ok | empty | unsupported | error: … | too_large | robots | fetch_failed: …
        """CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            url TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',
            size INTEGER,
            sha256 TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            http_status INTEGER,
            content_type TEXT NOT NULL DEFAULT '',
            fetched_at TEXT NOT NULL,
            run_id INTEGER,
            text TEXT NOT NULL DEFAULT '',
            content BLOB,
            UNIQUE (document_id, url)
        )""",
        "CREATE INDEX idx_attachments_sha256 ON attachments(sha256)",
        "ALTER TABLE documents ADD COLUMN tables TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE documents ADD COLUMN published_meta_raw TEXT NOT NULL DEFAULT ''",
    ])


_DAY = "coalesce(substr({t}.published, 1, 10), '')"


def _count_row(t: str, sign: str) -> str:
    """Add (``+``) or remove (``-``) one document of row ``t`` (NEW/OLD) in ``doc_counts``."""
    day = _DAY.format(t=t)
    return (
        f"INSERT INTO doc_counts (site, day, documents, duplicates, last_seen) "
        f"VALUES ({t}.site, {day}, {sign}({t}.duplicate_of IS NULL), {sign}({t}.duplicate_of IS NOT NULL), "
        f"{t}.last_seen) ON CONFLICT (site, day) DO UPDATE SET "
        f"documents = documents + excluded.documents, duplicates = duplicates + excluded.duplicates, "
        f"last_seen = max(coalesce(last_seen, ''), coalesce(excluded.last_seen, ''))"
    )


@migration
def m006_counts(db: Database) -> None:
    """Counts kept by triggers so ``Archive.stats()`` reads a few hundred rows, not every document.

    ``doc_counts``: per site and publication day (``''`` when unknown) the documents,
    the exact duplicates and the latest ``last_seen`` (a high-water mark);
    ``site_counts``: revisions per site.  Filled from the existing rows once.
    """
    _run(db, [
        """CREATE TABLE doc_counts (
            site TEXT NOT NULL,
            day TEXT NOT NULL,
            documents INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            last_seen TEXT,
            PRIMARY KEY (site, day)
        ) WITHOUT ROWID""",
        """CREATE TABLE site_counts (
            site TEXT PRIMARY KEY,
            revisions INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID""",
        f"""INSERT INTO doc_counts (site, day, documents, duplicates, last_seen)
            SELECT site, {_DAY.format(t="documents")}, sum(duplicate_of IS NULL),
                   sum(duplicate_of IS NOT NULL), max(last_seen)
            FROM documents GROUP BY 1, 2""",
        """INSERT INTO site_counts (site, revisions)
            SELECT d.site, count(*) FROM revisions r JOIN documents d ON d.id = r.document_id
            GROUP BY d.site""",
        f"""CREATE TRIGGER doc_counts_insert AFTER INSERT ON documents BEGIN
            {_count_row("NEW", "+")}; END""",
        f"""CREATE TRIGGER doc_counts_delete AFTER DELETE ON documents BEGIN
            {_count_row("OLD", "-")}; END""",
        f"""CREATE TRIGGER doc_counts_move AFTER UPDATE OF site, published, duplicate_of ON documents BEGIN
            {_count_row("OLD", "-")}; {_count_row("NEW", "+")}; END""",
        f"""CREATE TRIGGER doc_counts_seen AFTER UPDATE OF last_seen ON documents
            WHEN NEW.last_seen > coalesce(OLD.last_seen, '') BEGIN
            UPDATE doc_counts SET last_seen = max(coalesce(last_seen, ''), NEW.last_seen)
            WHERE site = NEW.site AND day = {_DAY.format(t="NEW")}; END""",
        """CREATE TRIGGER site_counts_insert AFTER INSERT ON revisions BEGIN
            INSERT INTO site_counts (site, revisions)
            VALUES ((SELECT site FROM documents WHERE id = NEW.document_id), 1)
            ON CONFLICT (site) DO UPDATE SET revisions = revisions + 1; END""",
        """CREATE TRIGGER site_counts_delete AFTER DELETE ON revisions BEGIN
            UPDATE site_counts SET revisions = revisions - 1
            WHERE site = (SELECT site FROM documents WHERE id = OLD.document_id); END""",
    ])


@migration
def m007_date_tokens(db: Database) -> None:
    """Re-index search with year, month and day tokens (``archive.fts.meta_text``).

    ``since=`` / ``until=`` then become exact token filters inside FTS5 instead of a
    look-up of ``documents.published`` per match.  The index is contentless, so its
    rows are deleted all at once and every non-duplicate document is tokenized again
    (about the cost of indexing it the first time).
    """
    n = fts.rebuild(db.conn)
    logger.info("%s: m007_date_tokens re-indexed %d documents", archive_label(db), n)


def known_names() -> list[str]:
    return [m.name for m in MIGRATIONS]


def _has_table(db: Database, name: str) -> bool:
    row = db.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def applied_names(db: Database) -> list[str]:
    """Names recorded in ``_migrations`` (empty when the table does not exist)."""
    if not _has_table(db, "_migrations"):
        return []
    return [r[0] for r in db.conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def _refuse_unknown(db: Database, applied: list[str]) -> None:
    unknown = [n for n in applied if n not in known_names()]
    if unknown:
        raise SchemaTooNewError(
            f"{archive_label(db)}: archive has migration {', '.join(unknown)} unknown to this "
            "govpress (written by a newer version); upgrade govpress to open it"
        )


def check_schema(db: Database) -> None:
    """For read-only use: the archive must hold exactly the known migrations."""
    label = archive_label(db)
    if not _has_table(db, "_migrations"):
        raise ArchiveError(f"{label}: not a govpress archive (no _migrations table)")
    applied = applied_names(db)
    _refuse_unknown(db, applied)
    pending = [n for n in known_names() if n not in applied]
    if pending:
        raise ArchiveError(
            f"{label}: archive needs migration {', '.join(pending)}; "
            "open it read-write once (any govpress write command) to upgrade it"
        )


def refuse_foreign(db: Database) -> None:
    """Raise unless the file is empty or a govpress archive this code can open; reads only.

    ``open_archive`` calls it before its first write (the WAL switch), so a
    refused file is left exactly as it was.
    """
    if not _has_table(db, "_migrations"):
        others = [
            r[0]
            for r in db.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        if others:
            raise ArchiveError(
                f"{archive_label(db)}: not a govpress archive (SQLite file with other tables, no _migrations)"
            )
        return
    _refuse_unknown(db, applied_names(db))


def migrate(db: Database) -> list[str]:
    """Apply pending migrations, each in its own transaction; returns the names applied."""
    label = archive_label(db)
    if not _has_table(db, "_migrations"):
        refuse_foreign(db)
        with transaction(db) as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations ("
                "name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
    applied = applied_names(db)
    _refuse_unknown(db, applied)
    done: list[str] = []
    for m in MIGRATIONS:
        if m.name in applied:
            continue
        with transaction(db) as conn:
            # Re-read inside the write lock: another process may have applied it.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (m.name,)).fetchone():
                continue
            logger.info("%s: applying migration %s", label, m.name)
            m.fn(db)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (m.name, now_iso())
            )
            done.append(m.name)
    return done
