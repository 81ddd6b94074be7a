"""``Archive.stats`` from the trigger-kept counts (migration ``m006_counts``) equals a full recount."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

from archive import Archive, open_archive, store
from archive.record import DocumentRecord
from archive.schema import MIGRATIONS


def _rec(n: int, rng: random.Random, **kw: Any) -> DocumentRecord:
    url = f"https://www.jinan.gov.cn/art/{n}.html"
    day = rng.choice(["2024-05-01", "2024-05-02", "2024-06-30", None, ""])
    base = {"site": rng.choice(["sd_jinan", "sd_qingdao", "sd_dzwww"]), "url": url, "canonical_url": url,
            "fetched_at": f"2024-07-{rng.randint(1, 28):02d}T00:00:00+00:00", "title": f"标题{n}",
            "body": f"正文{n}。", "body_hash": f"h{n}", "published": f"{day}T09:00:00+08:00" if day else day}
    base.update(kw)
    return DocumentRecord(**base)


def _recount(path: Path) -> dict[str, tuple[Any, ...]]:
    """The figures ``stats()`` reports, computed by scanning every document (the old way)."""
    c = sqlite3.connect(path)
    out: dict[str, Any] = {}
    for site, day, n, dups, seen in c.execute(
        "SELECT site, substr(published, 1, 10), sum(duplicate_of IS NULL), sum(duplicate_of IS NOT NULL),"
        " max(last_seen) FROM documents GROUP BY 1, 2"
    ):
        e = out.setdefault(site, [0, 0, {}, None])
        e[0] += n
        e[1] += dups
        if day and n:
            e[2][day] = n
        e[3] = max(filter(None, (e[3], seen)), default=None)
    for site, first, last in c.execute("SELECT site, min(published), max(published) FROM documents GROUP BY site"):
        out[site] += [first, last]
    revs = dict(c.execute("SELECT d.site, count(*) FROM revisions r JOIN documents d ON d.id = r.document_id"
                          " GROUP BY d.site"))
    c.close()
    return {s: (e[0], e[1], e[2], e[3], e[4], e[5], revs.get(s, 0)) for s, e in out.items()}


def _reported(path: Path) -> dict[str, tuple[Any, ...]]:
    with Archive(path) as a:
        return {s: (st.documents, st.duplicates, st.per_day, st.last_seen, st.first_published,
                    st.last_published, st.revisions)
                for s, st in a.stats().items() if st.documents or st.duplicates}


def test_counts_follow_new_duplicate_updated_and_unchanged_saves(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    db = open_archive(path)
    rng = random.Random(4)
    for n in range(120):
        dup = rng.random() < 0.2 and n > 0  # the same text as an archived page: an exact duplicate
        store.save_document(db, _rec(n, rng, **({"body": "正文0。", "body_hash": "h0"} if dup else {})))
    for n in rng.sample(range(120), 40):  # re-fetches: changed (new date, text) or unchanged
        url = f"https://www.jinan.gov.cn/art/{n}.html"
        site, old_hash, old_body = db.conn.execute(
            "SELECT site, body_hash, body FROM documents WHERE canonical_url = ?", (url,)).fetchone()
        if rng.random() < 0.5:
            again = _rec(n, rng, site=site, body=f"改过的正文{n}。", body_hash=f"h{n}b")
        else:
            again = _rec(n, rng, site=site, body=old_body, body_hash=old_hash)
        store.save_document(db, again)
    db.conn.execute("DELETE FROM minhash_bands")  # unrelated writes leave the counts alone
    db.conn.commit()
    db.conn.close()
    expected = _recount(path)
    assert sum(e[6] for e in expected.values()) > 0, "the test must produce revisions"
    assert sum(e[1] for e in expected.values()) > 0, "the test must produce duplicates"
    assert _reported(path) == expected


def test_migration_fills_counts_for_an_existing_archive(tmp_path: Path) -> None:
    """An archive written before m006 gets its counts from the rows already there."""
    path = tmp_path / "old.sqlite"
    before = [m for m in MIGRATIONS if m.name != "m006_counts"]
    from archive import schema

    saved = list(schema.MIGRATIONS)
    schema.MIGRATIONS[:] = before
    try:
        db = open_archive(path)
        rng = random.Random(9)
        for n in range(30):
            store.save_document(db, _rec(n, rng))
        db.conn.close()
    finally:
        schema.MIGRATIONS[:] = saved
    db = open_archive(path)  # applies m006_counts
    assert "m006_counts" in [r[0] for r in db.conn.execute("SELECT name FROM _migrations")]
    db.conn.close()
    assert _reported(path) == _recount(path)
