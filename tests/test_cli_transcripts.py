"""govpress transcript / search --speaker --role / refs / cited-by / extract --json (issue #13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from archive import open_archive, store
from archive.record import DocumentRecord
from pipelines.extract import extract
from pipelines.structure import structure

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
PAGES = json.loads((FIXTURES / "pages.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The fixture pages processed and saved as the crawl would (extraction, structure, save)."""
    path = tmp_path_factory.mktemp("structure") / "a.sqlite"
    db = open_archive(path)
    ids: dict[str, int] = {}
    for key, meta in PAGES.items():
        ex = extract((FIXTURES / f"{key}.html").read_bytes(), meta["url"], content_type=meta["content_type"])
        transcript, refs = structure(ex, meta["column"])
        record = DocumentRecord(site=meta["site"], url=meta["url"], canonical_url=meta["url"], title=ex.title,
                                body=ex.body, published=ex.published, column_name=meta["column"],
                                fetched_at="2026-11-22T00:00:00+00:00", transcript=transcript, references=refs)
        ids[key] = store.save_document(db, record).document_id
    db.conn.close()
    return path, ids


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_search_within_turns_by_speaker(archive) -> None:  # type: ignore[no-untyped-def]
    path, ids = archive
    out = run("search", "城中村", "--speaker", "高本伟", "--archive", str(path))
    assert "高本伟 [official]" in out and "[城中村]" in out
    rows = [json.loads(line) for line in run("search", "城中村", "--speaker", "高本伟", "--json",
                                             "--archive", str(path)).splitlines()]
    assert {r["document_id"] for r in rows} == {ids["conf-urban-policy"], ids["tc-prov-czc"]}
    assert all(r["speaker"] == "高本伟" and r["role"] == "official" for r in rows)


def test_search_within_turns_by_role(archive) -> None:  # type: ignore[no-untyped-def]
    path, _ = archive
    rows = [json.loads(x) for x in run("search", "城中村", "--role", "reporter", "--json", "--archive", str(path)).splitlines()]
    assert rows and all(r["role"] == "reporter" and r["outlet"] for r in rows)
    assert {r["outlet"] for r in rows} >= {"大众日报", "山东广播电视台"}
    result = CliRunner().invoke(cli, ["search", "城中村", "--role", "minister", "--archive", str(path)])
    assert result.exit_code == 2


def test_transcript_text_json_and_markdown(archive) -> None:  # type: ignore[no-untyped-def]
    path, ids = archive
    doc = str(ids["tc-prov-czc"])
    text = run("transcript", doc, "--archive", str(path))
    assert "省委社会工作部副部长 高本伟" in text and "[reporter] 大众日报记者：城中村改造后" in text
    data = json.loads(run("transcript", doc, "--json", "--archive", str(path)))
    assert data["venue"] == "省政府新闻发布厅" and len(data["turns"]) == 8 and len(data["participants"]) == 4
    md = run("transcript", doc, "--markdown", "--archive", str(path))
    assert md.startswith("# 省政府新闻办举行新闻发布会") and "**问** **大众日报记者**：" in md
    result = CliRunner().invoke(cli, ["transcript", str(ids["prov-notice-safety"]), "--archive", str(path)])
    assert result.exit_code == 1 and "is not a transcript" in result.output
    result = CliRunner().invoke(cli, ["transcript", "9999", "--archive", str(path)])
    assert result.exit_code == 1 and "9999 is not in the archive" in result.output


def test_refs_and_cited_by(archive) -> None:  # type: ignore[no-untyped-def]
    path, ids = archive
    plan = ids["ref-prov-czc-plan"]
    out = run("refs", str(ids["ref-jn-czc-implement"]), "--archive", str(path))
    assert "发文字号: 济政办发〔2026〕8号" in out
    assert f"鲁政发[2026]3号  -> #{plan} 山东省人民政府关于印发" in out
    assert "济政办发(2025)12号  -> (not archived)" in out  # as written, width folded
    rows = [json.loads(x) for x in run("cited-by", str(plan), "--json", "--archive", str(path)).splitlines()]
    assert {r["document_id"] for r in rows} == {ids["ref-jn-czc-implement"], ids["tc-jn-renewal"], ids["tc-prov-czc"]}
    cited = run("cited-by", str(ids["ref-jn-czc-implement"]), "--archive", str(path))
    assert "cites 济政办发〔2026〕8号" in cited


def test_extract_json_adds_transcript_and_references() -> None:
    out = run("extract", str(FIXTURES / "tc-qd-housing.html"), str(FIXTURES / "prov-notice-safety.html"), "--json")
    conf, notice = (json.loads(line) for line in out.splitlines())
    assert conf["transcript"]["event"]["kind"] == "新闻发布会"
    assert conf["transcript"]["participants"][0] == {"name": "", "title": "负责人", "org": "市住房城乡建设局"}
    assert conf["transcript"]["turns"][1] == {"speaker": "青岛日报记者", "role": "reporter", "outlet": "青岛日报",
                                             "text": "配售型保障性住房的申请条件是什么？"}
    assert notice["transcript"] is None
    assert notice["references"] == {"doc_number": None, "numbers": [], "titles": []}
