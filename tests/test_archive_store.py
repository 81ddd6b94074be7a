"""Writes: the four save outcomes, revisions, runs, sites, atomicity and crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from archive import Archive, ArchiveError, open_archive, store
from archive.record import DocumentRecord
from archive.save import Identity

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_archive(tmp_path / "a.sqlite")
    yield d
    d.conn.close()


def rec(n: int = 1, **kw: Any) -> DocumentRecord:
    url = f"https://www.jinan.gov.cn/art/2024/5/{n}/art_{n}.html"
    base: dict[str, Any] = {
        "site": "sd_jinan", "url": url + "?from=list", "canonical_url": url,
        "raw": f"<html><body>第{n}篇 营商环境</body></html>".encode(), "http_status": 200,
        "headers": {"etag": f'"v{n}"', "last-modified": "Wed, 01 May 2024 01:00:00 GMT"},
        "fetched_at": "2024-05-02T00:00:00+00:00", "column_name": "政务要闻",
        "title": f"济南市优化营商环境第{n}次会议召开", "published": "2024-05-01T09:30:00+08:00",
        "published_raw": "2024-05-01 09:30", "source": "济南市人民政府", "author": "李四",
        "editors": ["王五", "赵六"], "body": f"会议强调，要持续优化营商环境。第{n}号文件。\n推进城中村改造。",
        "site_name": "济南市人民政府", "column_meta": "政务要闻", "keywords": "营商环境",
        "description": "会议", "attachments": [{"url": "https://x/a.pdf", "name": "附件1"}],
        "images": [], "encoding": "utf-8", "replacement_chars": 0, "language": "zh",
        "extraction_method": "trs", "flags": ["ok"], "body_hash": f"hash{n}",
        "band_keys": [n * 10 + 1, n * 10 + 2, -(2**63)],
        "minhash": b"\x01\x02" * 8, "region_code": "370100",
    }
    base.update(kw)
    return DocumentRecord.from_headers(base.pop("headers", {}), **base)


def count(db, table: str) -> int:  # type: ignore[no-untyped-def]
    return db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_new_document(db) -> None:  # type: ignore[no-untyped-def]
    res = store.save_document(db, rec(1), run_id=None)
    assert (res.outcome, res.document_id, res.cluster_id, res.revision) == ("new", 1, 1, 0)
    doc = Archive(db).get(rec(1).canonical_url)
    assert doc is not None
    assert doc.first_seen == doc.last_seen == doc.fetched_at == "2024-05-02T00:00:00+00:00"
    assert doc.revision_count == 0 and doc.cluster_id == doc.id and doc.duplicate_of is None
    assert doc.editors == ["王五", "赵六"] and doc.flags == ["ok"]
    assert doc.attachments == [{"url": "https://x/a.pdf", "name": "附件1"}]
    assert doc.column_name == "政务要闻" and doc.region_code == "370100" and doc.http_status == 200
    assert doc.etag == '"v1"' and doc.last_modified == "Wed, 01 May 2024 01:00:00 GMT"
    assert doc.minhash == b"\x01\x02" * 8
    bands = sorted(r[0] for r in db.conn.execute("SELECT band_key FROM minhash_bands"))
    assert bands == [-(2**63), 11, 12]
    raw = db.conn.execute("SELECT content, document_id FROM raw_pages").fetchone()
    assert zlib.decompress(raw[0]) == rec(1).raw and raw[1] == 1
    assert [h.document.id for h in Archive(db).search("城中村")] == [1]


def share_equal(a: bytes, b: bytes) -> float:
    """A stand-in for MinHash similarity: the share of equal bytes."""
    if len(a) != len(b):
        raise ValueError("lengths differ")
    return sum(x == y for x, y in zip(a, b)) / len(a)


NEAR = Identity(near_threshold=0.5, similarity=share_equal)


def test_near_duplicate_joins_cluster_of_most_similar_band_sharing_document(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, minhash=bytes(range(16)), band_keys=[1, 2]))
    store.save_document(db, rec(2, minhash=bytes(range(8)) + b"\xee" * 8, band_keys=[2, 5]), identity=NEAR)
    res = store.save_document(db, rec(3, minhash=bytes(range(12)) + b"\xff" * 4, band_keys=[2, 3]),
                              identity=NEAR)
    assert (res.outcome, res.cluster_id, res.document_id, res.identity) == ("new", 1, 3, "near")
    res4 = store.save_document(db, rec(4, minhash=bytes(range(16)), band_keys=[9]), identity=NEAR)
    assert res4.cluster_id == res4.document_id and res4.identity == ""  # no shared band
    res5 = store.save_document(db, rec(5, minhash=b"\xdd" * 16, band_keys=[1]), identity=NEAR)
    assert res5.cluster_id == res5.document_id  # shares a band but is not similar
    res6 = store.save_document(db, rec(6, minhash=bytes(range(16)), band_keys=[1]))
    assert res6.cluster_id == res6.document_id  # the near layer is off by default
    bad = store.save_document(db, rec(7, minhash=b"\x00", band_keys=[1]), identity=NEAR)
    assert bad.cluster_id == bad.document_id  # a foreign signature length is skipped, not fatal


def test_older_content_never_replaces_newer(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, fetched_at="2024-06-01T00:00:00+00:00", body="新的正文，已经更正。"))
    stale = rec(1, fetched_at="2024-05-01T00:00:00+00:00", body="旧的正文。", body_hash="old")
    res = store.save_document(db, stale)
    assert (res.outcome, res.identity) == ("unchanged", "stale")
    doc = Archive(db).get(rec(1).canonical_url)
    assert doc is not None and doc.body == "新的正文，已经更正。" and doc.revision_count == 0


def test_exact_duplicate(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1))
    first = rec(1).canonical_url
    dup = rec(2, body=rec(1).body, title=rec(1).title, body_hash="hash1")
    res = store.save_document(db, dup)
    assert res.outcome == "duplicate" and res.cluster_id == 1 and res.document_id == 2
    a = Archive(db)
    doc = a.get(dup.canonical_url)
    assert doc is not None and doc.duplicate_of == 1 and doc.is_duplicate
    assert [h.document.id for h in a.search("营商环境")] == [1]  # shown once
    assert a.find_hash("hash1") == first
    assert count(db, "raw_pages") == 1 and count(db, "minhash_bands") == 3
    # a third copy points at the original, never at another duplicate
    res3 = store.save_document(db, rec(3, body_hash="hash1"))
    assert res3.outcome == "duplicate" and a.get(rec(3).canonical_url).duplicate_of == 1  # type: ignore[union-attr]


def test_unchanged_updates_only_last_seen_and_validators(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1))
    before = Archive(db).get(rec(1).canonical_url)
    again = rec(1, fetched_at="2024-06-01T00:00:00+00:00", headers={"etag": '"v2"'},
                source="changed but same hash and title")
    res = store.save_document(db, again)
    assert (res.outcome, res.document_id, res.revision) == ("unchanged", 1, 0)
    after = Archive(db).get(rec(1).canonical_url)
    assert after is not None and before is not None
    assert after.last_seen == "2024-06-01T00:00:00+00:00" and after.etag == '"v2"'
    assert after.last_modified == before.last_modified  # absent header keeps the old value
    assert after.fetched_at == before.fetched_at and after.source == before.source
    assert count(db, "raw_pages") == 1 and count(db, "revisions") == 0


def test_not_modified_item_is_unchanged(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1))
    res = store.save_document(db, rec(1, not_modified=True, http_status=304, body="", body_hash="",
                                      fetched_at="2024-07-01T00:00:00+00:00"))
    assert res.outcome == "unchanged"
    with pytest.raises(ArchiveError, match="304"):
        store.save_document(db, rec(5, not_modified=True))


def test_updated_keeps_revision_and_reindexes(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1))
    new = rec(1, body="更正：本次会议聚焦乡村振兴。", body_hash="hash1b", title="更正后的标题",
              fetched_at="2024-05-03T00:00:00+00:00", band_keys=[77, 78],
              raw=b"<html>v2</html>", headers={"etag": '"v1b"'})
    res = store.save_document(db, new)
    assert (res.outcome, res.document_id, res.revision) == ("updated", 1, 1)
    a = Archive(db)
    doc = a.get(rec(1).canonical_url)
    assert doc is not None
    assert doc.body == new.body and doc.title == "更正后的标题" and doc.revision_count == 1
    assert doc.first_seen == "2024-05-02T00:00:00+00:00" and doc.last_seen == new.fetched_at
    assert doc.etag == '"v1b"'
    revs = a.revisions(rec(1).url)
    assert len(revs) == 1
    r0 = revs[0]
    assert (r0.revision, r0.title, r0.body, r0.body_hash) == (0, rec(1).title, rec(1).body, "hash1")
    assert r0.fetched_at == "2024-05-02T00:00:00+00:00" and r0.replaced_at == "2024-05-03T00:00:00+00:00"
    assert a.search("城中村") == [] and [h.document.id for h in a.search("乡村振兴")] == [1]
    assert sorted(r[0] for r in db.conn.execute("SELECT band_key FROM minhash_bands")) == [77, 78]
    assert [p.content for p in a.raw_pages()] == [rec(1).raw, b"<html>v2</html>"]
    # a title-only change is also an update; revision numbers keep counting
    res2 = store.save_document(db, replace(new, title="再次更正", fetched_at="2024-05-04T00:00:00+00:00"))
    assert (res2.outcome, res2.revision) == ("updated", 2)
    assert [r.revision for r in a.revisions(rec(1).canonical_url)] == [0, 1]
    db.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")


def test_update_that_becomes_duplicate_leaves_search(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1))
    store.save_document(db, rec(2, body="完全不同的内容：防汛工作部署。", body_hash="hash2"))
    res = store.save_document(db, rec(2, body=rec(1).body, body_hash="hash1"))
    assert res.outcome == "updated" and res.cluster_id == 1
    a = Archive(db)
    assert a.search("防汛") == []
    assert [h.document.id for h in a.search("城中村")] == [1]
    assert a.get(rec(2).canonical_url).duplicate_of == 1  # type: ignore[union-attr]


def test_region_comes_from_the_site_when_the_record_has_none(db) -> None:  # type: ignore[no-untyped-def]
    store.upsert_site(db, {"slug": "sd_jinan", "region_code": "370100"})
    res = store.save_document(db, rec(1, region_code=""))
    assert res.outcome == "new"
    assert Archive(db).get(rec(1).canonical_url).region_code == "370100"  # type: ignore[union-attr]


def test_touch_document(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1))
    assert store.touch_document(db, rec(1).canonical_url, seen_at="2024-09-09T00:00:00+00:00",
                                etag='"new"') is True
    doc = Archive(db).get(rec(1).canonical_url)
    assert doc.last_seen == "2024-09-09T00:00:00+00:00" and doc.etag == '"new"'  # type: ignore[union-attr]
    assert doc.last_modified == "Wed, 01 May 2024 01:00:00 GMT"  # type: ignore[union-attr]
    assert store.touch_document(db, "https://nowhere/x", seen_at="2024-09-09T00:00:00+00:00") is False


def test_upsert_site_from_definition_like_object(db) -> None:  # type: ignore[no-untyped-def]
    site = SimpleNamespace(slug="sd_jinan", name="济南市人民政府", cms="trs_wcm", province="山东省",
                           city="济南市", region_code="370100", path="sites/sd_jinan.toml",
                           allowed_domains=("jinan.gov.cn", "www.jinan.gov.cn"))
    store.upsert_site(db, site)
    store.upsert_site(db, SimpleNamespace(**{**vars(site), "name": "济南"}))
    rows = db.conn.execute("SELECT slug, name, allowed_domains, definition_path FROM sites").fetchall()
    assert rows == [("sd_jinan", "济南", '["jinan.gov.cn","www.jinan.gov.cn"]', "sites/sd_jinan.toml")]


def test_runs(db) -> None:  # type: ignore[no-untyped-def]
    rid = store.start_run(db, "sd_jinan", trigger="cron", pid=4242, started_at="2024-05-01T00:00:00+00:00")
    run = Archive(db).runs()[0]
    assert (run.id, run.status, run.pid, run.finished_at) == (rid, "running", 4242, None)
    store.finish_run(db, rid, status="partial", error="2 pages failed",
                     counts={"pages": 10, "new": 5, "updated": 1, "unchanged": 2, "duplicate": 1,
                             "errors": 2, "skipped_known": 7},
                     stats={"elapsed": 12.5}, finished_at="2024-05-01T00:05:00+00:00")
    run = Archive(db).runs(site="sd_jinan")[0]
    assert (run.pages, run.new, run.updated, run.unchanged, run.duplicate, run.errors) == (10, 5, 1, 2, 1, 2)
    assert run.status == "partial" and run.error == "2 pages failed"
    assert run.stats == {"elapsed": 12.5, "counts": {"skipped_known": 7}}
    with pytest.raises(ValueError):
        store.start_run(db, "sd_jinan", trigger="whenever", pid=1)
    with pytest.raises(ValueError):
        store.finish_run(db, rid, status="great", counts={}, stats={})
    with pytest.raises(ArchiveError):
        store.finish_run(db, 999, status="ok", counts={}, stats={})


def test_save_documents_bulk_is_one_transaction(db) -> None:  # type: ignore[no-untyped-def]
    results = store.save_documents(db, [rec(1), rec(2), rec(1)])
    assert [r.outcome for r in results] == ["new", "new", "unchanged"]
    with pytest.raises(ValueError):
        store.save_documents(db, [rec(3), rec(4, band_keys=["not a number"])])
    assert count(db, "documents") == 2  # rec(3) rolled back with the failing record


def test_failed_save_leaves_nothing_behind(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        store.save_document(db, rec(1, band_keys=[1, "x"]))
    for table in ("documents", "raw_pages", "minhash_bands", "documents_fts_docsize"):
        assert count(db, table) == 0
    assert store.save_document(db, rec(1)).outcome == "new"


WRITER = """
import sys
from archive import open_archive, store
from simulator.synthetic import Generator
db = open_archive(sys.argv[1])
gen = Generator(pool_chars=200_000)
i = 0
while True:
    store.save_document(db, gen.record(i))
    i += 1
"""


def _consistent(path: Path, manual_docs: int = 0) -> int:
    """Every document complete: raw page, FTS row, bands (16 synthetic, 3 for ``rec``)."""
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM raw_pages").fetchone()[0] == docs
    assert conn.execute("SELECT count(*) FROM documents_fts_docsize").fetchone()[0] == docs
    assert conn.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == 16 * (docs - manual_docs) + 3 * manual_docs
    conn.close()
    return docs


def test_killed_writer_leaves_consistent_archive(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.2)
            if path.exists():
                try:
                    with sqlite3.connect(path) as c:
                        if c.execute("SELECT count(*) FROM documents").fetchone()[0] >= 150:
                            break
                except sqlite3.OperationalError:
                    pass
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    docs = _consistent(path)
    assert docs >= 150
    db = open_archive(path)  # reopens (WAL recovery) and keeps working
    assert store.save_document(db, rec(1)).outcome == "new"
    db.conn.close()
    assert _consistent(path, manual_docs=1) == docs + 1
