"""pipelines/references.py: own 发文字号, cited 文号 and cited 《titles》, normalised."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from pipelines.extract import extract
from pipelines.references import (
    extract_references,
    find_numbers,
    find_titles,
    issuer_prefixes,
    normalize_number,
    normalize_title,
    own_number,
    title_keys,
)
from pipelines.structure import structure

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
PAGES = json.loads((FIXTURES / "pages.json").read_text("utf-8"))
DATA = Path(__file__).resolve().parent.parent / "pipelines" / "data" / "issuers.toml"


@pytest.mark.parametrize("written", [
    "鲁政发〔2024〕5号", "鲁政发[2024]5号", "鲁政发［2024］5号", "鲁政发（2024）5号", "鲁政发(2024)5号",
    "鲁政发【2024】5号", "鲁政发〔２０２４〕５号", "鲁政发 〔2024〕 第5号", "鲁政发〔2024〕05号",
])
def test_number_variants_fold_to_one_form(written: str) -> None:
    assert normalize_number(written) == "鲁政发〔2024〕5号"
    assert [c.norm for c in find_numbers(f"根据{written}文件精神")] == ["鲁政发〔2024〕5号"]


def test_every_city_has_its_prefixes_as_data() -> None:
    data = tomllib.loads(DATA.read_text("utf-8"))
    assert len(data["abbreviations"]) == 17  # the province and its 16 cities
    prefixes = set(issuer_prefixes())
    for abbr in data["abbreviations"].values():
        assert {f"{abbr}政发", f"{abbr}政办发", f"{abbr}政字"} <= prefixes
        found = find_numbers(f"印发了{abbr}政办发〔2025〕3号和按照{abbr}政字（2026）12号执行")
        assert [c.norm for c in found] == [f"{abbr}政办发〔2025〕3号", f"{abbr}政字〔2026〕12号"]


def test_numbers_with_unlisted_prefixes_and_their_left_edge() -> None:
    text = "参照财预〔2025〕3号、鲁发改投资〔2024〕100号和国办发〔2023〕25号，落实济宁政办字[2026]7号。"
    assert [c.norm for c in find_numbers(text)] == [
        "财预〔2025〕3号", "鲁发改投资〔2024〕100号", "国办发〔2023〕25号", "济宁政办字〔2026〕7号"]
    assert find_numbers("全省完成投资600亿元（2026年）5个项目") == []
    assert find_numbers("鲁政发〔2024〕5号，鲁政发[2024]5号") == find_numbers("鲁政发〔2024〕5号")


def test_titles_nested_aliases_prefix_and_width() -> None:
    text = ("印发《关于推动城市高质量发展的实施意见》（以下简称《意见》）。《意见》要求落实《中华人民共和国安全生产法》"
            "和《安全生产法》，以及《关于印发〈山东省行动方案（2026—2028年）〉的通知》。《实施意见》提出……")
    got = find_titles(text)
    assert [c.text for c in got] == ["关于推动城市高质量发展的实施意见", "中华人民共和国安全生产法",
                                     "关于印发〈山东省行动方案（2026—2028年）〉的通知"]
    assert got[1].norm == "安全生产法"
    assert normalize_title("济南市城市更新行动实施方案（2026—2028年）") == normalize_title("济南市城市更新行动实施方案(2026-2028年)")
    assert find_titles("《" + "长" * 100 + "》") == []


def test_own_number_is_stated_not_cited() -> None:
    assert own_number(["鲁政办字〔2026〕45号", "各市人民政府："]) == "鲁政办字〔2026〕45号"
    assert own_number(["各市人民政府：", "发文字号：鲁政发［２０２６］３号"]) == "鲁政发〔2026〕3号"
    assert own_number(["为贯彻落实鲁政发〔2026〕3号文件要求，提出如下意见。"]) is None
    refs = extract_references("关于落实的意见", "济政办发〔2026〕8号\n根据鲁政发〔2026〕3号和济政办发〔2026〕8号。")
    assert refs.doc_number == "济政办发〔2026〕8号" and [c.norm for c in refs.numbers] == ["鲁政发〔2026〕3号"]


def test_title_keys_and_self_citation() -> None:
    title = "山东省人民政府关于印发山东省城中村改造三年行动方案（2026—2028年）的通知"
    assert title_keys(title) == [normalize_title(title),
                                 normalize_title("关于印发山东省城中村改造三年行动方案（2026—2028年）的通知"),
                                 normalize_title("山东省城中村改造三年行动方案（2026—2028年）")]
    refs = extract_references(title, "现将《山东省城中村改造三年行动方案（2026－2028年）》印发给你们，依照《城乡规划法》执行。")
    assert [c.text for c in refs.titles] == ["城乡规划法"]


@pytest.mark.parametrize("key", sorted(PAGES))
def test_fixture_references_as_written_by_hand(key: str) -> None:
    meta = PAGES[key]
    gold = json.loads((FIXTURES / f"{key}.expected.json").read_text("utf-8"))["references"]
    ex = extract((FIXTURES / f"{key}.html").read_bytes(), meta["url"], content_type=meta["content_type"])
    got = structure(ex, meta["column"])[1].public()
    assert got["doc_number"] == gold["doc_number"]
    assert got["numbers"] == gold["numbers"]
    assert [normalize_title(t) for t in got["titles"]] == [normalize_title(t) for t in gold["titles"]]


def test_a_newspaper_in_title_marks_is_not_a_document() -> None:
    assert [c.text for c in find_titles("据《人民日报》报道，《大众日报》评论说，要落实《政府工作报告》。")] == ["政府工作报告"]
