"""Attachments in the archive (archive/attachments.py): rows, bytes, search, updates."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, ArchiveError, open_archive, store
from archive.attachments import AttachmentRecord, missing_attachments, save_attachment
from archive.record import DocumentRecord

URL = "https://www.example.gov.cn/art/2026/4/9/art_1_2.html"
FILE = "https://www.example.gov.cn/attach/202604/abc.pdf"


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_archive(tmp_path / "a.sqlite")
    yield d
    d.conn.close()


def doc(**kw: Any) -> DocumentRecord:
    base = {"site": "sd_jinan", "url": URL, "canonical_url": URL, "raw": b"<html></html>", "http_status": 200,
            "fetched_at": "2026-04-09T08:00:00+00:00", "title": "关于公布第三批历史文化街区名单的通知",
            "published": "2026-04-09T15:30:00+08:00", "body": "附件：第三批历史文化街区名单.ofd",
            "body_hash": "h1", "tables": [{"caption": "", "rows": [["甲", "乙"], ["1", "2"]]}],
            "published_meta_raw": "2026-04-10 08:00"}
    return DocumentRecord(**{**base, **kw})


def att(**kw: Any) -> AttachmentRecord:
    base = {"url": FILE, "name": "第三批历史文化街区名单.ofd", "kind": "ofd", "status": "ok",
            "text": "芙蓉街—百花洲历史文化街区、将军庙历史文化街区", "content": b"PK\x03\x04 file bytes",
            "http_status": 200, "content_type": "application/ofd"}
    return AttachmentRecord(**{**base, **kw})


def test_an_attachment_is_stored_with_its_bytes_hash_and_text(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, doc())
    att_id = save_attachment(db, URL, att())
    with Archive(db) as a:
        (got,) = a.attachments(URL)
        assert (got.id, got.url, got.name, got.kind, got.status) == (att_id, FILE, att().name, "ofd", "ok")
        assert got.size == len(att().content)
        assert len(got.sha256) == 64
        assert a.attachment_content(att_id) == att().content
    blob = db.conn.execute("SELECT content FROM attachments").fetchone()[0]
    assert zlib.decompress(blob) == att().content  # compressed like raw pages


def test_an_attachment_only_article_is_found_by_the_files_text(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, doc())
    with Archive(db) as a:
        assert a.search("将军庙") == []
    save_attachment(db, URL, att())
    with Archive(db) as a:
        assert [h.document.canonical_url for h in a.search("将军庙")] == [URL]


def test_text_changes_keep_the_index_exact(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, doc())
    save_attachment(db, URL, att())
    save_attachment(db, URL, att(text="曲水亭街历史文化街区"))  # the file changed
    with Archive(db) as a:
        assert a.search("将军庙") == []
        assert len(a.search("曲水亭街")) == 1
        assert len(a.attachments(URL)) == 1
    # the document changes: its old row (with the attachment text) is removed exactly
    store.save_document(db, doc(body="附件：名单（修订版）.ofd", body_hash="h2", fetched_at="2026-04-10T08:00:00+00:00"))
    with Archive(db) as a:
        assert len(a.search("曲水亭街")) == 1
        assert len(a.search("修订版")) == 1
    db.conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")


def test_failed_fetches_are_recorded_and_fetched_again(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, doc())
    save_attachment(db, URL, att(status="fetch_failed: HTTP 503", text="", content=None, http_status=503))
    other = "https://www.example.gov.cn/attach/202604/def.docx"
    assert missing_attachments(db.conn, URL, [FILE, other]) == [FILE, other]
    save_attachment(db, URL, att())
    assert missing_attachments(db.conn, URL, [FILE, other]) == [other]


def test_an_attachment_of_an_unknown_document_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ArchiveError, match="not in the archive"):
        save_attachment(db, URL, att())
    assert db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_tables_and_meta_date_are_stored(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, doc())
    row = db.conn.execute("SELECT tables, published_meta_raw FROM documents").fetchone()
    assert row == ('[{"caption":"","rows":[["甲","乙"],["1","2"]]}]', "2026-04-10 08:00")
