"""archive/structure.py and read_structure.py: transcripts and references stored, resolved, read."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, SearchQueryError, open_archive, store
from archive.record import DocumentRecord
from archive.schema import known_names
from archive.structure import save_structure
from archive.structure_types import Citation, Event, Participant, References, Transcript, Turn


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = open_archive(tmp_path / "a.sqlite")
    yield d
    d.conn.close()


def conference(answer: str = "城中村改造后要让治理跟上，同步建立居民委员会。") -> Transcript:
    return Transcript(
        event=Event(title="新闻发布会", date="2026-02-10", organiser="山东省人民政府新闻办公室", kind="新闻发布会"),
        participants=[Participant("高本伟", "副部长", "省委社会工作部"), Participant("李明", "副主任", "省政府新闻办", "host")],
        turns=[Turn("主持人", "host", "请记者提问。", participant=1),
               Turn("大众日报记者", "reporter", "城中村改造后治理怎样跟上？", outlet="大众日报"),
               Turn("省委社会工作部副部长高本伟", "official", answer, participant=0, answers=1)],
        recognised_by="headline")


def rec(n: int, title: str, body: str = "正文。", **kw: Any) -> DocumentRecord:
    url = f"https://www.shandong.gov.cn/art/2026/1/{n}/art_1_{n}.html"
    return DocumentRecord(site="sd_province", url=url, canonical_url=url, title=title, body=body,
                          body_hash=f"h{n}-{hash(body)}", published=f"2026-01-{n:02d}T10:00:00+08:00",
                          fetched_at="2026-01-30T00:00:00+00:00", **kw)


PLAN = References(doc_number="鲁政发〔2026〕3号", title_keys=["山东省城中村改造三年行动方案(2026-2028年)"])


def cites(number: str = "鲁政发〔2026〕3号", title: str = "山东省城中村改造三年行动方案(2026-2028年)") -> References:
    return References(numbers=[Citation(number.replace("〔", "[").replace("〕", "]"), number)],
                      titles=[Citation(title, title)])


def test_migrations_are_named(db) -> None:  # type: ignore[no-untyped-def]
    assert known_names()[1:3] == ["m002_transcripts", "m003_references"]
    tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"events", "participants", "turns", "turns_fts", "refs", "ref_keys"} <= tables


def test_transcript_saved_with_the_document_and_read_back(db) -> None:  # type: ignore[no-untyped-def]
    res = store.save_document(db, rec(1, "发布会", transcript=conference(), references=References()))
    t = Archive(db).transcript(res.document_id)
    assert t is not None and (t.kind, t.date, t.organiser) == ("新闻发布会", "2026-02-10", "山东省人民政府新闻办公室")
    assert [(p.name, p.role) for p in t.participants] == [("高本伟", "official"), ("李明", "host")]
    assert [(x.speaker, x.role, x.outlet) for x in t.turns] == [
        ("主持人", "host", ""), ("大众日报记者", "reporter", "大众日报"), ("省委社会工作部副部长高本伟", "official", "")]
    assert t.turns[0].participant is not None and t.turns[0].participant.name == "李明"
    assert t.turns[2].answers_id == t.turns[1].id and t.turns[1].answers_id is None
    assert Archive(db).transcript(999) is None


def test_asdict_form_is_accepted(db) -> None:  # type: ignore[no-untyped-def]
    record = rec(1, "发布会", transcript=dataclasses.asdict(conference()), references=dataclasses.asdict(PLAN))
    doc_id = store.save_document(db, record).document_id
    t = Archive(db).transcript(doc_id)
    assert t is not None and len(t.turns) == 3
    assert Archive(db).refs(doc_id).doc_number == "鲁政发〔2026〕3号"


def test_turn_search_with_speaker_and_role_filters(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, "发布会", transcript=conference()))
    a = Archive(db)
    [hit] = a.search_turns("城中村", speaker="高本伟")
    assert hit.turn.speaker == "省委社会工作部副部长高本伟" and "[城中村]" in hit.snippet
    assert hit.document_title == "发布会"
    assert [h.turn.role for h in a.search_turns("城中村", role="reporter")] == ["reporter"]
    assert a.search_turns("城中村", speaker="侯晓滨") == []
    assert a.search_turns("居民委员会", role="official")[0].turn.participant.name == "高本伟"  # type: ignore[union-attr]
    assert a.search_turns("提问", role="host")[0].turn.speaker == "主持人"
    with pytest.raises(SearchQueryError):
        a.search_turns("城中村", role="minister")


def test_an_update_replaces_the_structure_and_its_index(db) -> None:  # type: ignore[no-untyped-def]
    doc_id = store.save_document(db, rec(1, "发布会", transcript=conference())).document_id
    res = store.save_document(db, rec(1, "发布会", body="改了。", transcript=conference("改为推进老旧小区改造。")))
    assert res.outcome == "updated"
    a = Archive(db)
    assert a.search_turns("居民委员会") == []
    assert [h.turn.document_id for h in a.search_turns("老旧小区")] == [doc_id]
    assert db.conn.execute("SELECT count(*) FROM turns").fetchone()[0] == 3
    store.save_document(db, rec(1, "普通新闻", body="再改。", transcript=None, references=References()))
    assert a.transcript(doc_id) is None and a.search_turns("老旧小区") == []
    assert db.conn.execute("SELECT count(*) FROM participants").fetchone()[0] == 0


def test_references_resolve_in_both_directions(db) -> None:  # type: ignore[no-untyped-def]
    early = store.save_document(db, rec(1, "济南落实意见", references=cites())).document_id
    assert [r.target_id for r in Archive(db).refs(early).numbers] == [None]  # not archived yet
    plan = store.save_document(db, rec(2, "关于印发方案的通知", references=PLAN)).document_id
    late = store.save_document(db, rec(3, "发布会", references=cites())).document_id
    a = Archive(db)
    refs = a.refs(early)
    assert [(r.text, r.norm, r.target_id) for r in refs.numbers] == [("鲁政发[2026]3号", "鲁政发〔2026〕3号", plan)]
    assert [r.target_id for r in refs.titles] == [plan] and refs.titles[0].target_title == "关于印发方案的通知"
    assert [r.target_id for r in a.refs(late).numbers + a.refs(late).titles] == [plan, plan]
    assert sorted({r.document_id for r in a.cited_by(plan)}) == [early, late]
    assert a.refs(plan).doc_number == "鲁政发〔2026〕3号" and a.cited_by(early) == []


def test_unresolved_kept_and_a_changed_number_unresolves(db) -> None:  # type: ignore[no-untyped-def]
    citing = store.save_document(db, rec(1, "意见", references=cites("国办发〔2023〕25号", "城乡规划法"))).document_id
    plan = store.save_document(db, rec(2, "通知", references=PLAN)).document_id
    a = Archive(db)
    assert [(r.norm, r.target_id) for r in a.refs(citing).numbers] == [("国办发〔2023〕25号", None)]
    c2 = store.save_document(db, rec(3, "发布会", references=cites())).document_id
    assert {r.target_id for r in a.refs(c2).numbers} == {plan}
    store.save_document(db, rec(2, "通知", body="更正。", references=References(doc_number="鲁政发〔2026〕4号")))
    assert [r.target_id for r in a.refs(c2).numbers + a.refs(c2).titles] == [None, None]


def test_self_citation_and_duplicates_do_not_resolve_to_themselves(db) -> None:  # type: ignore[no-untyped-def]
    refs = References(doc_number="鲁政发〔2026〕3号", numbers=[Citation("鲁政发〔2026〕3号", "鲁政发〔2026〕3号")])
    own = store.save_document(db, rec(1, "通知", references=refs)).document_id
    assert [r.target_id for r in Archive(db).refs(own).numbers] == [None]


def test_unchanged_page_backfills_missing_structure_once(db) -> None:  # type: ignore[no-untyped-def]
    store.save_document(db, rec(1, "发布会"))  # archived before the structure tables had rows
    res = store.save_document(db, rec(1, "发布会", transcript=conference(), references=PLAN))
    assert res.outcome == "unchanged"
    assert Archive(db).transcript(res.document_id) is not None
    store.save_document(db, rec(1, "发布会", transcript=None, references=References()))
    assert Archive(db).transcript(res.document_id) is not None  # unchanged: kept


def test_save_structure_runs_inside_the_callers_transaction(db) -> None:  # type: ignore[no-untyped-def]
    doc_id = store.save_document(db, rec(1, "发布会")).document_id
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    save_structure(conn, doc_id, conference(), PLAN)
    conn.execute("ROLLBACK")
    assert Archive(db).transcript(doc_id) is None and Archive(db).refs(doc_id).doc_number is None
