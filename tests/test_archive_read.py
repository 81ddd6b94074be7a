"""Read API: lookups for the crawl, filters, streaming, clusters, stats, concurrent readers."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, ArchiveError, Document, open_archive, store
from archive.record import DocumentRecord
from archive.save import Identity
from simulator.synthetic import Generator

ROOT = Path(__file__).resolve().parents[1]


def rec(n: int, **kw: Any) -> DocumentRecord:
    url = f"https://www.qingdao.gov.cn/n{n}.html"
    base = {"site": "sd_qingdao", "url": url, "canonical_url": url, "raw": b"<p>x</p>",
            "fetched_at": f"2024-05-{n % 28 + 1:02d}T00:00:00+00:00", "title": f"标题{n}",
            "body": f"正文{n}：海洋经济发展。", "body_hash": f"h{n}", "band_keys": [n, 1000 + n],
            "minhash": bytes([n % 256]) * 4, "published": f"2024-05-{n % 28 + 1:02d}T10:00:00+08:00",
            "region_code": "370200"}
    base.update(kw)
    return DocumentRecord.from_headers(base.pop("headers", {}), **base)


NEAR = Identity(near_threshold=1.0, similarity=lambda a, b: float(a == b))


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_archive(tmp_path / "a.sqlite")
    yield d
    d.conn.close()


def test_known_batches_past_the_variable_limit(db) -> None:  # type: ignore[no-untyped-def]
    store.save_documents(db, [rec(n) for n in range(1, 1201)])
    asked = [rec(n).canonical_url for n in range(1, 1401)] + ["https://elsewhere/"]
    known = Archive(db).known(iter(asked))
    assert len(known) == 1200
    k = known[rec(7).canonical_url]
    assert (k.document_id, k.body_hash, k.title, k.first_seen) == (7, "h7", "标题7", rec(7).fetched_at)
    assert k.published == rec(7).published


def test_find_hash_returns_first_non_duplicate(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, body_hash="same"))
    store.save_document(db, rec(2, body_hash="same"))
    store.save_document(db, rec(3, body_hash="same"))
    a = Archive(db)
    assert a.find_hash("same") == rec(1).canonical_url
    assert a.find_hash("unknown") is None


def test_near_candidates_ranked_by_shared_bands_via_index(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, band_keys=[1, 2, 3, 4]))
    store.save_document(db, rec(2, band_keys=[1, 2, 9, 10]))
    store.save_document(db, rec(3, band_keys=[1, 20, 30, 40], minhash=bytes([1]) * 4), identity=NEAR)
    store.save_document(db, rec(4, band_keys=[50, 60, 70, 80]))
    a = Archive(db)
    cands = a.near_candidates([1, 2, 3, 99])
    assert [(c.document_id, c.shared_bands) for c in cands] == [(1, 3), (2, 2), (3, 1)]
    assert cands[2].cluster_id == 1 and cands[0].signature == bytes([1]) * 4
    assert cands[0].site == "sd_qingdao" and cands[0].canonical_url == rec(1).canonical_url
    assert [c.document_id for c in a.near_candidates([1, 2, 3], limit=1)] == [1]
    assert a.near_candidates([12345]) == [] and a.near_candidates([]) == []
    many = [*range(100_000, 101_000), 3, 9, 10]  # more keys than one batch of parameters
    assert [(c.document_id, c.shared_bands) for c in a.near_candidates(many)] == [(2, 2), (1, 1)]
    plan = " ".join(r[3] for r in db.conn.execute(
        "EXPLAIN QUERY PLAN SELECT document_id, count(*) FROM minhash_bands"
        " WHERE band_key IN (?, ?) GROUP BY document_id", (1, 2)))
    assert "SEARCH minhash_bands USING PRIMARY KEY (band_key=?)" in plan


def test_get_by_canonical_or_fetched_url(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, url="https://www.qingdao.gov.cn/n1.html?utm=x"))
    a = Archive(db)
    by_canon = a.get(rec(1).canonical_url)
    by_url = a.get("https://www.qingdao.gov.cn/n1.html?utm=x")
    assert isinstance(by_canon, Document) and by_canon == by_url
    assert a.get("https://nope/") is None


def test_documents_filters(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, published="2024-05-01T10:00:00+08:00"))
    store.save_document(db, rec(2, published="2024-05-02", region_code="370202"))
    store.save_document(db, rec(3, published="2024-05-03T23:59:00+08:00", site="sd_jinan",
                                region_code="370100"))
    store.save_document(db, rec(4, published="2024-06-01T08:00:00+08:00", region_code="440300"))
    store.save_document(db, rec(5, body_hash="h1",
                                published="2024-05-01T11:00:00+08:00"))
    a = Archive(db)

    def ids(**kw: Any) -> list[int]:
        return [d.id for d in a.documents(**kw)]

    assert ids() == [1, 2, 3, 4]
    assert ids(include_duplicates=True) == [1, 2, 3, 4, 5]
    assert ids(site="sd_jinan") == [3]
    assert ids(since="2024-05-02") == [2, 3, 4]
    assert ids(until="2024-05-03") == [1, 2, 3]  # a date bound includes the whole day
    assert ids(since="2024-05-01T12:00:00+08:00", until="2024-05-31") == [2, 3]
    assert ids(region="370000") == [1, 2, 3]  # province: every code starting 37
    assert ids(region="370200") == [1, 2]
    assert ids(region="440300") == [4]
    assert ids(limit=2) == [1, 2]
    with pytest.raises(ValueError, match="not an ISO date"):
        ids(since="last tuesday")


def test_documents_streams_lazily(db) -> None:  # type: ignore[no-untyped-def]
    gen = Generator(pool_chars=50_000)
    store.save_documents(db, [gen.record(i, body_chars=40) for i in range(3000)])
    a = Archive(db)
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    a.conn.set_progress_handler(tick, 50)
    it = a.documents(include_duplicates=True)  # short synthetic bodies repeat
    assert isinstance(it, types.GeneratorType)
    first = next(it)
    first_steps = steps[0]
    rest = sum(1 for _ in it)
    assert first.id == 1 and rest == 2999
    assert first_steps * 4 < steps[0]  # the first document did not read the whole table


def test_cluster_earliest_published_first(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, published="2024-05-05T10:00:00+08:00", band_keys=[7]))
    same = rec(1).minhash
    store.save_document(db, rec(2, published="2024-05-01T10:00:00+08:00", band_keys=[7], minhash=same),
                        identity=NEAR)
    store.save_document(db, rec(3, published=None, band_keys=[7], minhash=same), identity=NEAR)
    store.save_document(db, rec(4))
    a = Archive(db)
    assert [d.id for d in a.cluster(1)] == [2, 1, 3] == [d.id for d in a.cluster(3)]
    assert [d.id for d in a.cluster(4)] == [4]
    assert a.cluster(99) == []


def test_runs_stats_and_raw_pages(db) -> None:  # type: ignore[no-untyped-def]
    store.upsert_site(db, {"slug": "sd_qingdao", "name": "青岛市人民政府"})
    store.upsert_site(db, {"slug": "sd_empty", "name": "空站"})
    r1 = store.start_run(db, "sd_qingdao", trigger="manual", pid=1)
    store.finish_run(db, r1, status="ok", counts={"new": 2}, stats={})
    r2 = store.start_run(db, "sd_qingdao", trigger="scheduler", pid=2)
    store.finish_run(db, r2, status="failed", counts={}, stats={}, error="boom")
    store.save_document(db, rec(1, published="2024-05-01T10:00:00+08:00", raw=b"<html>1</html>"))
    store.save_document(db, rec(2, published="2024-05-01", raw=b"<html>2</html>"))
    store.save_document(db, rec(3, published="2024-05-02T08:00:00+08:00", site="sd_jinan"))
    store.save_document(db, rec(4, body_hash="h1"))
    store.save_document(db, rec(2, published="2024-05-01", body="改了", body_hash="h2b", raw=b"<html>2b</html>"))
    a = Archive(db)
    assert [r.id for r in a.runs()] == [r2, r1] and [r.id for r in a.runs(limit=1)] == [r2]
    st = a.stats()
    assert set(st) == {"sd_qingdao", "sd_jinan", "sd_empty"}
    q = st["sd_qingdao"]
    assert (q.name, q.documents, q.duplicates, q.revisions) == ("青岛市人民政府", 2, 1, 1)
    assert q.per_day == {"2024-05-01": 2}
    assert q.last_run is not None and q.last_run.id == r2 and q.last_run.error == "boom"
    assert q.last_success is not None and q.last_success.id == r1 and q.last_success.new == 2
    assert st["sd_empty"].documents == 0 and st["sd_empty"].last_run is None
    assert st["sd_jinan"].per_day == {"2024-05-02": 1}
    pages = list(a.raw_pages(site="sd_qingdao"))
    assert [p.content for p in pages] == [b"<html>1</html>", b"<html>2</html>", b"<html>2b</html>"]
    assert pages[0].canonical_url == rec(1).canonical_url and pages[0].headers == {}
    assert len(list(a.raw_pages())) == 4
    latest = [p.content for p in a.raw_pages(site="sd_qingdao", latest=True)]
    assert latest == [b"<html>1</html>", b"<html>2b</html>"]


def test_lookups_by_id_for_the_reading_pages(db) -> None:  # type: ignore[no-untyped-def]
    store.upsert_site(db, {"slug": "sd_qingdao", "name": "青岛市人民政府", "province": "山东省",
                           "city": "青岛市", "region_code": "370200"})
    for n, day in ((1, "2024-05-03"), (2, "2024-05-01"), (3, "2024-05-02")):
        store.save_document(db, rec(n, published=f"{day}T10:00:00+08:00", raw=f"<p>{n}</p>".encode()))
    store.save_document(db, rec(4, body_hash="h1"))  # exact duplicate of 1, no raw page of its own
    store.save_document(db, rec(2, published="2024-05-01T10:00:00+08:00", body="改了", body_hash="h2b",
                                raw=b"<p>2b</p>", fetched_at="2024-06-01T00:00:00+00:00"))
    a = Archive(db)
    assert a.document(2) is not None and a.document(2).body == "改了" and a.document(99) is None
    assert [d.id for d in a.latest()] == [1, 3, 2]  # newest published first, duplicate left out
    assert [d.id for d in a.latest(until="2024-05-02", limit=1)] == [3]
    assert [r.body for r in a.revisions_of(2)] == [rec(2).body] and a.revisions_of(1) == []
    raw = a.raw_page(2)
    assert raw is not None and raw.content == b"<p>2b</p>" and raw.document_id == 2
    ids = a.raw_page_ids(2)
    assert len(ids) == 2 and ids[1][1] == "2024-06-01T00:00:00+00:00"
    first = a.raw_page(2, ids[0][0])
    assert first is not None and first.content == b"<p>2</p>"
    assert a.raw_page(4) is None and a.raw_page(2, ids[0][0] + 999) is None
    site = a.sites()["sd_qingdao"]
    assert (site.name, site.province, site.city, site.region_code) == ("青岛市人民政府", "山东省", "青岛市", "370200")
    assert [h.document.id for h in a.search("海洋", until="2024-05-02")] == [3]


def test_archive_path_reads_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    db = open_archive(path)
    store.save_document(db, rec(1))
    db.conn.close()
    with Archive(path) as a:
        assert a.count() == 1 and a.get(rec(1).url) is not None
    with pytest.raises(ArchiveError):
        Archive(tmp_path / "missing.sqlite")


# -- concurrency: readers during writes ----------------------------------------------------
WRITER = """
import sys
from dataclasses import replace
from archive import open_archive, store
from simulator.synthetic import Generator
db = open_archive(sys.argv[1])
gen = Generator(pool_chars=100_000)
for i in range(int(sys.argv[2])):
    r = gen.record(i)
    store.save_document(db, r)
    if i % 10 == 9:
        store.save_document(db, replace(r, body=r.body + "更新", body_hash=r.body_hash + "u"))
