"""``archive.search`` plans (bm25 with filters, bm25 on the words alone, recency) against exact SQL.

Every plan must return exactly the documents a slow exact query finds (FTS on the
words only, filters on ``documents`` rows), in the order its ranking defines: a
plan that drops or adds a hit, or a date token that covers a day too many or too
few, fails here.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, fts, open_archive, search, store
from simulator.synthetic import Generator

WORDS = ["发展", "营商", "数字化", "城中村", "营商环境", "城市更新", "发展 营商环境", "营商 -城中村",
         "绿色 OR 防汛"]
FILTERS: list[dict[str, Any]] = [
    {},
    {"site": "sd_site03"},
    {"since": "2025-03-15"},
    {"since": "2024-01-01"},
    {"since": "2023-06-30", "until": "2023-07-01"},
    {"until": "2023-02-28"},
    {"since": "2023-01-01", "until": "2025-12-31"},  # every dated document: only undated ones excluded
    {"since": "2025-02-10", "until": "2025-02-10", "site": "sd_site01"},
    {"since": "2024-11-30T12:00:00+08:00"},
    {"until": date(2024, 3, 31), "site": "sd_site02"},
    {"since": "2030-01-01"},
]
START = date(2023, 1, 1)


def _published(i: int, rng: random.Random) -> str | None:
    if i % 37 == 0:
        return None
    day = START + timedelta(days=rng.randrange(3 * 365))
    return str(day) if i % 5 == 0 else f"{day}T{i % 24:02d}:30:00+08:00"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    path = tmp_path_factory.mktemp("plans") / "a.sqlite"
    gen = Generator(seed=7, pool_chars=60_000)
    rng = random.Random(3)
    db = open_archive(path)
    recs = [dataclasses.replace(gen.record(i, site=f"sd_site{i % 4:02d}", body_chars=rng.randint(40, 200)),
                                published=_published(i, rng)) for i in range(700)]
    store.save_documents(db, recs)
    db.conn.close()
    with Archive(path) as a:
        yield a


def exact(a: Archive, query: str, *, columns: str = "title body", **filters: Any) -> list[int]:
    """Matching ids, newest archived first: FTS on the words only, filters on the rows."""
    where, params = a._filters(site=filters.get("site"), since=filters.get("since"),
                               until=filters.get("until"))
    sql = ("SELECT documents_fts.rowid FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
           " WHERE documents_fts MATCH ?" + "".join(" AND " + w for w in where) + " ORDER BY 1 DESC")
    match = f"{{{columns}}} : ({fts.parse_query(query).match})"
    return [r[0] for r in a.conn.execute(sql, (match, *params))]


def all_scores(a: Archive, query: str) -> dict[int, float]:
    """bm25 of every match of the words alone (the ranking every bm25 plan must reproduce)."""
    return dict(a.conn.execute(
        "SELECT rowid, bm25(documents_fts, 5.0, 1.0, 0.0) FROM documents_fts WHERE documents_fts MATCH ?",
        (fts.scoped(fts.parse_query(query).match),)))


@pytest.fixture(params=["bm25", "bm25 words", "recency"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name: str = request.param
    if name == "bm25":  # filters inside the bm25 statement
        monkeypatch.setattr(search, "BM25_BUDGET_US", 10**12)
        monkeypatch.setattr(search, "SCORE_US", 10.0**6)
    elif name == "bm25 words":  # filters left out of it
        monkeypatch.setattr(search, "BM25_BUDGET_US", 10**12)
        monkeypatch.setattr(search, "COUNT_US", 10.0**6)
        monkeypatch.setattr(search, "SCORE_US", 0.0)
    else:
        monkeypatch.setattr(search, "BM25_BUDGET_US", -1)
    return name


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_every_plan_finds_exactly_the_matches(archive: Archive, plan: str, filters: dict[str, Any]) -> None:
    for word in WORDS:
        want = exact(archive, word, **filters)
        hits = archive.search(word, limit=10_000, window=None, **filters)
        got = [h.document.id for h in hits]
        assert sorted(got) == sorted(want), (plan, word, filters)
        if plan == "recency":
            titles = set(exact(archive, word, columns="title", **filters))
            assert got == [i for i in want if i in titles] + [i for i in want if i not in titles]
            assert [h.rank for h in hits] == [search.RECENCY_TITLE if i in titles else 0.0 for i in got]
        else:  # best bm25 first: the same scores as the exact matches sorted (ties may swap)
            score = all_scores(archive, word)
            assert [h.rank for h in hits] == pytest.approx([score[i] for i in got], rel=1e-9)
            assert [score[i] for i in got] == sorted(score[i] for i in want), (plan, word, filters)


@pytest.mark.parametrize("filters", FILTERS[:4] + FILTERS[8:9], ids=str)
def test_window_ranks_the_most_recent_matches(archive: Archive, plan: str, filters: dict[str, Any]) -> None:
    for word in ("发展", "营商", "城中村"):
        want = exact(archive, word, **filters)[:25]
        got = [h.document.id for h in archive.search(word, limit=10_000, window=25, **filters)]
        assert sorted(got) == sorted(want), (plan, word, filters)
        top = [h.document.id for h in archive.search(word, limit=5, window=25, **filters)]
        assert top == got[:5]


def test_plans_are_chosen_by_cost(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default budget ranks rare words by bm25 and very common ones by recency."""
    monkeypatch.setattr(search, "BM25_BUDGET_US", 400)  # 700 documents: scale the budget down
    common = archive.search("发展", limit=3)
    assert {h.rank for h in common} <= {search.RECENCY_TITLE, 0.0}
    word = min((w for w in ("城市更新", "示范区", "防汛", "医保", "自贸区") if exact(archive, w)),
               key=lambda w: len(exact(archive, w)))
    rare = archive.search(word, limit=3)
    assert rare and all(h.rank < 0 and h.rank != search.RECENCY_TITLE for h in rare)


