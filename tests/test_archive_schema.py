"""Opening archives: pragmas, named migrations, refusing newer / foreign / broken files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from archive import Archive, ArchiveError, SchemaTooNewError, open_archive, schema, store
from archive.models import DOCUMENT_COLUMNS
from simulator.synthetic import Generator


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "deep" / "er" / "archive.sqlite"


def test_open_creates_dirs_and_sets_pragmas(path: Path) -> None:
    db = open_archive(path)
    assert path.is_file()
    conn = db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_schema_tables_and_document_columns(path: Path) -> None:
    db = open_archive(path)
    names = set(db.table_names())
    assert {"_migrations", "sites", "documents", "revisions", "runs", "raw_pages",
            "minhash_bands", "documents_fts"} <= names
    cols = tuple(r[1] for r in db.conn.execute("PRAGMA table_info(documents)"))
    assert cols == DOCUMENT_COLUMNS  # Document carries every column, in table order
    indexes = {r[1] for r in db.conn.execute("PRAGMA index_list(documents)")}
    assert {"idx_documents_site_published", "idx_documents_published",
            "idx_documents_body_hash", "idx_documents_cluster"} <= indexes
    bands_pk = db.conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'minhash_bands'").fetchone()[0]
    assert "WITHOUT ROWID" in bands_pk


def test_migrations_recorded_and_idempotent(path: Path) -> None:
    db = open_archive(path)
    rows = db.conn.execute("SELECT name, applied_at FROM _migrations").fetchall()
    assert [r[0] for r in rows] == schema.known_names() and rows[0][0] == "m001_initial"
    db.conn.close()
    db2 = open_archive(path)
    assert db2.conn.execute("SELECT name, applied_at FROM _migrations").fetchall() == rows
    assert schema.migrate(db2) == []


def test_newer_archive_refused_with_one_line_message(path: Path) -> None:
    db = open_archive(path)
    db.conn.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    db.conn.commit()
    db.conn.close()
    for opener in (lambda: open_archive(path), lambda: open_archive(path, readonly=True),
                   lambda: Archive(path)):
        with pytest.raises(SchemaTooNewError) as exc:
            opener()
        msg = str(exc.value)
        assert "\n" not in msg and str(path) in msg and "m999_from_the_future" in msg


def test_not_sqlite_file_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("this is not a database, just some text\n" * 100)
    for readonly in (False, True):
        with pytest.raises(ArchiveError) as exc:
            open_archive(bogus, readonly=readonly)
        assert str(exc.value) == f"{bogus}: not a SQLite database"
    assert bogus.read_text().startswith("this is not")


def test_directory_and_bad_parent_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="is a directory"):
        open_archive(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="cannot create directory") as exc:
        open_archive(blocker / "sub" / "a.sqlite")
    assert "\n" not in str(exc.value)


def test_foreign_sqlite_database_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveError, match="not a govpress archive"):
        open_archive(other)
    names = [r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")]
    assert names == ["customers"]  # left untouched


def test_readonly_missing_file_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "a.sqlite"
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive(missing)
    assert not missing.parent.exists()


def test_readonly_never_migrates_or_writes(path: Path) -> None:
    db = open_archive(path)
    store.save_document(db, Generator(pool_chars=20_000).record(1))
    db.conn.execute("DELETE FROM _migrations")  # pretend the archive predates m001
    db.conn.commit()
    db.conn.close()
    before = hashlib.sha1(path.read_bytes()).hexdigest()
    with pytest.raises(ArchiveError, match="needs migration m001_initial") as exc:
        Archive(path)
    assert "open it read-write" in str(exc.value)
    assert hashlib.sha1(path.read_bytes()).hexdigest() == before


def test_readonly_connection_rejects_writes(path: Path) -> None:
    open_archive(path).conn.close()
    a = Archive(path)
    with pytest.raises(sqlite3.OperationalError):
        a.conn.execute("INSERT INTO runs (site, trigger, started_at) VALUES ('x', 'manual', 'now')")
    a.close()


def test_failed_migration_is_rolled_back(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_archive(path).conn.close()

    def m002_broken(db) -> None:  # type: ignore[no-untyped-def]
        db.conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom in the middle")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, schema.Migration("m002_broken", m002_broken)])
    with pytest.raises(RuntimeError):
        open_archive(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='half_done'").fetchone()[0] == 0
    assert [r[0] for r in conn.execute("SELECT name FROM _migrations")] == [
        n for n in schema.known_names() if n != "m002_broken"]


def test_new_migration_applied_on_next_open(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_archive(path).conn.close()

    def m002_add_note(db) -> None:  # type: ignore[no-untyped-def]
        db.conn.execute("ALTER TABLE sites ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, schema.Migration("m002_add_note", m002_add_note)])
    db = open_archive(path)
    assert [r[0] for r in db.conn.execute("SELECT name FROM _migrations ORDER BY rowid")] == list(schema.known_names())
    assert schema.known_names()[-1] == "m002_add_note"
    assert "note" in {r[1] for r in db.conn.execute("PRAGMA table_info(sites)")}


def test_disk_full_is_an_archive_error_and_leaves_archive_intact(path: Path) -> None:
    db = open_archive(path)
    gen = Generator(pool_chars=50_000)
    store.save_document(db, gen.record(0))
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(ArchiveError) as exc:
        for i in range(1, 200):
            store.save_document(db, gen.record(i, body_chars=3000))
    assert str(exc.value) == f"{path}: disk full (database or disk is full)"
    count = db.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    raw = db.conn.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    assert count == raw  # every saved document complete, the failed one absent
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_not_writable_archive_refused(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    open_archive(path).conn.close()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real(p, mode))
    with pytest.raises(ArchiveError) as exc:
        open_archive(path)
    assert str(exc.value) == f"{path}: not writable (permission denied)"
    monkeypatch.undo()
    with Archive(path) as a:  # reading stays possible
        assert a.count() == 0


def test_nested_transaction_is_a_savepoint(path: Path) -> None:
    from archive.db import transaction

    db = open_archive(path)
    with transaction(db):
        store.upsert_site(db, {"slug": "sd_a"})
        with pytest.raises(RuntimeError):
            with transaction(db):
                store.upsert_site(db, {"slug": "sd_b"})
                raise RuntimeError("inner fails")
    assert [r[0] for r in db.conn.execute("SELECT slug FROM sites")] == ["sd_a"]
