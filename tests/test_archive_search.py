"""Chinese full-text search: 1- to 4+-character words, phrases, operators, ranking, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive import Archive, SearchQueryError, open_archive, store
from archive.fts import index_text, parse_query, query_tokens, rebuild
from archive.record import DocumentRecord

DOCS = {
    1: ("济南市召开优化营商环境大会", "会议指出，要持续优化营商环境，为市场主体纾困解难。"),
    2: ("城中村改造工作推进会", "全市城中村改造项目有序推进，群众居住条件明显改善。"),
    3: ("绿色低碳发展行动方案", "推动绿色发展，建设新能源示范区，落实双碳目标。"),
    4: ("5G基站建设提速", "今年新建5G基站3000个，ＧＤＰ同比增长5.3%，A股上市企业增加。"),
    5: ("防汛工作部署", "各地要压实防汛责任，确保安全度汛。营商"),
    6: ("粤港澳大湾区建设", "深化粤港澳·大湾区合作，推进Covid-19疫情后经济恢复。"),
    7: ("税务服务", "税费优惠政策直达快享。环境保护与营商无关的段落：商环"),
}


def rec(n: int, title: str, body: str, **kw: Any) -> DocumentRecord:
    url = f"https://www.sd.gov.cn/art/{n}.html"
    base = {"site": "sd_province" if n % 2 else "sd_jinan", "url": url, "canonical_url": url,
            "title": title, "body": body, "body_hash": f"h{n}",
            "fetched_at": "2024-05-01T00:00:00+00:00", "published": f"2024-05-{n:02d}T09:00:00+08:00"}
    base.update(kw)
    return DocumentRecord.from_headers(base.pop("headers", {}), **base)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    db = open_archive(tmp_path / "a.sqlite")
    store.save_documents(db, [rec(n, t, b) for n, (t, b) in DOCS.items()])
    return Archive(db)


def ids(archive: Archive, query: str, **kw: Any) -> list[int]:
    return sorted(h.document.id for h in archive.search(query, **kw))


def test_tokenizer_bigrams_with_run_end_unigram() -> None:
    assert index_text("营商环境") == "营商 商环 环境 境"
    assert index_text("5G基站，ＧＤＰ增长") == "5g 基站 站 gdp 增长 长"
    assert query_tokens("营商环境") == [("营商", False), ("商环", False), ("环境", False)]
    assert query_tokens("税") == [("税", True)]


def test_two_character_words(archive: Archive) -> None:
    assert ids(archive, "营商") == [1, 5, 7]
    assert ids(archive, "绿色") == [3]
    assert ids(archive, "防汛") == [5]


def test_three_character_words(archive: Archive) -> None:
    assert ids(archive, "城中村") == [2]
    assert ids(archive, "新能源") == [3]


def test_four_and_more_characters(archive: Archive) -> None:
    assert ids(archive, "营商环境") == [1]  # doc 7 has 营商 and 商环 but not the sequence
    assert ids(archive, "环境营商") == []
    assert ids(archive, "优化营商环境") == [1]
    assert ids(archive, "粤港澳大湾区") == [6]


def test_single_character(archive: Archive) -> None:
    assert ids(archive, "税") == [7]
    assert ids(archive, "汛") == [5]  # last character of a word: found through the run-end unigram


def test_latin_numbers_and_mixed(archive: Archive) -> None:
    assert ids(archive, "5G基站") == [4]
    assert ids(archive, "gdp") == [4]  # full-width ＧＤＰ normalised
    assert ids(archive, "A股") == [4]
    assert ids(archive, "covid") == [6] == ids(archive, "cov*")
    assert ids(archive, "粤港澳·大湾区") == [6]  # punctuation inside a word
    assert ids(archive, "3000") == [4]


def test_and_or_not_phrase_and_field(archive: Archive) -> None:
    assert ids(archive, "营商 防汛") == [5]
    assert ids(archive, "营商 -防汛") == [1, 7]
    assert ids(archive, "绿色 OR 城中村") == [2, 3]
    assert ids(archive, "绿色 OR 城中村 改造") == [2]
    assert ids(archive, '"营商环境"') == [1]
    assert ids(archive, "title:营商") == [1]
    assert ids(archive, "body:营商 -title:营商") == [5, 7]


def test_title_ranks_above_body(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "r.sqlite")
    store.save_documents(db, [
        rec(1, "全市工作会议", "会议研究了医保报销和防汛物资储备等事项。"),
        rec(2, "防汛物资储备充足", "会议研究了医保报销和其他物资储备等事项。"),
        *(rec(n, f"其他新闻{n}", "与本次检索无关的内容。") for n in range(3, 12)),
    ])
    hits = Archive(db).search("防汛")
    assert [h.document.id for h in hits] == [2, 1]  # title match first
    assert hits[0].rank < hits[1].rank < 0


def test_snippet_from_real_body(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "s.sqlite")
    body = "前言部分。" * 40 + "\n我市持续优化营商环境，推动城中村改造。\n" + "结语部分。" * 40
    store.save_document(db, rec(1, "标题", body))
    hit = Archive(db).search("营商环境 城中村")[0]
    assert "[营商环境]" in hit.snippet and "[城中村]" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "\n" not in hit.snippet and len(hit.snippet) <= 120 + 2 + 4  # width, "…" x2, marks
    assert "我市持续优化[营商环境]，推动[城中村]改造。" in hit.snippet  # real text, not bigrams
    custom = Archive(db).search("营商", mark=("<b>", "</b>"))[0].snippet
    assert "<b>营商</b>" in custom


def test_filters_and_limit(archive: Archive) -> None:
    assert ids(archive, "营商", site="sd_province") == [1, 5, 7]
    assert ids(archive, "城中村", site="sd_province") == []
    assert ids(archive, "营商", site="sd_nowhere") == []
    assert ids(archive, "营商", since="2024-05-02") == [5, 7]
    assert ids(archive, "营商", since="2024-05-05T09:00:00+08:00") == [5, 7]
    assert ids(archive, "营商", since="2024-05-05T09:00:01+08:00") == [7]
    assert ids(archive, "营商", since="2024-04-01", site="sd_province") == [1, 5, 7]
    assert ids(archive, "营商", since="2024-06-01") == []
    assert len(archive.search("营商", limit=2)) == 2


def test_filters_across_months_and_updates(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "m.sqlite")
    store.save_documents(db, [
        rec(1, "营商", "一月", published="2023-12-31"),
        rec(2, "营商", "二月", published="2024-01-01T00:30:00+08:00"),
        rec(3, "营商", "三月", published="2024-03-15"),
        rec(4, "营商", "无日期", published=None),
    ])
    a = Archive(db)
    assert ids(a, "营商", since="2023-12-31") == [1, 2, 3]
    with pytest.raises(ValueError, match="not an ISO date"):
        a.search("营商", since="2024-01")
    assert ids(a, "营商", since="2024-02-01") == [3]
    store.save_document(db, rec(3, "营商", "改到二〇二三年", published="2023-06-01", body_hash="x"))
    assert ids(a, "营商", since="2024-02-01") == []
    assert ids(a, "营商", since="2023-01-01") == [1, 2, 3]
    db.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")


def test_meta_tokens_are_not_searchable(archive: Archive) -> None:
    from archive.fts import meta_text

    tokens = meta_text("sd_province", "2024-05-01").split()
    assert tokens[1:] == ["y2024", "m202405", "d20240501"]
    assert meta_text("sd_province", None).split()[1:] == ["dnone"]
    assert meta_text("sd_province", "2024-05").split()[1:] == ["dbad"]
    tokens += ["dnone", "dbad"]
    for t in tokens:
        assert ids(archive, t) == []


def test_rank_window_limits_ranking_to_recent_matches(archive: Archive) -> None:
    assert ids(archive, "营商", window=2) == [5, 7]  # the two most recently archived matches
    assert ids(archive, "营商", window=None) == [1, 5, 7]


def test_duplicates_and_updates(archive: Archive, tmp_path: Path) -> None:
    db = archive.db
    store.save_document(db, rec(8, *DOCS[2], body_hash="h2"))
    assert ids(archive, "城中村") == [2]
    store.save_document(db, rec(3, "绿色低碳发展行动方案（修订）", "改为推进海洋牧场建设。", body_hash="h3b"))
    assert ids(archive, "新能源") == [] and ids(archive, "海洋牧场") == [3] and ids(archive, "修订") == [3]
    before = {q: ids(archive, q) for q in ("营商", "城中村", "海洋", "税", "5G基站")}
    with db.conn:
        assert rebuild(db.conn) == 7
    assert {q: ids(archive, q) for q in before} == before


BAD = ['', '   ', '"unbalanced', '营商 "环境', '-营商', '-a -b', 'OR', '营商 OR', 'OR 营商',
       '，。！', '"', '***', '^', '-"x"']
WEIRD = ['NEAR(a b)', 'a AND', 'title:', 'foo:bar', "'; DROP TABLE documents; --", '(营商',
         '营商)', '{title}: 营商', 'a* *b', '"a" + "b"', 'AND OR NOT', '\x00营商', '营商\\', 'x' * 500]


@pytest.mark.parametrize("query", BAD)
def test_bad_queries_raise_one_line_search_error(archive: Archive, query: str) -> None:
    with pytest.raises(SearchQueryError) as exc:
        archive.search(query)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("query", WEIRD)
def test_weird_queries_never_reach_fts_syntax(archive: Archive, query: str) -> None:
    try:
        archive.search(query)
    except SearchQueryError as exc:
        assert "\n" not in str(exc)
    assert archive.count() == 7


def test_engine_rejection_becomes_search_error(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import fts

    monkeypatch.setattr(fts, "parse_query", lambda q: fts.Query('"a" AND (', ("a",)))
    with pytest.raises(SearchQueryError, match="rejected: fts5: syntax error"):
        archive.search("a")


def test_match_expression_only_quoted_tokens() -> None:
    q = parse_query('营商 -"城 中" title:税 a* OR b')
    assert q.match == '("营商" AND title : ("税"*) AND ("a"* OR "b")) NOT "城" + "中"*'