"""


def _snapshot_consistent(conn: sqlite3.Connection) -> int:
    conn.execute("BEGIN")  # one read snapshot for all the counts
    try:
        docs, raws, revs, fts_rows, bands = (
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "raw_pages", "revisions", "documents_fts_docsize", "minhash_bands")
        )
    finally:
        conn.execute("COMMIT")
    assert raws == docs + revs and fts_rows == docs and bands == 16 * docs
    return docs


def test_reader_in_other_process_during_writes(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    open_archive(path).conn.close()
    n = 300
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    seen, reads, cli_runs = 0, 0, 0
    cli = shutil.which("sqlite3")
    with Archive(path) as a:
        while proc.poll() is None or reads == 0:
            seen = max(seen, _snapshot_consistent(a.conn))
            docs = list(a.documents())
            assert all(d.body and d.title for d in docs)
            a.search("发展", limit=5)
            a.known([d.canonical_url for d in docs[:50]])
            reads += 1
            if cli and reads % 5 == 1:
                out = subprocess.run([cli, str(path), "SELECT count(*) FROM documents;"],
                                     capture_output=True, text=True, timeout=30)
                assert out.returncode == 0 and out.stderr == "" and int(out.stdout) >= seen
                cli_runs += 1
        assert proc.wait() == 0
        assert _snapshot_consistent(a.conn) == n
    assert reads >= 3 and (cli is None or cli_runs >= 1)


def test_reader_thread_during_writes(tmp_path: Path) -> None:
    path = tmp_path / "threads.sqlite"
    db = open_archive(path)
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            with Archive(path) as a:
                while not done.is_set():
                    _snapshot_consistent(a.conn)
                    for hit in a.search("工作", limit=3):
                        assert hit.document.body
                    time.sleep(0.001)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    try:
        gen = Generator(pool_chars=100_000)
        for i in range(200):
            store.save_document(db, gen.record(i))
    finally:
        done.set()
        t.join()
    assert errors == []
    assert _snapshot_consistent(db.conn) == 200