def test_irregular_dates_fall_back_to_row_checks(tmp_path: Path) -> None:
    gen = Generator(seed=5, pool_chars=40_000)
    db = open_archive(tmp_path / "a.sqlite")
    pubs = ["2024-02-30", "", "2024-03-01", None, "2024-02-29T10:00:00+08:00", "2024-03-02", "2024-1-5"]
    store.save_documents(db, [dataclasses.replace(gen.record(i, body_chars=400), published=p)
                              for i, p in enumerate(pubs)])
    a = Archive(db)
    assert fts.meta_text("x", "2024-02-30").split()[1:] == [fts.IRREGULAR]
    assert fts.meta_text("x", "").split()[1:] == [fts.IRREGULAR]
    for filters in ({"since": "2024-02-29"}, {"until": "2024-03-01"}, {"since": "2024-01-01", "until": "2024-02-29"},
                    {"until": "2025-01-01"}):
        for word in ("发展", "营商", "的"):
            got = sorted(h.document.id for h in a.search(word, limit=100, **filters))
            assert got == sorted(exact(a, word, **filters)), (word, filters)


def test_cover_is_exact_and_short() -> None:
    def days(tokens: list[str]) -> set[date]:
        out: set[date] = set()
        for t in tokens:
            y = int(t[1:5])
            if t[0] == "y":
                d = date(y, 1, 1)
                while d.year == y:
                    out.add(d)
                    d += timedelta(days=1)
            elif t[0] == "m":
                d = date(y, int(t[5:7]), 1)
                while d.month == int(t[5:7]):
                    out.add(d)
                    d += timedelta(days=1)
            else:
                out.add(date(y, int(t[5:7]), int(t[7:9])))
        return out

    rng = random.Random(1)
    for _ in range(150):
        a = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
        b = a + timedelta(days=rng.randrange(800))
        tokens = fts.cover(a, b)
        assert days(tokens) == {a + timedelta(days=k) for k in range((b - a).days + 1)}
        assert len(tokens) == len(set(tokens)) <= 31 + 11 + (b.year - a.year + 1) + 11 + 31
    assert fts.cover(date(2024, 1, 1), date(2024, 12, 31)) == ["y2024"]
    assert fts.cover(date(2024, 2, 1), date(2024, 3, 2)) == ["m202402", "d20240301", "d20240302"]


def test_m007_reindexes_an_archive_with_month_tokens(tmp_path: Path) -> None:
    """An archive indexed before m007 (site and month tokens only) is re-indexed on open."""
    gen = Generator(seed=9, pool_chars=40_000)
    path = tmp_path / "a.sqlite"
    db = open_archive(path)
    recs = [dataclasses.replace(gen.record(i, body_chars=300), published=f"2024-05-0{i + 1}T09:00:00+08:00")
            for i in range(3)]
    store.save_documents(db, recs)
    with db.conn:  # the index as m001..m006 wrote it, and m007 not yet applied
        db.conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
        for doc_id, title, body, site, published in db.conn.execute(
                "SELECT id, title, body, site, published FROM documents").fetchall():
            fts.index_document(db.conn, doc_id, title, body, f"{fts.site_token(site)} {fts.month_token(published)}")
        db.conn.execute("DELETE FROM _migrations WHERE name = 'm007_date_tokens'")
    db.conn.close()

    def meta(a: Archive, token: str) -> list[int]:
        return [r[0] for r in a.conn.execute(
            "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid", (f'meta : ("{token}")',))]

    db = open_archive(path)  # applies m007
    a = Archive(path)
    assert meta(a, "d20240502") == [2] and meta(a, "y2024") == [1, 2, 3]
    assert [h.document.id for h in a.search("发展", since="2024-05-02", until="2024-05-02")] == [2]
    # the update unindexes with the new tokens: nothing of the old version stays findable
    store.save_document(db, dataclasses.replace(recs[1], body=recs[1].body + "修订", body_hash="changed",
                                                published="2024-06-09", fetched_at="2030-01-01T00:00:00+00:00"))
    assert meta(a, "d20240502") == [] and meta(a, "m202405") == [1, 3] and meta(a, "d20240609") == [2]
    assert [h.document.id for h in a.search("发展", since="2024-06-01")] == [2]


def test_cover_reaches_the_last_representable_day() -> None:
    assert fts.cover(date(9999, 12, 30), date.max) == ["d99991230", "d99991231"]
    assert fts.cover(date(9999, 1, 1), date.max) == ["y9999"]
    assert fts.cover(date(2024, 3, 2), date(2024, 3, 1)) == []
